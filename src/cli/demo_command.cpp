// `vfo demo [--nodes N] [--kills K] [--start-delay S] [--concurrent-starts] [--period S] [--settle S] [--seed N]
//           [--out DIR] [--quiet]`:
// the paper's Fig. 11a on a local edge cluster: the node of a middle VF killed K times, in cold-migration mode
// (only the lost VFs start anew) and in reset mode (the baseline: the whole chain starts anew).
//
// Per mode: N vfo-agent processes on loopback (each VF start waits --start-delay s: pulling and starting a
// container image), the orchestrator in this process probing every --period s (starting a chain placed whole one
// VF after another, or all at once with --concurrent-starts), a 4-VF chain at 15 fps. Each kill
// comes once the chain is whole and has delivered for --settle s, at a seeded random phase of the probing period
// (the same draws in both modes, so kill i of one mode pairs with kill i of the other); the node of the VF
// "detect" is killed (SIGKILL). Once the chain is whole and delivering again, the killed node's agent starts
// anew (empty) and a new orchestrator takes over the same store, so every kill finds N nodes.
//
// A kill's downtime is the longest time without a frame at the sink from the kill until the chain delivers
// again, from the arrival times the sink records. Writes DIR/kills.csv (one row per kill), DIR/repetitions.csv
// (repetition, mode, downtime_s: the kills as `vfo reproduce` pairs them), DIR/summary.json
// (per mode: downtime, detection and recovery action as mean, sd and 95 % interval; the difference cold - reset,
// paired and unpaired) and DIR/figures/demo.svg|png (mean downtime per mode with its interval), and prints a
// table. A chain not whole again within the heal timeout fails the command with one line naming the kill.
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/cli.hpp"
#include "cli/confidence.hpp"
#include "cli/local_cluster.hpp"
#include "cli/progress_bar.hpp"
#include "cli/sink_arrivals.hpp"
#include "vfo/report/figure_script.hpp"
#include "vfo/report/gnuplot.hpp"
#include "vfo/report/sample_summary.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/random.hpp"

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
constexpr std::uint32_t kKilledVf = 1;  // "detect"
constexpr std::uint32_t kSinkVf = 3;
constexpr auto kSinkPoll = std::chrono::milliseconds(250);
// The orchestrator's action deadline (AgentClient) is 10 s: a start must finish within it.
constexpr double kMaxStartDelayS = 5;

struct DemoOptions {
  int nodes = 8;
  int kills = 20;
  double start_delay_s = 2;
  double period_s = 1;
  double settle_s = 2;
  bool concurrent_starts = false;
  std::uint64_t seed = 1;
  std::string out = "results/demo";
  bool quiet = false;
};

// A chain that is not whole and delivering again within this long after a kill fails the command: detection
// (a period), every VF started anew one after another (reset), and room for a slow machine.
double heal_timeout_s(const DemoOptions& d) {
  return 30 + 2 * d.period_s + 8 * d.start_delay_s;
}

struct Kill {
  std::string node;        // the node killed
  double detection_s = 0;  // from the kill to the start of the probe round that found the node gone
  double action_s = 0;     // that round's duration: placement, VF starts, rewiring (or the whole chain's restart)
  double downtime_s = 0;   // the longest time without a frame at the sink, from the kill until it delivers again
  double heal_s = 0;       // from the kill until the chain was seen whole and delivering again
  int migrations = 0;      // cold migrations of the rounds up to the heal
  int resets = 0;          // chains restarted whole in those rounds
};

struct ModeResult {
  std::string mode;
  std::vector<Kill> kills;
  int missed_windows = 0;
};

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// The longest gap between consecutive arrivals in (from, until], counting from `from` (a kill) on, and the gap
// from the last such arrival to `until`.
double longest_gap_s(const std::vector<std::int64_t>& arrivals, std::int64_t from, std::int64_t until) {
  std::int64_t last = from, longest = 0;
  for (auto it = std::upper_bound(arrivals.begin(), arrivals.end(), from); it != arrivals.end() && *it <= until; ++it) {
    longest = std::max(longest, *it - last);
    last = *it;
  }
  return static_cast<double>(std::max(longest, until - last)) / 1e9;
}

// Drives one mode's cluster: probing rounds on a fixed schedule and the sink's arrival times.
class DemoRun {
 public:
  DemoRun(const DemoOptions& d, Recovery recovery, const fs::path& dir)
      : d_(d),
        recovery_(recovery),
        cluster_(dir, d.nodes, {"--start-delay", fmt::format("{}", d.start_delay_s)}),
        start_(Clock::now()),
        next_round_(start_) {
    orchestrator_ = make_orchestrator();
    chain_ = orchestrator_->deploy(parse_chain_manifest(kDemoChain, "demo"), kDemoChain);
  }

  // One kill after the chain settled `phase_s` into a probing period; throws CommandFailed when the chain is not
  // whole and delivering again in time.
  Kill kill_once(int number, double phase_s) {
    const std::string label = fmt::format("kill {} ({} mode)", number, mode());
    wait_whole(label + ", before it", Clock::now());
    run_for(d_.settle_s);
    // Kill `phase_s` after a round's scheduled start: the next such moment.
    auto at = next_round_ - duration(d_.period_s) + duration(phase_s);
    while (at < Clock::now()) at += duration(d_.period_s);
    while (Clock::now() < at) step();

    Kill k;
    k.node = orchestrator_->status().at(0).functions.at(kKilledVf).node;
    const std::size_t killed = LocalCluster::index_of(k.node);
    const std::int64_t kill_ns = steady_ns();
    cluster_.agent(killed).kill(SIGKILL);
    detecting_ = true;
    round_totals_ = {};
    const auto kill_time = Clock::now();
    const std::int64_t healed_ns = wait_whole(label, kill_time);
    k.heal_s = static_cast<double>(healed_ns - kill_ns) / 1e9;
    k.detection_s = std::chrono::duration<double>(detected_at_ - kill_time).count();
    k.action_s = detection_round_s_;
    k.migrations = round_totals_.migrated;
    k.resets = round_totals_.reset_chains;
    k.downtime_s = longest_gap_s(arrivals_.times_ns(), kill_ns, healed_ns);
    // The killed node comes back empty; a new orchestrator on the same store knows its new address.
    orchestrator_.reset();
    cluster_.restart(killed);
    orchestrator_ = make_orchestrator();
    return k;
  }

  int missed_windows() const { return arrivals_.missed_windows(); }

 private:
  std::string mode() const { return recovery_name(recovery_); }

  std::unique_ptr<runtime::Orchestrator> make_orchestrator() const {
    OrchestratorOptions o = cluster_.orchestrator_options();
    o.probe_deadline = runtime::probe_deadline_for(d_.period_s);
    o.control.recovery = recovery_;
    o.concurrent_starts = d_.concurrent_starts;
    return std::make_unique<runtime::Orchestrator>(o);
  }

  static Clock::duration duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  // Runs rounds when due and reads the sink, for `seconds`.
  void run_for(double seconds) {
    const auto until = Clock::now() + duration(seconds);
    while (Clock::now() < until) step();
  }

  void step() {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto now = Clock::now();
    if (now >= last_poll_ + kSinkPoll) {
      last_poll_ = now;
      poll_sink();
    }
    if (now < next_round_) return;
    while (next_round_ <= now) next_round_ += duration(d_.period_s);
    const auto round_start = Clock::now();
    const runtime::RoundReport report = orchestrator_->round();
    round_totals_.migrated += report.migrated;
    round_totals_.reset_chains += report.reset_chains;
    if (detecting_ && !report.failed_nodes.empty()) {
      detecting_ = false;
      detected_at_ = round_start;
      detection_round_s_ = std::chrono::duration<double>(Clock::now() - round_start).count();
    }
    if (report.migrated > 0 || report.reset_chains > 0) last_action_end_ns_ = steady_ns();
  }

  void poll_sink() {
    const auto stats = orchestrator_->function_stats(chain_, kSinkVf);
    if (stats) arrivals_.add(Json::parse(*stats, nullptr, false));
  }

  // Runs until every VF runs, no round is still to find the kill (when one is pending), and the sink has had a
  // frame after the last recovery action within the last half second; that moment (steady ns). Throws
  // CommandFailed after heal_timeout_s from `since`.
  std::int64_t wait_whole(const std::string& label, Clock::time_point since) {
    const auto deadline = since + duration(heal_timeout_s(d_));
    auto last_status = Clock::time_point{};
    for (;;) {
      step();
      const auto now = Clock::now();
      if (now > deadline) {
        throw CommandFailed(
            fmt::format("demo: {}: the chain was not whole and delivering again within {:.0f} s (see "
                        "the agents' logs in {})",
                        label, heal_timeout_s(d_), (fs::path(d_.out) / mode() / "logs").string()));
      }
      if (detecting_ || now < last_status + std::chrono::milliseconds(200)) continue;
      last_status = now;
      poll_sink();
      const auto& times = arrivals_.times_ns();
      const std::int64_t now_ns = steady_ns();
      if (times.empty() || times.back() <= last_action_end_ns_ || times.back() < now_ns - 500'000'000) continue;
      const auto status = orchestrator_->status();
      if (status.empty()) continue;
      const auto& functions = status.front().functions;
      if (std::all_of(functions.begin(), functions.end(), [](const runtime::VfStatus& f) { return f.running; }))
        return times.back();
    }
  }

  const DemoOptions& d_;
  Recovery recovery_;
  LocalCluster cluster_;
  std::unique_ptr<runtime::Orchestrator> orchestrator_;
  std::uint32_t chain_ = 0;
  Clock::time_point start_;
  Clock::time_point next_round_;
  Clock::time_point last_poll_{};
  SinkArrivals arrivals_;
  bool detecting_ = false;
  Clock::time_point detected_at_{};
  double detection_round_s_ = 0;
  std::int64_t last_action_end_ns_ = 0;
  runtime::RoundReport round_totals_;
};

ModeResult run_mode(const DemoOptions& d, Recovery recovery, const std::vector<double>& phases, ProgressBar& bar,
                    double progress_from) {
  ModeResult r;
  r.mode = recovery_name(recovery);
  DemoRun run(d, recovery, fs::path(d.out) / r.mode);
  for (int i = 0; i < d.kills; ++i) {
    r.kills.push_back(run.kill_once(i + 1, phases[static_cast<std::size_t>(i)]));
    bar.update(progress_from + 0.5 * (i + 1) / d.kills);
  }
  r.missed_windows = run.missed_windows();
  return r;
}

std::vector<double> downtimes(const ModeResult& r) {
  std::vector<double> v;
  for (const Kill& k : r.kills) v.push_back(k.downtime_s);
  return v;
}

Json mode_summary(const ModeResult& r) {
  std::vector<double> detection, action, heal;
  int migrations = 0, resets = 0;
  for (const Kill& k : r.kills) {
    detection.push_back(k.detection_s);
    action.push_back(k.action_s);
    heal.push_back(k.heal_s);
    migrations += k.migrations;
    resets += k.resets;
  }
  const MeanInterval downtime = mean_interval(downtimes(r));
  return {{"downtime_s", downtime.mean},
          {"downtime", to_json(downtime)},
          {"detection", to_json(mean_interval(detection))},
          {"action", to_json(mean_interval(action))},
          {"heal", to_json(mean_interval(heal))},
          {"migrations", migrations},
          {"resets", resets},
          {"sink_windows_missed", r.missed_windows}};
}

// cold - reset: paired by kill (the same seeded phase) and unpaired (Welch).
Json difference_summary(const ModeResult& cold, const ModeResult& reset) {
  const std::vector<double> a = downtimes(cold), b = downtimes(reset);
  std::vector<double> paired;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) paired.push_back(a[i] - b[i]);
  const MeanInterval p = mean_interval(paired);
  const MeanInterval ma = mean_interval(a), mb = mean_interval(b);
  Json unpaired = {{"mean", ma.mean - mb.mean}, {"ci95_low", nullptr}, {"ci95_high", nullptr}, {"df", nullptr}};
  if (ma.n >= 2 && mb.n >= 2) {
    const double va = ma.sd * ma.sd / static_cast<double>(ma.n), vb = mb.sd * mb.sd / static_cast<double>(mb.n);
    const double se = std::sqrt(va + vb);
    if (se > 0) {
      const double df =
          (va + vb) * (va + vb) / (va * va / static_cast<double>(ma.n - 1) + vb * vb / static_cast<double>(mb.n - 1));
      const double half = report::student_t_quantile(0.975, df) * se;  // Welch: df need not be whole
      unpaired["ci95_low"] = ma.mean - mb.mean - half;
      unpaired["ci95_high"] = ma.mean - mb.mean + half;
      unpaired["df"] = df;
    }
  }
  return {{"paired", to_json(p)}, {"unpaired", unpaired}};
}

// j[key] when it is a number, else `fallback` (an interval of fewer than 2 values is null).
double number_or(const Json& j, const char* key, double fallback) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

// DIR/figures/demo.dat and demo.gp: the mean downtime per mode with its 95 % interval, and every kill's
// downtime as a point beside its mode's bar.
report::FigureFiles write_figure(const Json& summary, const std::vector<const ModeResult*>& modes,
                                 const fs::path& dir) {
  fs::create_directories(dir);
  std::string dat = "# mode mean ci95_low ci95_high\n";
  std::string kills = "\n\n# x downtime_s (one row per kill)\n";
  double top = 0;
  for (std::size_t i = 0; i < modes.size(); ++i) {
    const ModeResult& r = *modes[i];
    const Json& m = summary.at(r.mode).at("downtime");
    const double mean = m.at("mean").get<double>();
    const double high = number_or(m, "ci95_high", mean);
    dat += fmt::format("\"{}\" {:.4f} {:.4f} {:.4f}\n", r.mode == "cold" ? "cold migration" : "reset mode", mean,
                       number_or(m, "ci95_low", mean), high);
    top = std::max(top, high);
    for (std::size_t k = 0; k < r.kills.size(); ++k) {
      const double spread = r.kills.size() > 1 ? static_cast<double>(k) / static_cast<double>(r.kills.size() - 1) : 0.5;
      kills += fmt::format("{:.4f} {:.4f}\n", static_cast<double>(i) + 0.3 + 0.1 * spread, r.kills[k].downtime_s);
      top = std::max(top, r.kills[k].downtime_s);
    }
  }
  const std::string title = fmt::format("Downtime after a node kill ({} kills per mode, {:.1f} s start delay)",
                                        summary.at("kills").get<int>(), summary.at("start_delay_s").get<double>());
  const std::string body =
      "set title " + report::gp_string(title) +
      fmt::format("\nset ylabel 'downtime (s): mean, 95 % interval, each kill'\nset yrange [0:{:.3f}]\n", 1.1 * top) +
      "set xrange [-0.6:1.6]\nset style fill solid 0.5 border -1\nset boxwidth 0.5\nset grid ytics\n"
      "set key top left\n"
      "plot 'demo.dat' index 0 using 0:2:xtic(1) with boxes notitle, \\\n"
      "     '' index 0 using 0:2:3:4 with yerrorbars lc rgb 'black' pt 7 notitle, \\\n"
      "     '' index 1 using 1:2 with points lc rgb '#555555' pt 6 ps 0.6 title 'one kill'\n";
  report::FigureFiles f{dir / "demo.dat", dir / "demo.gp", dir / "demo.svg", dir / "demo.png"};
  write_file_atomically(f.dat, dat + kills);
  write_file_atomically(f.gp,
                        report::svg_and_png_script("demo", "Fig. 11a: downtime per recovery mode", 640, 480, body));
  return f;
}

void run_demo(const DemoOptions& d) {
  if (d.nodes < 5 || d.nodes > 64)
    throw InputError("--nodes: " + std::to_string(d.nodes) + " (expected 5 to 64: 4 VFs and a spare)");
  if (d.kills < 1) throw InputError(fmt::format("--kills: {} (expected at least 1)", d.kills));
  if (!(d.start_delay_s >= 0 && d.start_delay_s <= kMaxStartDelayS)) {
    throw InputError(fmt::format("--start-delay: {} (expected 0 to {} s)", d.start_delay_s, kMaxStartDelayS));
  }
  if (!(d.period_s > 0)) throw InputError("--period: expected > 0");
  if (!(d.settle_s >= 0)) throw InputError("--settle: expected >= 0");
  const fs::path out(d.out);
  // Kill i waits a phase ~ U(0, period) into the probing period: a failure at a random moment.
  Rng rng(d.seed, "demo-kills");
  std::vector<double> phases;
  for (int i = 0; i < d.kills; ++i) phases.push_back(rng.uniform(0, d.period_s));
  ProgressBar bar("demo", !d.quiet);
  const ModeResult cold = run_mode(d, Recovery::cold, phases, bar, 0.0);
  const ModeResult reset = run_mode(d, Recovery::reset, phases, bar, 0.5);
  bar.done();

  std::string csv = "mode,kill,node,phase_s,detection_s,action_s,downtime_s,heal_s,migrations,resets\n";
  std::string repetitions = "repetition,mode,downtime_s\n";  // kill i of both modes is one paired repetition
  for (const ModeResult* r : {&cold, &reset}) {
    for (std::size_t i = 0; i < r->kills.size(); ++i) {
      const Kill& k = r->kills[i];
      csv += fmt::format("{},{},{},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{},{}\n", r->mode, i + 1, k.node, phases[i],
                         k.detection_s, k.action_s, k.downtime_s, k.heal_s, k.migrations, k.resets);
      repetitions += fmt::format("{},{},{:.6f}\n", i + 1, r->mode, k.downtime_s);
    }
  }
  Json summary = {{"nodes", d.nodes},
                  {"kills", d.kills},
                  {"start_delay_s", d.start_delay_s},
                  {"probing_period_s", d.period_s},
                  {"settle_s", d.settle_s},
                  {"concurrent_starts", d.concurrent_starts},
                  {"seed", d.seed},
                  {"fps", 15},
                  {"cold", mode_summary(cold)},
                  {"reset", mode_summary(reset)}};
  const double cold_mean = summary["cold"]["downtime_s"].get<double>();
  const double reset_mean = summary["reset"]["downtime_s"].get<double>();
  const double change = reset_mean > 0 ? 100.0 * (cold_mean / reset_mean - 1) : 0.0;
  summary["downtime_change_pct"] = change;
  summary["downtime_difference_s"] = difference_summary(cold, reset);
  fs::create_directories(out);
  write_file_atomically(out / "kills.csv", csv);
  write_file_atomically(out / "repetitions.csv", repetitions);
  write_file_atomically(out / "summary.json", summary.dump(2) + "\n");
  const report::FigureFiles fig = write_figure(summary, {&cold, &reset}, out / "figures");
  if (const auto gnuplot = report::find_gnuplot()) report::run_gnuplot(*gnuplot, fig.gp);

  fmt::print("mode    kills  downtime (mean, 95% CI)      detection  action  migrations  resets\n");
  for (const char* mode : {"cold", "reset"}) {
    const Json& m = summary[mode];
    fmt::print("{:<6} {:>6}  {:>6.2f}s [{:>6.2f}, {:>6.2f}]  {:>8.2f}s {:>6.2f}s {:>11} {:>7}\n", mode, d.kills,
               m["downtime"]["mean"].get<double>(), number_or(m["downtime"], "ci95_low", 0.0),
               number_or(m["downtime"], "ci95_high", 0.0), m["detection"]["mean"].get<double>(),
               m["action"]["mean"].get<double>(), m["migrations"].get<int>(), m["resets"].get<int>());
  }
  const Json& paired = summary["downtime_difference_s"]["paired"];
  fmt::print(
      "cold migration against reset mode: downtime {:+.1f}% (the paper's testbed: -40.27%); cold - reset = {:+.2f} s",
      change, paired["mean"].get<double>());
  if (!paired["ci95_low"].is_null()) {
    fmt::print(" [{:+.2f}, {:+.2f}] (paired, 95% CI)", paired["ci95_low"].get<double>(),
               paired["ci95_high"].get<double>());
  }
  fmt::print("\nresults: {}\n         {}\nfigures: {} (and .png)\n", (out / "summary.json").string(),
             (out / "kills.csv").string(), fig.svg.string());
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto d = std::make_shared<DemoOptions>();
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Fig. 11a on a local edge cluster: kill the node of a middle VF again and again, cold migration vs reset");
  demo->add_option("--nodes", d->nodes, "edge agents on loopback")->capture_default_str();
  demo->add_option("--kills", d->kills, "node kills per recovery mode")->capture_default_str();
  demo->add_option("--start-delay", d->start_delay_s,
                   "seconds added to every VF start (pulling and starting a container image)")
      ->capture_default_str();
  demo->add_option("--period", d->period_s, "probing period (s)")->capture_default_str();
  demo->add_option("--settle", d->settle_s, "seconds the chain delivers whole before each kill")->capture_default_str();
  demo->add_flag("--concurrent-starts", d->concurrent_starts,
                 "start the VFs of a chain placed whole (deploy, reset) all at once, not one after another");
  demo->add_option("--seed", d->seed, "seed of the kills' phases in the probing period")
      ->capture_default_str()
      ->check(non_negative_number());
  demo->add_option("--out", d->out, "output directory")->capture_default_str();
  demo->add_flag("--quiet", d->quiet, "no progress bar");
  demo->callback([d] { run_demo(*d); });
}

}  // namespace vfo::cli
