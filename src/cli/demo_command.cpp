// `vfo demo [--nodes N] [--duration S] [--kill-at S] [--period S] [--out DIR] [--quiet]`: the scripted minute
// of issue 6 on a local edge cluster, once with cold migration and once with reset mode (the baseline).
// Each run: N vfo-agent processes on loopback, the orchestrator in this process (probing every --period s),
// a 4-VF chain at 15 fps; at --kill-at the agent of a middle VF is killed (SIGKILL). The sink is polled
// every 50 ms; probing rounds run at (k + 1/2) x --period. Writes DIR/demo.csv (mode, time, frames delivered so far),
// DIR/summary.json and DIR/figures/demo.svg|png, and prints a table.
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/cli.hpp"
#include "cli/local_cluster.hpp"
#include "cli/progress_bar.hpp"
#include "vfo/report/delivery_figure.hpp"
#include "vfo/report/gnuplot.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/util/file_io.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using runtime::OrchestratorOptions;

constexpr const char* kDemoChain = R"(name: pedestrian-detection
fps: 15
functions:
  - {name: camera, kind: source, payload_bytes: 50000}
  - {name: detect, kind: compute, instructions: 2000000, state_mb: 16, dirty_mb_per_s: 1, ram_mb: 128}
  - {name: track, kind: compute, instructions: 500000, state_mb: 4, dirty_mb_per_s: 0.2, ram_mb: 64}
  - {name: display, kind: sink}
)";

struct DemoOptions {
  int nodes = 8;
  double duration_s = 60;
  double kill_at_s = 20;
  double period_s = 1;
  std::string out = "results/demo";
  bool quiet = false;
};

struct ModeResult {
  std::string mode;
  std::vector<std::pair<double, std::uint64_t>> delivered;  // (time, frames delivered so far)
  double downtime_s = 0;                                    // longest time without a delivered frame, from the kill on
  double detection_s = 0;  // from the kill to the end of the probe round that saw the node gone
  double recovery_s = 0;   // that round's actions: placement, start, rewire
  std::uint64_t frames_lost = 0;
  std::uint64_t frames_delivered = 0;
  int migrations = 0;
  int resets = 0;
};

Json stats(runtime::Orchestrator& o, std::uint32_t chain, std::uint32_t index) {
  try {
    return Json::parse(o.function_stats(chain, index).value_or("{}"));
  } catch (const Json::parse_error&) {
    return Json::object();
  }
}

ModeResult run_mode(const DemoOptions& d, OrchestratorOptions::Recovery recovery, const fs::path& dir, ProgressBar& bar,
                    double progress_from) {
  ModeResult r;
  r.mode = recovery == OrchestratorOptions::Recovery::cold ? "cold" : "reset";
  LocalCluster cluster(dir, d.nodes);
  OrchestratorOptions o = cluster.orchestrator_options();
  o.probe_deadline = std::chrono::milliseconds(static_cast<int>(std::min(1.0, d.period_s / 2) * 1000));
  o.recovery = recovery;
  runtime::Orchestrator orchestrator(o);
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kDemoChain, "demo"), kDemoChain);

  const auto start = Clock::now();
  const auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  // Rounds at (k + 1/2) periods: a kill at a whole second lands mid-period, the mean wait of a failure at a
  // random time.
  double next_round = d.period_s / 2;
  bool killed = false;
  bool detected = false;
  std::uint64_t offset = 0, last_frames = 0;         // the sink's count, across sink instances (reset mode)
  std::uint64_t old_produced = 0, old_sink_seq = 0;  // the first chain's last counts (reset mode's losses)
  while (seconds() < d.duration_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const double t = seconds();
    const Json sink = stats(orchestrator, chain, 3);
    if (!sink.empty()) {
      const std::uint64_t frames = sink.value("frames", 0ull);
      if (frames < last_frames) offset += last_frames;  // a new sink (reset)
      last_frames = frames;
      r.delivered.emplace_back(t, offset + frames);
      if (!killed) old_sink_seq = sink.value("last_seq", 0ull);
    }
    if (!killed) old_produced = stats(orchestrator, chain, 0).value("produced", old_produced);
    if (!killed && t >= d.kill_at_s) {
      const std::string node = orchestrator.status()[0].functions[1].node;  // the VF "detect"
      cluster.agent(LocalCluster::index_of(node)).kill(SIGKILL);
      killed = true;
    }
    if (t >= next_round) {
      next_round += d.period_s;
      const auto round_start = Clock::now();
      const runtime::RoundReport report = orchestrator.round();
      const double round_s = std::chrono::duration<double>(Clock::now() - round_start).count();
      r.migrations += report.migrated;
      r.resets += report.reset_chains;
      if (killed && !detected && !report.failed_nodes.empty()) {
        detected = true;
        r.detection_s = seconds() - d.kill_at_s - round_s;
        r.recovery_s = round_s;
      }
    }
    bar.update(progress_from + 0.5 * std::min(1.0, t / d.duration_s));
  }
  // Downtime: the longest stretch without a new frame at the sink, from the kill on.
  double last_progress = d.kill_at_s;
  std::uint64_t seen = 0;
  for (const auto& [t, n] : r.delivered) {
    if (t < d.kill_at_s) {
      seen = n;
      continue;
    }
    if (n > seen) {
      r.downtime_s = std::max(r.downtime_s, t - last_progress);
      last_progress = t;
      seen = n;
    }
  }
  r.downtime_s = std::max(r.downtime_s, seconds() - last_progress);
  r.frames_delivered = r.delivered.empty() ? 0 : r.delivered.back().second;
  const Json sink = stats(orchestrator, chain, 3);
  if (recovery == OrchestratorOptions::Recovery::cold) {
    r.frames_lost = sink.value("last_seq", 0ull) - sink.value("frames", 0ull);  // seqs the sink never got
  } else {
    // The first chain's frames that never reached its sink, and the frames the camera made while no source
    // ran (the new source starts from 1 again).
    r.frames_lost =
        old_produced - std::min(old_produced, old_sink_seq) + static_cast<std::uint64_t>(r.downtime_s * 15.0);
  }
  return r;
}

void run_demo(const DemoOptions& d) {
  if (d.nodes < 5)
    throw InputError("--nodes: " + std::to_string(d.nodes) + " (expected at least 5: 4 VFs and a spare)");
  if (!(d.kill_at_s > 0 && d.kill_at_s < d.duration_s)) {
    throw InputError("--kill-at: expected 0 < kill-at < duration");
  }
  if (!(d.period_s > 0)) throw InputError("--period: expected > 0");
  const fs::path out(d.out);
  ProgressBar bar("demo", !d.quiet);
  const ModeResult cold = run_mode(d, OrchestratorOptions::Recovery::cold, out / "cold", bar, 0.0);
  const ModeResult reset = run_mode(d, OrchestratorOptions::Recovery::reset, out / "reset", bar, 0.5);
  bar.done();

  std::string csv = "mode,time_s,frames_delivered\n";
  std::vector<report::DeliverySeries> series;
  Json summary = {{"nodes", d.nodes},
                  {"duration_s", d.duration_s},
                  {"kill_at_s", d.kill_at_s},
                  {"probing_period_s", d.period_s},
                  {"fps", 15}};
  for (const ModeResult* r : {&cold, &reset}) {
    report::DeliverySeries s{r->mode == "cold" ? "cold migration" : "reset mode", {}};
    std::size_t back = 0;
    for (std::size_t i = 0; i < r->delivered.size(); ++i) {
      const auto& [t, n] = r->delivered[i];
      csv += fmt::format("{},{:.3f},{}\n", r->mode, t, n);
      while (r->delivered[back].first < t - 1.0) ++back;  // frames per second over the last second
      if (t >= 1.0)
        s.points.emplace_back(t, static_cast<double>(n - r->delivered[back].second) / (t - r->delivered[back].first));
    }
    series.push_back(std::move(s));
    summary[r->mode] = {{"downtime_s", r->downtime_s},
                        {"detection_s", r->detection_s},
                        {"recovery_s", r->recovery_s},
                        {"frames_lost", r->frames_lost},
                        {"frames_delivered", r->frames_delivered},
                        {"migrations", r->migrations},
                        {"resets", r->resets}};
  }
  const double change = reset.downtime_s > 0 ? 100.0 * (cold.downtime_s / reset.downtime_s - 1) : 0.0;
  summary["downtime_change_pct"] = change;
  fs::create_directories(out);
  write_file_atomically(out / "demo.csv", csv);
  write_file_atomically(out / "summary.json", summary.dump(2) + "\n");
  const report::FigureFiles fig =
      report::write_delivery_figure(series, {{d.kill_at_s, "node killed"}},
                                    "Frames delivered: cold migration and reset mode", out / "figures", "demo");
  if (const auto gnuplot = report::find_gnuplot()) report::run_gnuplot(*gnuplot, fig.gp);

  fmt::print("mode    downtime  detection  recovery  frames lost  delivered  migrations  resets\n");
  for (const ModeResult* r : {&cold, &reset}) {
    fmt::print("{:<6} {:>8.2f}s {:>9.2f}s {:>8.2f}s {:>12} {:>10} {:>11} {:>7}\n", r->mode, r->downtime_s,
               r->detection_s, r->recovery_s, r->frames_lost, r->frames_delivered, r->migrations, r->resets);
  }
  fmt::print("cold migration against reset mode: downtime {:+.1f}% (the paper's testbed: -40.27%)\n", change);
  fmt::print("results: {}\n         {}\nfigures: {} (and .png)\n", (out / "summary.json").string(),
             (out / "demo.csv").string(), fig.svg.string());
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto d = std::make_shared<DemoOptions>();
  CLI::App* demo = app.add_subcommand(
      "demo", "A scripted minute on a local edge cluster: kill the node of a middle VF, cold migration vs reset");
  demo->add_option("--nodes", d->nodes, "edge agents on loopback")->capture_default_str();
  demo->add_option("--duration", d->duration_s, "seconds per mode")->capture_default_str();
  demo->add_option("--kill-at", d->kill_at_s, "when the node of the middle VF is killed (s)")->capture_default_str();
  demo->add_option("--period", d->period_s, "probing period (s)")->capture_default_str();
  demo->add_option("--out", d->out, "output directory")->capture_default_str();
  demo->add_flag("--quiet", d->quiet, "no progress bar");
  demo->callback([d] { run_demo(*d); });
}

}  // namespace vfo::cli
