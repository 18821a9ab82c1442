// Scenario benchmarks: whole `vfo` runs, each in its own process (SimGrid allows one engine per
// process). Reported per run: wall time (manual time), peak resident memory of the child, and
// simulation events per second. Not a test: run with `make bench` or ./build/bench/vfo_bench.
//
//   Sim/nodes:500/generic:0     60 simulated minutes, normal demand, 500 nodes    (target < 1 s)
//   Sim/nodes:5000/generic:0    the same with 5,000 nodes                          (target < 10 s)
//   Sim/nodes:N/generic:1       the same in the generic environment (background jobs on every node, the
//                               forecaster fitted before the run and assessing every node each round, K = 0.1)
//   Fig6Grid    the whole Fig. 6 sweep on all cores                (target < 10 min; --benchmark_filter=Fig6)
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

struct ChildRun {
  double wall_s = 0;
  double peak_rss_mb = 0;
};

ChildRun run_child(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  ChildRun run;
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) run.wall_s = -1;
  return run;
}

void BM_Sim(benchmark::State& state) {
  const auto nodes = state.range(0);
  const bool generic = state.range(1) != 0;
  const std::string out = (std::filesystem::temp_directory_path() / ("vfo-bench-" + std::to_string(nodes))).string();
  std::vector<std::string> args = {VFO_BINARY, "sim",   VFO_SOURCE_DIR "/scenarios/quickstart.yaml", "--quiet", "--out",
                                   out,        "--set", "environment.nodes=" + std::to_string(nodes)};
  if (generic) {
    for (const char* set : {"environment.kind=generic", "control.predictor.kind=forecast", "control.k=0.1"}) {
      args.insert(args.end(), {"--set", set});
    }
  }
  double events = 0, sim_wall = 0, rss = 0;
  for (auto _ : state) {
    const ChildRun run = run_child(args);
    if (run.wall_s < 0) {
      state.SkipWithError("vfo sim failed");
      return;
    }
    std::ifstream in(out + "/summary.json");
    const auto summary = nlohmann::json::parse(in);
    events = summary["events"].get<double>();
    sim_wall = summary["wall_time_s"].get<double>();
    rss = run.peak_rss_mb;
    state.SetIterationTime(run.wall_s);
  }
  state.counters["sim_wall_s"] = sim_wall;
  state.counters["events"] = events;
  state.counters["events_per_s"] = sim_wall > 0 ? events / sim_wall : 0;
  state.counters["peak_rss_mb"] = rss;
}
BENCHMARK(BM_Sim)
    ->Name("Sim")
    ->ArgNames({"nodes", "generic"})
    ->Args({500, 0})
    ->Args({5000, 0})
    ->Args({500, 1})
    ->Args({5000, 1})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_Fig6Grid(benchmark::State& state) {
  const std::string out = (std::filesystem::temp_directory_path() / "vfo-bench-fig6").string();
  for (auto _ : state) {
    const ChildRun run =
        run_child({VFO_BINARY, "sweep", VFO_SOURCE_DIR "/scenarios/paper/dedicated.yaml", "--out", out});
    if (run.wall_s < 0) {
      state.SkipWithError("vfo sweep failed");
      return;
    }
    state.SetIterationTime(run.wall_s);
  }
}
BENCHMARK(BM_Fig6Grid)->Name("Fig6Grid")->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
