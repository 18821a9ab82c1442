// The edge agent's footprint on a node: resident memory and CPU of an idle vfo-agent (no VF) probed every second
// by an orchestrator, as on a small device of a real cluster. Starts the agent (its own node's emulation off, as
// on real hardware), probes it over mutual TLS once a second for 60 s, and reports the agent's CPU as the
// percentage of one core over that minute (the benchmark's time is the minute) and its resident memory at the end
// and at its peak (VmHWM). Targets: under 30 MB and under 1 % of a core.
//   ./build/bench/vfo_bench --benchmark_filter=AgentFootprint
// VFO_AGENT=build-lean/vfo-agent measures the lean build's agent (scripts/lean-agent) instead of this build's.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/process_tree.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A "VmRSS:" or "VmHWM:" line of /proc/PID/status, in MB; -1 when absent.
double status_mb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(field.size())) / 1024.0;  // kB
  }
  return -1;
}

void BM_AgentFootprint(benchmark::State& state) {
  const fs::path dir = fs::temp_directory_path() / "vfo-bench-agent-footprint";
  fs::remove_all(dir);
  fs::create_directories(dir / "logs");
  vfo::runtime::write_cluster_certificates(dir / "certs", {"orchestrator", "node-1"});
  const char* chosen = std::getenv("VFO_AGENT");
  const std::string binary = chosen != nullptr ? chosen : VFO_AGENT_BINARY;
  constexpr double kWindowS = 60;
  for (auto _ : state) {
    vfo::runtime::ChildProcess agent(
        binary, {"--name", "node-1", "--certs", (dir / "certs").string(), "--log-dir", (dir / "logs").string()},
        (dir / "logs" / "node-1.log").string());
    const auto ready = agent.read_line(std::chrono::seconds(20));
    if (!ready) {
      state.SkipWithError("the agent did not start");
      return;
    }
    const std::string address = nlohmann::json::parse(*ready).value("address", "");
    vfo::runtime::AgentClient client(address, vfo::runtime::Identity::from_dir(dir / "certs", "orchestrator"),
                                     std::chrono::milliseconds(500), "node-1");
    if (!client.probe()) {  // the first connection (TLS handshake) before the window
      state.SkipWithError("the agent does not answer its probe");
      return;
    }
    const auto before = vfo::runtime::read_process_usage(agent.pid());
    const auto start = Clock::now();
    int answered = 0;
    for (int k = 1; k <= static_cast<int>(kWindowS); ++k) {
      std::this_thread::sleep_until(start + std::chrono::seconds(k));
      answered += client.probe().has_value() ? 1 : 0;
    }
    const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    const auto after = vfo::runtime::read_process_usage(agent.pid());
    if (!before || !after) {
      state.SkipWithError("the agent ended");
      return;
    }
    state.SetIterationTime(wall_s);
    state.counters["cpu_pct_of_a_core"] = 100.0 * (after->cpu_seconds - before->cpu_seconds) / wall_s;
    state.counters["rss_mb"] = status_mb(agent.pid(), "VmRSS:");
    state.counters["rss_peak_mb"] = status_mb(agent.pid(), "VmHWM:");
    state.counters["probes_answered"] = answered;
  }
}
BENCHMARK(BM_AgentFootprint)->Name("AgentFootprint")->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
