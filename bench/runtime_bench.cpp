// Runtime benchmark: how fast a chain is whole again after its middle node is killed, on a local
// edge cluster with a 1 s probing period. Runs `vfo demo` (real agents and VF processes on loopback) and
// reports, as the benchmark's time, the cold-migration downtime seen at the sink; counters: detection,
// recovery (placement, start, rewire), and reset mode's downtime. Target: cold recovery under 2.5 s.
//   ./build/bench/vfo_bench --benchmark_filter=Recovery
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

void BM_Recovery(benchmark::State& state) {
  const std::string out = (std::filesystem::temp_directory_path() / "vfo-bench-recovery").string();
  nlohmann::json summary;
  for (auto _ : state) {
    const std::string command = std::string(VFO_BINARY) +
                                " demo --nodes 8 --duration 12 --kill-at 6 --period 1 --quiet --out " + out +
                                " > /dev/null";
    if (std::system(command.c_str()) != 0) {
      state.SkipWithError("vfo demo failed");
      return;
    }
    std::ifstream in(out + "/summary.json");
    summary = nlohmann::json::parse(in);
    state.SetIterationTime(summary["cold"]["downtime_s"].get<double>());
  }
  state.counters["cold_detection_s"] = summary["cold"]["detection_s"].get<double>();
  state.counters["cold_recovery_s"] = summary["cold"]["recovery_s"].get<double>();
  state.counters["cold_frames_lost"] = summary["cold"]["frames_lost"].get<double>();
  state.counters["reset_downtime_s"] = summary["reset"]["downtime_s"].get<double>();
}
BENCHMARK(BM_Recovery)->Name("Recovery")->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
