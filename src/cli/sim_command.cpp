// `vfo sim FILE [--seed N] [--out DIR] [--set KEY=VALUE]... [--quiet] [--no-wall-time]`
#include <fmt/core.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "cli/progress_bar.hpp"
#include "vfo/report/delivery_figure.hpp"
#include "vfo/report/gnuplot.hpp"
#include "vfo/scenario/scenario_loader.hpp"
#include "vfo/sim/autoscaling_study.hpp"
#include "vfo/sim/simulation.hpp"
#include "vfo/util/file_io.hpp"

namespace vfo::cli {
namespace {

struct SimOptions {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::string out = "results/sim";
  std::vector<std::string> overrides;
  bool quiet = false;
  bool no_wall_time = false;
  std::string record_nodes;  // FILE: the probes' node readings as a vfo node trace
};

// The same command line, for the binary that can load the scenario's model.
std::vector<std::string> sim_arguments(const SimOptions& o) {
  std::vector<std::string> args = {"sim", o.file, "--out", o.out};
  if (o.seed) args.insert(args.end(), {"--seed", std::to_string(*o.seed)});
  for (const std::string& s : o.overrides) args.insert(args.end(), {"--set", s});
  if (o.quiet) args.emplace_back("--quiet");
  if (o.no_wall_time) args.emplace_back("--no-wall-time");
  if (!o.record_nodes.empty()) args.insert(args.end(), {"--record-nodes", o.record_nodes});
  return args;
}

// vfo's node trace (`vfo forecast train --trace vfo:FILE`): time,node,cpu,ram.
std::string node_trace_csv(const SimulationResult& r) {
  std::string out = "time,node,cpu,ram\n";
  for (const NodeReading& n : r.node_readings) {
    out += fmt::format("{:.3f},node-{},{:.4f},{:.4f}\n", n.time_s, n.node, n.cpu_pct, n.ram_pct);
  }
  return out;
}

nlohmann::ordered_json summary_json(const SimulationResult& r, bool with_wall_time) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  j["nodes"] = r.nodes;
  j["services"] = r.services;
  j["admitted"] = r.admitted_services;
  j["waited"] = r.waited_services;
  j["waiting"] = r.waiting_services;
  j["given_up"] = r.given_up_services;
  j["downtime_pct"] = r.downtime_pct;
  j["migrations"] = {{"cold", r.cold_migrations},
                     {"live", r.live_migrations},
                     {"total", r.cold_migrations + r.live_migrations},
                     {"aborted", r.aborted_migrations}};
  j["migration_bytes"] = r.migration_bytes;
  j["deploy_bytes"] = r.deploy_bytes;
  j["control_bytes"] = r.control_bytes;
  j["node_failures"] = r.node_failures;
  j["overloads"] = r.overloads;
  j["overload_failures"] = r.overload_failures;
  j["alarms"] = r.alarms;
  j["confirmed_alarms"] = r.confirmed_alarms;
  j["unconfirmed_alarms"] = r.unconfirmed_alarms;
  j["lost_jobs"] = r.lost_jobs;
  j["deployment"] = {{"probe_s", r.deploy_probe_s},
                     {"placement_s", with_wall_time ? r.deploy_placement_s : 0.0},
                     {"transfer_s", r.deploy_transfer_s},
                     {"monitoring_s", r.monitoring_s}};
  // Fig. 9a: the phases of the live migrations that completed, mean over them.
  double n = 0;
  double prepare = 0, copy = 0, downtime = 0, stall = 0, total = 0, rounds = 0, faults = 0;
  for (const MigrationRecord& m : r.migration_records) {
    if (!m.live || m.aborted) continue;
    n += 1;
    prepare += m.prepare_s;
    copy += m.copy_s;
    downtime += m.downtime_s;
    stall += m.stall_s;
    total += m.total_s;
    rounds += m.rounds;
    faults += m.faults;
  }
  const auto mean = [n](double sum) { return n > 0 ? sum / n : 0.0; };
  j["live_phases"] = {{"prepare_s", mean(prepare)}, {"copy_s", mean(copy)},   {"downtime_s", mean(downtime)},
                      {"stall_s", mean(stall)},     {"total_s", mean(total)}, {"rounds", mean(rounds)},
                      {"faults", mean(faults)}};
  j["events"] = r.events;
  j["sim_time_s"] = r.sim_time_s;
  j["wall_time_s"] = with_wall_time ? r.wall_time_s : 0.0;
  return j;
}

void write_services_csv(const SimulationResult& r, const std::filesystem::path& path) {
  std::ofstream out(path);
  out << "service,arrival_s,start_s,end_s,functions,wait_s,given_up,downtime_s,downtime_pct,cold_migrations,"
         "live_migrations,migration_bytes\n";
  for (const auto& s : r.service_records) {
    out << fmt::format("{},{:.6f},{:.6f},{:.6f},{},{:.6f},{},{:.6f},{:.6f},{},{},{:.0f}\n", s.id, s.arrival_s,
                       s.start_s, s.end_s, s.functions, s.wait_s, s.given_up ? 1 : 0, s.downtime_s, s.downtime_pct,
                       s.cold_migrations, s.live_migrations, s.migration_bytes);
  }
}

std::string migrations_csv(const SimulationResult& r) {
  std::string out =
      "kind,protocol,service,function,from,to,start_s,prepare_s,copy_s,downtime_s,stall_s,total_s,bytes,rounds,faults,"
      "aborted\n";
  for (const MigrationRecord& m : r.migration_records) {
    out +=
        fmt::format("{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.0f},{},{},{}\n",
                    m.live ? "live" : "cold", m.protocol, m.service, m.function, m.from, m.to, m.start_s, m.prepare_s,
                    m.copy_s, m.downtime_s, m.stall_s, m.total_s, m.bytes, m.rounds, m.faults, m.aborted ? 1 : 0);
  }
  return out;
}

// --out, created if need be.
std::filesystem::path out_directory(const SimOptions& o) {
  const std::filesystem::path out(o.out);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create directory ({})", o.out, ec.message()));
  return out;
}

nlohmann::ordered_json autoscaling_summary_json(const AutoscalingResult& r) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  j["policy"] = r.policy;
  j["duration_s"] = r.duration_s;
  j["start_delay_s"] = r.start_delay_s;
  j["mean_requested_fps"] = r.mean_requested_fps;
  j["mean_delivered_fps"] = r.mean_delivered_fps;
  j["fps_shortfall_pct"] = r.fps_shortfall_pct;
  j["demand_met_pct"] = r.demand_met_pct;
  j["qos_met_pct"] = r.qos_met_pct;
  j["mean_replicas"] = r.mean_replicas;
  j["mean_ready"] = r.mean_ready;
  j["idle_replicas"] = r.idle_replicas;
  j["mean_cost_per_s"] = r.mean_cost_per_s;
  j["total_cost"] = r.total_cost;
  j["demand_changes"] = r.demand_changes;
  j["changes_followed"] = r.changes_followed;
  j["mean_follow_s"] = r.mean_follow_s;
  j["max_follow_s"] = r.max_follow_s;
  j["scale_actions"] = r.scale_actions;
  return j;
}

std::string timeline_csv(const AutoscalingResult& r) {
  std::string out = "time_s,requested_fps,delivered_fps,replicas,ready,cost_per_s,demand_met";
  const std::size_t vfs = r.samples.empty() ? 0 : r.samples.front().replicas_per_vf.size();
  for (std::size_t j = 0; j < vfs; ++j) out += fmt::format(",vf{}_replicas", j);
  out += "\n";
  for (const AutoscalingSample& s : r.samples) {
    out += fmt::format("{},{},{:.6g},{},{},{:.6g},{}", s.time_s, s.requested_fps, s.delivered_fps, s.replicas, s.ready,
                       s.cost_per_s, s.demand_met ? 1 : 0);
    for (const int y : s.replicas_per_vf) out += fmt::format(",{}", y);
    out += "\n";
  }
  return out;
}

// The autoscaling study (scenario autoscaling.policy vfo or hpa): summary.json, timeline.csv and a figure of
// the deployed replicas and the requested fps over time.
void run_autoscaling(const Scenario& scenario, const SimOptions& o, const std::filesystem::path& out) {
  ProgressBar bar("autoscaling " + scenario.name, !o.quiet);
  const AutoscalingResult r = run_autoscaling_study(scenario, [&](double f) { bar.update(f); });
  bar.done();
  write_file_atomically(out / "summary.json", autoscaling_summary_json(r).dump(2) + "\n");
  write_file_atomically(out / "timeline.csv", timeline_csv(r));
  std::vector<report::DeliverySeries> series(2);
  series[0].label = r.policy + ": deployed replicas";
  series[1].label = "requested fps";
  for (const AutoscalingSample& s : r.samples) {
    series[0].points.emplace_back(s.time_s, s.replicas);
    series[1].points.emplace_back(s.time_s, s.requested_fps);
  }
  const report::FigureFiles figure = report::write_delivery_figure(series, {}, scenario.name + " (" + r.policy + ")",
                                                                   out / "figures", "timeline", {"replicas, fps"});
  const auto gnuplot = report::find_gnuplot();
  const bool drawn =
      gnuplot && report::run_gnuplot(*gnuplot, figure.gp).outcome == report::RenderResult::Outcome::kRendered;
  if (o.quiet) return;
  fmt::print(
      "{} ({}): {:.2f} replicas on average ({:.2f} while idle), cost {:.4g}/s, demand met {:.1f}% of the time, "
      "{} of {} changes followed (mean {:.1f} s)\n",
      scenario.name, r.policy, r.mean_replicas, r.idle_replicas, r.mean_cost_per_s, r.demand_met_pct,
      r.changes_followed, r.demand_changes, r.mean_follow_s);
  fmt::print("results: {}\n         {}\n         {}\n", (out / "summary.json").string(),
             (out / "timeline.csv").string(), drawn ? figure.svg.string() : figure.gp.string() + " (gnuplot not run)");
}

void run_sim(const SimOptions& o, const ModelLoader& loader) {
  Scenario scenario = load_scenario(o.file, o.overrides);
  if (o.seed) scenario.seed = *o.seed;
  if (scenario.autoscaling.policy != "none") {
    run_autoscaling(scenario, o, out_directory(o));
    return;
  }
  SimulationOptions options;
  const std::string& model = scenario.control.predictor.model;
  if (!model.empty()) {
    if (!loader) exec_binary(sibling_binary("vfo-forecast"), sim_arguments(o));
    try {
      options.model = loader(model);
    } catch (const InputError& e) {  // the model's own error, said of the scenario that names it
      throw InputError(scenario.source_file + ": control.predictor.model: " + e.what());
    }
  }
  if (!o.record_nodes.empty() && std::filesystem::is_directory(o.record_nodes)) {
    throw InputError("--record-nodes: " + o.record_nodes + " is a folder (expected a file to write the trace to)");
  }
  options.record_nodes = !o.record_nodes.empty();
  const std::filesystem::path out = out_directory(o);

  ProgressBar bar("sim " + scenario.name, !o.quiet);
  options.progress = [&](double f) { bar.update(f); };
  const SimulationResult result = run_simulation(scenario, options);
  bar.done();

  write_file_atomically(out / "summary.json", summary_json(result, !o.no_wall_time).dump(2) + "\n");
  write_services_csv(result, out / "services.csv.tmp");
  std::filesystem::rename(out / "services.csv.tmp", out / "services.csv");
  write_file_atomically(out / "migrations.csv", migrations_csv(result));
  if (!o.record_nodes.empty()) write_file_atomically(o.record_nodes, node_trace_csv(result));
  if (!o.quiet) {
    fmt::print(
        "{}: {} services ({} waited, {} gave up, {} still waiting) on {} nodes, downtime {:.3f}%, migrations cold {} "
        "live {}, "
        "{:.1f} MB moved, {:.2f} s wall\n",
        scenario.name, result.services, result.waited_services, result.given_up_services, result.waiting_services,
        result.nodes, result.downtime_pct, result.cold_migrations, result.live_migrations, result.migration_bytes / 1e6,
        result.wall_time_s);
    fmt::print("results: {}\n         {}\n         {}\n", (out / "summary.json").string(),
               (out / "services.csv").string(), (out / "migrations.csv").string());
    if (!o.record_nodes.empty()) fmt::print("         {}\n", o.record_nodes);
  }
}

}  // namespace

void add_sim_command(CLI::App& app, ModelLoader loader) {
  auto options = std::make_shared<SimOptions>();
  CLI::App* sim = app.add_subcommand("sim", "Run one simulation of a scenario; writes summary.json and services.csv");
  sim->add_option("FILE", options->file, "scenario YAML")->required();
  sim->add_option("--seed", options->seed, "seed of every random draw (default: the scenario's)")
      ->check(non_negative_number());
  sim->add_option("--out", options->out, "output directory")->capture_default_str();
  sim->add_option("--set", options->overrides, "override a scenario key, e.g. --set environment.nodes=500");
  sim->add_flag("--quiet", options->quiet, "no progress and no summary line");
  sim->add_flag("--no-wall-time", options->no_wall_time,
                "write wall_time_s as 0, so that summary.json is byte-identical across runs of one seed");
  sim->add_option("--record-nodes", options->record_nodes,
                  "write every probe's node readings (time,node,cpu,ram) to FILE, a trace for "
                  "vfo forecast train --trace vfo:FILE");
  sim->callback([options, loader] { run_sim(*options, loader); });
}

}  // namespace vfo::cli
