// `vfo experiment testbed`: the paper's Fig. 11b on a local edge cluster (issue 7). N emulated nodes (vfo-agent
// --node-cpus), a 4-VF chain at 15 fps, and random stress on the nodes: per node, episodes arrive as a Poisson
// process (mean gap --stress-every), each rising over a ramp to a CPU load and holding it. The same seeded
// schedule runs twice: without live migration (cold migration only) and with it (the forecaster and K). The
// sink is polled every 50 ms; frames delivered per second are binned by second. Writes DIR/testbed.csv (mode,
// time, fps), DIR/stress.csv (the schedule), DIR/nodes.csv (each round's CPU readings and p_fail),
// DIR/<mode>/migrations.csv, DIR/summary.json and
// DIR/figures/testbed.svg|png, and prints the mean and standard deviation of fps for both.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/cli.hpp"
#include "cli/local_cluster.hpp"
#include "cli/progress_bar.hpp"
#include "vfo/report/delivery_figure.hpp"
#include "vfo/report/gnuplot.hpp"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/random.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// The pedestrian-detection chain, with a "detect" that takes about 70 % of a 0.3-core node on this machine.
constexpr const char* kTestbedChain = R"(name: pedestrian-detection
fps: 15
functions:
  - {name: camera, kind: source, payload_bytes: 20000}
  - {name: detect, kind: compute, instructions: 10000000, state_mb: 16, dirty_mb_per_s: 1, ram_mb: 128}
  - {name: track, kind: compute, instructions: 2000000, state_mb: 4, dirty_mb_per_s: 0.2, ram_mb: 64}
  - {name: display, kind: sink}
)";
constexpr double kFps = 15;

struct TestbedOptions {
  int nodes = 8;
  double duration_s = 600;
  double period_s = 1;
  double k = 0.5;
  double horizon_s = 10;
  double node_cpus = 0.3;
  double stress_every_s = 120;
  std::uint64_t seed = 1;
  std::string out = "results/testbed";
  bool quiet = false;
};

struct StressEpisode {
  std::size_t node = 0;
  double start_s = 0;
  double cpu_pct = 0;
  double ramp_s = 0;
  double duration_s = 0;  // ramp included
};

// Per node: gaps ~ Exp(mean stress_every_s), CPU ~ U(70, 100) %, ramp ~ U(5, 15) s, hold ~ U(15, 40) s; a node's
// episodes never overlap. Seeded by the stream "testbed-stress" of `seed`.
std::vector<StressEpisode> stress_schedule(const TestbedOptions& o) {
  Rng rng(o.seed, "testbed-stress");
  std::vector<StressEpisode> episodes;
  for (int n = 0; n < o.nodes; ++n) {
    double t = rng.exponential(1.0 / o.stress_every_s);
    while (t < o.duration_s) {
      StressEpisode e{static_cast<std::size_t>(n), t, rng.uniform(70, 100), rng.uniform(5, 15), 0};
      e.duration_s = e.ramp_s + rng.uniform(15, 40);
      episodes.push_back(e);
      t += e.duration_s + rng.exponential(1.0 / o.stress_every_s);
    }
  }
  std::sort(episodes.begin(), episodes.end(),
            [](const StressEpisode& a, const StressEpisode& b) { return a.start_s < b.start_s; });
  return episodes;
}

struct ModeResult {
  std::string mode;
  std::vector<double> fps;  // frames delivered in second i (i = 0, 1, ...)
  std::vector<runtime::LiveMigrationRecord> live;
  int cold = 0;
  int stress_errors = 0;
  std::string nodes_csv;  // rows mode,time_s,node,cpu_pct,p_fail: what each round saw
};

Json stats(runtime::Orchestrator& o, std::uint32_t chain, std::uint32_t index) {
  return Json::parse(o.function_stats(chain, index).value_or("{}"), nullptr, false);
}

ModeResult run_mode(const TestbedOptions& t, bool live, const std::vector<StressEpisode>& schedule, const fs::path& dir,
                    ProgressBar& bar, double progress_from) {
  ModeResult r;
  r.mode = live ? "live" : "cold";
  LocalCluster cluster(dir, t.nodes, {"--node-cpus", fmt::format("{}", t.node_cpus), "--node-ram-mb", "1000"});
  runtime::OrchestratorOptions o = cluster.orchestrator_options();
  o.probe_deadline = std::chrono::milliseconds(static_cast<int>(std::min(1.0, t.period_s / 2) * 1000));
  o.live = {.enabled = live, .k = t.k, .horizon_s = t.horizon_s, .probe_period_s = t.period_s};
  std::vector<std::unique_ptr<runtime::AgentClient>> agents;
  for (const runtime::AgentAddress& a : o.agents) {
    agents.push_back(std::make_unique<runtime::AgentClient>(a.address, o.identity, std::chrono::seconds(5), a.name));
  }
  runtime::Orchestrator orchestrator(o);
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kTestbedChain, "testbed"), kTestbedChain);

  const auto start = Clock::now();
  const auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  double next_round = t.period_s;
  std::size_t next_episode = 0;
  std::uint64_t offset = 0, last_frames = 0, delivered = 0;
  r.fps.assign(static_cast<std::size_t>(std::ceil(t.duration_s)), 0.0);
  while (seconds() < t.duration_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const double now = seconds();
    const Json sink = stats(orchestrator, chain, 3);
    if (sink.is_object() && sink.contains("frames")) {
      const std::uint64_t frames = sink.value("frames", 0ull);
      if (frames < last_frames) offset += last_frames;  // a new sink instance
      last_frames = frames;
      const std::uint64_t total = offset + frames;
      const auto bin = std::min(r.fps.size() - 1, static_cast<std::size_t>(now));
      r.fps[bin] += static_cast<double>(total - std::min(total, delivered));
      delivered = std::max(delivered, total);
    }
    while (next_episode < schedule.size() && schedule[next_episode].start_s <= now) {
      const StressEpisode& e = schedule[next_episode++];
      r.stress_errors += !agents[e.node]->stress(e.cpu_pct, 0, e.ramp_s, e.duration_s);
    }
    if (now >= next_round) {
      next_round += t.period_s;
      r.cold += orchestrator.round().migrated;
      for (const auto& n : orchestrator.last_nodes()) {
        r.nodes_csv += fmt::format("{},{:.2f},{},{:.2f},{:.4f}\n", r.mode, now, n.node, n.cpu_pct, n.p_fail);
      }
    }
    bar.update(progress_from + 0.5 * std::min(1.0, now / t.duration_s));
  }
  r.live = orchestrator.live_migrations(/*wait=*/true);
  write_file_atomically(dir / "migrations.csv", runtime::live_migrations_csv(r.live));
  return r;
}

// Mean and sample standard deviation of fps, after the first `warmup` seconds.
std::pair<double, double> mean_and_sd(const std::vector<double>& fps, std::size_t warmup) {
  const std::size_t n = fps.size() > warmup ? fps.size() - warmup : 0;
  if (n < 2) return {0, 0};
  double sum = 0;
  for (std::size_t i = warmup; i < fps.size(); ++i) sum += fps[i];
  const double mean = sum / static_cast<double>(n);
  double squares = 0;
  for (std::size_t i = warmup; i < fps.size(); ++i) squares += (fps[i] - mean) * (fps[i] - mean);
  return {mean, std::sqrt(squares / static_cast<double>(n - 1))};
}

void run_testbed(const TestbedOptions& t) {
  if (t.nodes < 5 || t.nodes > 64) throw InputError(fmt::format("--nodes: {} (expected 5 to 64)", t.nodes));
  if (!(t.duration_s >= 10)) throw InputError("--duration: expected at least 10 s");
  if (!(t.period_s > 0)) throw InputError("--period: expected > 0");
  if (!(t.k >= 0 && t.k <= 1)) throw InputError(fmt::format("--k: {} (expected 0 <= K <= 1)", t.k));
  if (!(t.horizon_s > 0)) throw InputError("--horizon: expected > 0");
  if (!(t.node_cpus > 0)) throw InputError("--node-cpus: expected > 0");
  if (!(t.stress_every_s > 0)) throw InputError("--stress-every: expected > 0");
  const fs::path out(t.out);
  const std::vector<StressEpisode> schedule = stress_schedule(t);
  ProgressBar bar("testbed", !t.quiet);
  const ModeResult cold = run_mode(t, false, schedule, out / "cold", bar, 0.0);
  const ModeResult live = run_mode(t, true, schedule, out / "live", bar, 0.5);
  bar.done();

  constexpr std::size_t kWarmup = 5;  // the chain's start
  std::string csv = "mode,time_s,fps\n";
  std::vector<report::DeliverySeries> series;
  Json summary = {{"nodes", t.nodes},
                  {"duration_s", t.duration_s},
                  {"probing_period_s", t.period_s},
                  {"k", t.k},
                  {"horizon_s", t.horizon_s},
                  {"node_cpus", t.node_cpus},
                  {"seed", t.seed},
                  {"fps", kFps},
                  {"stress_episodes", schedule.size()},
                  {"warmup_s", kWarmup}};
  for (const ModeResult* r : {&cold, &live}) {
    report::DeliverySeries s{r->mode == "live" ? "with live migration" : "without live migration", {}};
    for (std::size_t i = 0; i < r->fps.size(); ++i) {
      csv += fmt::format("{},{},{}\n", r->mode, i, r->fps[i]);
      s.points.emplace_back(static_cast<double>(i) + 0.5, r->fps[i]);
    }
    series.push_back(std::move(s));
    const auto [mean, sd] = mean_and_sd(r->fps, kWarmup);
    int ok = 0;
    double downtime = 0;
    for (const auto& m : r->live) {
      if (!m.error.empty()) continue;
      ++ok;
      downtime += std::max(0.0, m.downtime_s());
    }
    summary[r->mode] = {{"fps_mean", mean},
                        {"fps_sd", sd},
                        {"live_migrations", ok},
                        {"live_migrations_failed", static_cast<int>(r->live.size()) - ok},
                        {"live_downtime_mean_s", ok > 0 ? downtime / ok : 0.0},
                        {"cold_migrations", r->cold},
                        {"stress_errors", r->stress_errors}};
  }
  const double mean_change =
      100.0 *
      (summary["live"]["fps_mean"].get<double>() / std::max(1e-9, summary["cold"]["fps_mean"].get<double>()) - 1);
  const double sd_change =
      100.0 * (summary["live"]["fps_sd"].get<double>() / std::max(1e-9, summary["cold"]["fps_sd"].get<double>()) - 1);
  summary["fps_mean_change_pct"] = mean_change;
  summary["fps_sd_change_pct"] = sd_change;
  std::string stress = "node,start_s,cpu_pct,ramp_s,duration_s\n";
  for (const StressEpisode& e : schedule) {
    stress +=
        fmt::format("node-{},{:.3f},{:.2f},{:.3f},{:.3f}\n", e.node + 1, e.start_s, e.cpu_pct, e.ramp_s, e.duration_s);
  }
  fs::create_directories(out);
  write_file_atomically(out / "testbed.csv", csv);
  write_file_atomically(out / "stress.csv", stress);
  write_file_atomically(out / "nodes.csv", "mode,time_s,node,cpu_pct,p_fail\n" + cold.nodes_csv + live.nodes_csv);
  write_file_atomically(out / "summary.json", summary.dump(2) + "\n");
  const report::FigureFiles fig =
      report::write_delivery_figure(series, {}, "Processed frames per second at the sink, under random node stress",
                                    out / "figures", "testbed", "fps at the sink");
  if (const auto gnuplot = report::find_gnuplot()) report::run_gnuplot(*gnuplot, fig.gp);

  fmt::print("mode   fps mean  fps sd  live migrations  downtime (mean)  cold migrations\n");
  for (const ModeResult* r : {&cold, &live}) {
    const Json& m = summary[r->mode];
    fmt::print("{:<5} {:>9.2f} {:>7.2f} {:>16} {:>15.3f}s {:>16}\n", r->mode, m["fps_mean"].get<double>(),
               m["fps_sd"].get<double>(), m["live_migrations"].get<int>(), m["live_downtime_mean_s"].get<double>(),
               m["cold_migrations"].get<int>());
  }
  fmt::print(
      "with live migration: mean fps {:+.1f}%, fps standard deviation {:+.1f}% (the paper's testbed: about +2%, "
      "-76.3%)\n",
      mean_change, sd_change);
  fmt::print("results: {}\n         {}\nfigures: {} (and .png)\n", (out / "summary.json").string(),
             (out / "testbed.csv").string(), fig.svg.string());
}

}  // namespace

void add_experiment_command(CLI::App& app) {
  CLI::App* experiment = app.add_subcommand("experiment", "Experiments on a local edge cluster");
  experiment->require_subcommand(1);
  auto t = std::make_shared<TestbedOptions>();
  CLI::App* testbed = experiment->add_subcommand(
      "testbed", "Fig. 11b: fps at the sink under random node stress, with and without live migration");
  testbed->add_option("--nodes", t->nodes, "emulated edge nodes")->capture_default_str();
  testbed->add_option("--duration", t->duration_s, "seconds per mode")->capture_default_str();
  testbed->add_option("--period", t->period_s, "probing period (s)")->capture_default_str();
  testbed->add_option("--k", t->k, "live-migrate when p_fail >= K")->capture_default_str();
  testbed->add_option("--horizon", t->horizon_s, "forecast horizon (s)")->capture_default_str();
  testbed->add_option("--node-cpus", t->node_cpus, "cores of each emulated node")->capture_default_str();
  testbed->add_option("--stress-every", t->stress_every_s, "mean gap between a node's stress episodes (s)")
      ->capture_default_str();
  testbed->add_option("--seed", t->seed, "seed of the stress schedule")->capture_default_str();
  testbed->add_option("--out", t->out, "output directory")->capture_default_str();
  testbed->add_flag("--quiet", t->quiet, "no progress bar");
  testbed->callback([t] { run_testbed(*t); });
}

}  // namespace vfo::cli
