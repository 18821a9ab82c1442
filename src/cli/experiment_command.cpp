// `vfo experiment testbed`: the paper's Fig. 11b on a local edge cluster. N emulated nodes (vfo-agent
// --node-cpus), a 4-VF chain at 15 fps, and random CPU stress: episodes arrive as a Poisson process (mean gap
// --stress-every), each rising over a ramp to a CPU load and holding it. An episode falls on a node that hosts
// the chain at its start with probability --chain-share, else on one that does not (a node not under stress
// then, when the class has one). Per seed, the same seeded episodes (times, loads, classes and picks) run twice:
// without live migration (cold migration only) and with it (the forecaster and K); only the node a pick lands on
// follows where the chain runs. Frames per second are counted from the arrival times the sink records
// (sink_arrivals.hpp), per second of the run. Writes DIR/testbed.csv (mode, seed, time, fps), DIR/stress.csv
// (the episodes as they fell), DIR/nodes.csv (each round's CPU readings and p_fail),
// DIR/seed-<S>/<mode>/migrations.csv, DIR/repetitions.csv (repetition = seed, mode, fps_mean, fps_sd: the seeds as
// `vfo reproduce` pairs them), DIR/summary.json (per seed and pooled mean and sd of fps, with 95 %
// intervals over seeds, and the paired change with - without live migration) and DIR/figures/testbed.svg|png
// (the first seed), and prints the means.
#include <fmt/format.h>

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
#include "cli/testbed_stress.hpp"
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
constexpr std::uint32_t kSinkVf = 3;
constexpr std::size_t kWarmup = 5;  // seconds of the chain's start, left out of the means

struct TestbedOptions {
  int nodes = 8;
  double duration_s = 600;
  double period_s = 1;
  double k = 0.5;
  double horizon_s = 10;
  double node_cpus = 0.3;
  double stress_every_s = 30;
  double chain_share = 0.75;
  std::uint64_t seed = 1;
  int seeds = 1;
  std::string out = "results/testbed";
  bool quiet = false;
};

// A stress episode as drawn; its node is chosen when it starts (stress_target).
struct StressEpisode {
  double start_s = 0;
  double cpu_pct = 0;
  double ramp_s = 0;
  double duration_s = 0;  // ramp included
  bool on_chain = false;  // a node that hosts the chain (else one that does not)
  double pick = 0;        // U(0, 1): which node of that class
};

// Gaps ~ Exp(mean stress_every_s), CPU ~ U(70, 100) %, ramp ~ U(5, 15) s, hold ~ U(15, 40) s, on the chain with
// probability chain_share. Seeded by the stream "testbed-stress" of `seed`.
std::vector<StressEpisode> stress_schedule(const TestbedOptions& o, std::uint64_t seed) {
  Rng rng(seed, "testbed-stress");
  std::vector<StressEpisode> episodes;
  double t = rng.exponential(1.0 / o.stress_every_s);
  while (t < o.duration_s) {
    StressEpisode e{t, rng.uniform(70, 100), rng.uniform(5, 15), 0, false, 0};
    e.duration_s = e.ramp_s + rng.uniform(15, 40);
    e.on_chain = rng.bernoulli(o.chain_share);
    e.pick = rng.uniform();
    episodes.push_back(e);
    t += rng.exponential(1.0 / o.stress_every_s);
  }
  return episodes;
}

struct ModeResult {
  std::string mode;
  std::uint64_t seed = 0;
  std::vector<double> fps;  // frames delivered in second i (i = 0, 1, ...)
  std::vector<runtime::LiveMigrationRecord> live;
  int cold = 0;
  int stress_errors = 0;
  int episodes = 0;           // stress episodes started
  int episodes_on_chain = 0;  // those that fell on a node of the chain
  int missed_windows = 0;
  std::vector<std::pair<double, double>> chain_stress_s;  // (from, to) of each episode on a node of the chain
  std::vector<double> migrations_s;                       // when each migration (live or cold) was decided
  std::string nodes_csv;   // rows mode,seed,time_s,node,cpu_pct,p_fail: what each round saw
  std::string stress_csv;  // rows mode,seed,start_s,cpu_pct,ramp_s,duration_s,on_chain,node,hosts_chain
};

Json stats(runtime::Orchestrator& o, std::uint32_t chain, std::uint32_t index) {
  return Json::parse(o.function_stats(chain, index).value_or("{}"), nullptr, false);
}

// Which nodes host a VF of the chain now (by index of node-K).
std::vector<bool> chain_nodes(runtime::Orchestrator& o, int nodes) {
  std::vector<bool> hosts(static_cast<std::size_t>(nodes), false);
  for (const runtime::ChainStatus& c : o.status()) {
    for (const runtime::VfStatus& f : c.functions) {
      if (!f.node.empty()) hosts.at(LocalCluster::index_of(f.node)) = true;
    }
  }
  return hosts;
}

ModeResult run_mode(const TestbedOptions& t, bool live, std::uint64_t seed, const std::vector<StressEpisode>& schedule,
                    const fs::path& dir, ProgressBar& bar, double progress_from, double progress_share) {
  ModeResult r;
  r.mode = live ? "live" : "cold";
  r.seed = seed;
  LocalCluster cluster(dir, t.nodes, {"--node-cpus", fmt::format("{}", t.node_cpus), "--node-ram-mb", "1000"});
  runtime::OrchestratorOptions o = cluster.orchestrator_options();
  o.probe_deadline = runtime::probe_deadline_for(t.period_s);
  o.control.live_migration = live;
  o.control.k = t.k;
  o.control.horizon_s = t.horizon_s;
  o.control.probing_period_s = t.period_s;
  std::vector<std::unique_ptr<runtime::AgentClient>> agents;
  for (const runtime::AgentAddress& a : o.agents) {
    agents.push_back(std::make_unique<runtime::AgentClient>(a.address, o.identity, std::chrono::seconds(5), a.name));
  }
  runtime::Orchestrator orchestrator(o);
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kTestbedChain, "testbed"), kTestbedChain);

  const auto start = Clock::now();
  const std::int64_t origin_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
  const auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  double next_round = t.period_s;
  double next_poll = 0;
  std::size_t next_episode = 0;
  std::vector<double> stressed_until(static_cast<std::size_t>(t.nodes), -1);
  SinkArrivals arrivals;
  while (seconds() < t.duration_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const double now = seconds();
    if (now >= next_poll) {
      next_poll = now + 0.5;
      arrivals.add(stats(orchestrator, chain, kSinkVf));
    }
    while (next_episode < schedule.size() && schedule[next_episode].start_s <= now) {
      const StressEpisode& e = schedule[next_episode++];
      ++r.episodes;
      const std::vector<bool> hosts = chain_nodes(orchestrator, t.nodes);
      std::vector<bool> stressed;
      for (const double until : stressed_until) stressed.push_back(until > now);
      const std::size_t node = stress_target(hosts, stressed, e.on_chain, e.pick);
      stressed_until[node] = std::max(stressed_until[node], now + e.duration_s);
      r.episodes_on_chain += hosts[node];
      if (hosts[node]) r.chain_stress_s.emplace_back(now, now + e.duration_s);
      r.stress_errors += !agents[node]->stress(e.cpu_pct, 0, e.ramp_s, e.duration_s);
      r.stress_csv += fmt::format("{},{},{:.3f},{:.2f},{:.3f},{:.3f},{},node-{},{}\n", r.mode, seed, e.start_s,
                                  e.cpu_pct, e.ramp_s, e.duration_s, e.on_chain ? 1 : 0, node + 1, hosts[node] ? 1 : 0);
    }
    if (now >= next_round) {
      next_round += t.period_s;
      const int migrated = orchestrator.round().migrated;
      r.cold += migrated;
      if (migrated > 0) r.migrations_s.push_back(now);
      for (const auto& n : orchestrator.last_nodes()) {
        r.nodes_csv += fmt::format("{},{},{:.2f},{},{:.2f},{:.4f}\n", r.mode, seed, now, n.node, n.cpu_pct, n.p_fail);
      }
    }
    bar.update(progress_from + progress_share * std::min(1.0, now / t.duration_s));
  }
  arrivals.add(stats(orchestrator, chain, kSinkVf));
  r.fps = frames_per_second(arrivals.times_ns(), origin_ns, static_cast<std::size_t>(std::ceil(t.duration_s)));
  r.missed_windows = arrivals.missed_windows();
  r.live = orchestrator.live_migrations(/*wait=*/true);
  for (const runtime::LiveMigrationRecord& m : r.live) {
    if (m.error.empty()) r.migrations_s.push_back(static_cast<double>(m.decided_ns - origin_ns) / 1e9);
  }
  std::sort(r.migrations_s.begin(), r.migrations_s.end());
  write_file_atomically(dir / "migrations.csv", runtime::live_migrations_csv(r.live));
  return r;
}

// The fps of the seconds after the warm-up.
std::vector<double> after_warmup(const std::vector<double>& fps) {
  return {fps.begin() + static_cast<std::ptrdiff_t>(std::min(kWarmup, fps.size())), fps.end()};
}

// Per seed and mode: mean and sd of fps after the warm-up, and the live migrations' outcome.
Json mode_summary(const ModeResult& r) {
  const MeanInterval fps = mean_interval(after_warmup(r.fps));
  int ok = 0;
  double downtime = 0;
  for (const auto& m : r.live) {
    if (!m.error.empty()) continue;
    ++ok;
    downtime += std::max(0.0, m.downtime_s());
  }
  return {{"fps_mean", fps.mean},
          {"fps_sd", fps.sd},
          {"live_migrations", ok},
          {"live_migrations_failed", static_cast<int>(r.live.size()) - ok},
          {"live_downtime_mean_s", ok > 0 ? downtime / ok : 0.0},
          {"cold_migrations", r.cold},
          {"stress_episodes_on_chain", r.episodes_on_chain},
          {"stress_errors", r.stress_errors},
          {"sink_windows_missed", r.missed_windows}};
}

// Over seeds, one mode: the per-second fps of every seed pooled (mean, sd), and the per-seed means and sds with
// their 95 % intervals.
Json pooled_summary(const std::vector<ModeResult>& runs) {
  std::vector<double> all, means, sds;
  int live_ok = 0, cold = 0, on_chain = 0, stress_errors = 0;
  for (const ModeResult& r : runs) {
    const std::vector<double> kept = after_warmup(r.fps);
    all.insert(all.end(), kept.begin(), kept.end());
    const Json m = mode_summary(r);
    means.push_back(m["fps_mean"].get<double>());
    sds.push_back(m["fps_sd"].get<double>());
    live_ok += m["live_migrations"].get<int>();
    cold += m["cold_migrations"].get<int>();
    on_chain += r.episodes_on_chain;
    stress_errors += r.stress_errors;
  }
  const MeanInterval pooled = mean_interval(all);
  const MeanInterval sd = mean_interval(sds);
  return {{"fps_mean", pooled.mean},          {"fps_sd", sd.mean},
          {"fps_sd_pooled", pooled.sd},       {"fps_mean_over_seeds", to_json(mean_interval(means))},
          {"fps_sd_over_seeds", to_json(sd)}, {"live_migrations", live_ok},
          {"cold_migrations", cold},          {"stress_episodes_on_chain", on_chain},
          {"stress_errors", stress_errors}};
}

void run_testbed(const TestbedOptions& t) {
  if (t.nodes < 5 || t.nodes > 64) throw InputError(fmt::format("--nodes: {} (expected 5 to 64)", t.nodes));
  if (!(t.duration_s >= 10 && t.duration_s <= 86'400))
    throw InputError(fmt::format("--duration: {} (expected 10 to 86400 s per mode)", t.duration_s));
  if (!(t.period_s > 0)) throw InputError("--period: expected > 0");
  if (!(t.k >= 0 && t.k <= 1)) throw InputError(fmt::format("--k: {} (expected 0 <= K <= 1)", t.k));
  if (!(t.horizon_s > 0)) throw InputError("--horizon: expected > 0");
  if (!(t.node_cpus > 0)) throw InputError("--node-cpus: expected > 0");
  if (!(t.stress_every_s > 0)) throw InputError("--stress-every: expected > 0");
  if (!(t.chain_share >= 0 && t.chain_share <= 1))
    throw InputError(fmt::format("--chain-share: {} (expected 0 to 1)", t.chain_share));
  if (t.seeds < 1) throw InputError(fmt::format("--seeds: {} (expected at least 1)", t.seeds));
  const fs::path out(t.out);
  ProgressBar bar("testbed", !t.quiet);
  std::vector<ModeResult> colds, lives;
  const double share = 0.5 / t.seeds;
  for (int i = 0; i < t.seeds; ++i) {
    const std::uint64_t seed = t.seed + static_cast<std::uint64_t>(i);
    const std::vector<StressEpisode> schedule = stress_schedule(t, seed);
    const fs::path dir = out / fmt::format("seed-{}", seed);
    colds.push_back(run_mode(t, false, seed, schedule, dir / "cold", bar, 2 * i * share, share));
    lives.push_back(run_mode(t, true, seed, schedule, dir / "live", bar, (2 * i + 1) * share, share));
  }
  bar.done();

  std::string csv = "mode,seed,time_s,fps\n";
  std::string stress = "mode,seed,start_s,cpu_pct,ramp_s,duration_s,on_chain,node,hosts_chain\n";
  std::string nodes = "mode,seed,time_s,node,cpu_pct,p_fail\n";
  std::string repetitions = "repetition,mode,fps_mean,fps_sd\n";  // a seed of both modes is one paired repetition
  Json per_seed = Json::array();
  std::vector<double> mean_changes, sd_changes;
  int episodes = 0;
  for (std::size_t i = 0; i < colds.size(); ++i) {
    for (const ModeResult* r : {&colds[i], &lives[i]}) {
      for (std::size_t s = 0; s < r->fps.size(); ++s)
        csv += fmt::format("{},{},{},{:.4f}\n", r->mode, r->seed, s, r->fps[s]);
      stress += r->stress_csv;
      nodes += r->nodes_csv;
    }
    const Json cold = mode_summary(colds[i]), live = mode_summary(lives[i]);
    for (const auto& [mode, m] : {std::pair{"cold", &cold}, std::pair{"live", &live}}) {
      repetitions += fmt::format("{},{},{:.6f},{:.6f}\n", colds[i].seed, mode, (*m)["fps_mean"].get<double>(),
                                 (*m)["fps_sd"].get<double>());
    }
    mean_changes.push_back(live["fps_mean"].get<double>() - cold["fps_mean"].get<double>());
    sd_changes.push_back(live["fps_sd"].get<double>() - cold["fps_sd"].get<double>());
    episodes += colds[i].episodes;
    per_seed.push_back({{"seed", colds[i].seed},
                        {"stress_episodes", colds[i].episodes},
                        {"cold", cold},
                        {"live", live},
                        {"fps_mean_difference", mean_changes.back()},
                        {"fps_sd_difference", sd_changes.back()}});
  }
  Json summary = {{"nodes", t.nodes},
                  {"duration_s", t.duration_s},
                  {"probing_period_s", t.period_s},
                  {"k", t.k},
                  {"horizon_s", t.horizon_s},
                  {"node_cpus", t.node_cpus},
                  {"stress_every_s", t.stress_every_s},
                  {"chain_share", t.chain_share},
                  {"seed", t.seed},
                  {"seeds", t.seeds},
                  {"fps", kFps},
                  {"warmup_s", kWarmup},
                  {"stress_episodes", episodes},
                  {"per_seed", per_seed},
                  {"cold", pooled_summary(colds)},
                  {"live", pooled_summary(lives)},
                  {"fps_mean_difference", to_json(mean_interval(mean_changes))},
                  {"fps_sd_difference", to_json(mean_interval(sd_changes))}};
  const double cold_mean = summary["cold"]["fps_mean"].get<double>(),
               live_mean = summary["live"]["fps_mean"].get<double>();
  const double cold_sd = summary["cold"]["fps_sd"].get<double>(), live_sd = summary["live"]["fps_sd"].get<double>();
  summary["fps_mean_change_pct"] = 100.0 * (live_mean / std::max(1e-9, cold_mean) - 1);
  summary["fps_sd_change_pct"] = 100.0 * (live_sd / std::max(1e-9, cold_sd) - 1);

  std::vector<report::DeliverySeries> series;
  for (const ModeResult* r : {&colds.front(), &lives.front()}) {
    report::DeliverySeries s;
    s.label = r->mode == "live" ? "with live migration" : "without live migration";
    for (std::size_t i = 0; i < r->fps.size(); ++i) s.points.emplace_back(static_cast<double>(i) + 0.5, r->fps[i]);
    s.spans = r->chain_stress_s;
    s.events_s = r->migrations_s;
    s.events_label = "migration decided";
    series.push_back(std::move(s));
  }
  fs::create_directories(out);
  write_file_atomically(out / "testbed.csv", csv);
  write_file_atomically(out / "stress.csv", stress);
  write_file_atomically(out / "nodes.csv", nodes);
  write_file_atomically(out / "repetitions.csv", repetitions);
  write_file_atomically(out / "summary.json", summary.dump(2) + "\n");
  const report::FigureFiles fig = report::write_delivery_figure(
      series, {}, fmt::format("Frames per second at the sink under random node stress (seed {})", t.seed),
      out / "figures", "testbed", {"fps at the sink", true, "stress on a node of the chain"});
  if (const auto gnuplot = report::find_gnuplot()) report::run_gnuplot(*gnuplot, fig.gp);

  fmt::print("seed   mode   fps mean  fps sd  live migrations  cold migrations  episodes on the chain\n");
  for (const Json& p : per_seed) {
    for (const char* mode : {"cold", "live"}) {
      const Json& m = p[mode];
      fmt::print("{:<6} {:<5} {:>9.2f} {:>7.2f} {:>16} {:>16} {:>22}\n", p["seed"].get<std::uint64_t>(), mode,
                 m["fps_mean"].get<double>(), m["fps_sd"].get<double>(), m["live_migrations"].get<int>(),
                 m["cold_migrations"].get<int>(), m["stress_episodes_on_chain"].get<int>());
    }
  }
  const auto interval = [](const Json& m) {
    return m["ci95_low"].is_null() ? fmt::format("{:+.2f}", m["mean"].get<double>())
                                   : fmt::format("{:+.2f} [{:+.2f}, {:+.2f}]", m["mean"].get<double>(),
                                                 m["ci95_low"].get<double>(), m["ci95_high"].get<double>());
  };
  fmt::print(
      "with live migration: mean fps {:+.1f}%, fps standard deviation {:+.1f}% (the paper's testbed: about +2%, "
      "-76.3%)\n",
      summary["fps_mean_change_pct"].get<double>(), summary["fps_sd_change_pct"].get<double>());
  fmt::print("with - without, over {} seed(s) (95% CI): mean fps {}, fps sd {}\n", t.seeds,
             interval(summary["fps_mean_difference"]), interval(summary["fps_sd_difference"]));
  fmt::print("results: {}\n         {}\nfigures: {} (and .png)\n", (out / "summary.json").string(),
             (out / "testbed.csv").string(), fig.svg.string());
}

}  // namespace

void add_experiment_command(CLI::App& app) {
  CLI::App* experiment = app.add_subcommand(
      "experiment", "Experiments: Fig. 11b on a local edge cluster, the trained forecaster in the simulator's loop");
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
  testbed->add_option("--stress-every", t->stress_every_s, "mean gap between stress episodes in the cluster (s)")
      ->capture_default_str();
  testbed
      ->add_option("--chain-share", t->chain_share,
                   "share of stress episodes on nodes that host the chain when they start")
      ->capture_default_str();
  testbed->add_option("--seed", t->seed, "seed of the first stress schedule")
      ->capture_default_str()
      ->check(non_negative_number());
  testbed->add_option("--seeds", t->seeds, "seeds run per mode: --seed, --seed + 1, ...")->capture_default_str();
  testbed->add_option("--out", t->out, "output directory")->capture_default_str();
  testbed->add_flag("--quiet", t->quiet, "no progress bar");
  testbed->callback([t] { run_testbed(*t); });
  add_forecaster_experiment_command(*experiment);
}

}  // namespace vfo::cli
