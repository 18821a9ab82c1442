// `vfo experiment forecaster SCENARIO`: the trained LSTM in the simulator's loop against the baselines. Three
// steps, each a child process of the vfo binaries: (1) `vfo sim` of the scenario with another seed records every
// probe's node readings (--record-nodes); (2) `vfo forecast train` fits the LSTM on them (on the scenario's
// probing grid, horizon and CPU threshold); (3) `vfo sweep` of the scenario with the case `lstm` (the model,
// guarded) added to its cases, every case on the same seeds. Writes DIR/training/ (the recording run, nodes.csv,
// the model and the training's output), DIR/loop.yaml (the swept scenario), the sweep's files in DIR (results.csv,
// aggregate.csv, figures/), and DIR/comparison.csv: per metric and baseline, the paired change lstm - baseline
// with its 95 % interval over replications, which it also prints.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/process_pool.hpp"
#include "vfo/report/csv_table.hpp"
#include "vfo/report/paired_comparison.hpp"
#include "vfo/scenario/scenario_loader.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModelCase = "lstm";
// The training run's seed: the scenario's, moved away from every replication's (they derive theirs from it).
constexpr std::uint64_t kTrainingSeedOffset = 1'000'003;

struct ForecasterOptions {
  std::string file;
  std::string out = "results/forecaster-loop";
  double training_duration_s = 14'400;
  int epochs = 3;
  std::size_t examples_per_epoch = 40'000;
  int replications = 0;  // 0: the sweep's
  std::vector<std::string> grids;
  std::vector<std::string> overrides;
  bool quiet = false;
};

// Runs `argv` (argv[0] a vfo binary), its output to DIR/<name>.out.txt and .err.txt; throws CommandFailed with the
// last line of its errors when it fails.
void run_step(const std::string& what, const std::vector<std::string>& argv, const fs::path& dir,
              const std::string& name) {
  ProcessSpec p;
  p.argv = argv;
  p.stdout_path = dir / (name + ".out.txt");
  p.stderr_path = dir / (name + ".err.txt");
  const ProcessOutcome outcome = run_process(p);
  if (outcome.ok()) return;
  std::ifstream err(p.stderr_path);
  std::string line, last;
  while (std::getline(err, line)) {
    if (!line.empty() && line.find('%') == std::string::npos) last = line;  // skip progress lines
  }
  throw CommandFailed(fmt::format("{} failed ({}): {} (command: {}; see {})", what, outcome.describe(), last,
                                  shell_quote(argv), p.stderr_path.string()));
}

// The scenario's YAML with the model's case added to sweep.cases.
std::string with_model_case(const std::string& file, const fs::path& model) {
  YAML::Node root = YAML::LoadFile(file);
  YAML::Node cases = root["sweep"]["cases"];
  YAML::Node lstm;
  lstm["control.predictor.model"] = fs::absolute(model).lexically_normal().string();
  cases[kModelCase] = lstm;
  YAML::Emitter out;
  out << root;
  return std::string("# written by vfo experiment forecaster from ") + file + "\n" + out.c_str() + "\n";
}

void run_forecaster_experiment(const ForecasterOptions& o) {
  // Bad input, before anything runs: one line naming the file or the flag.
  const Scenario scenario = load_scenario(o.file, o.overrides);
  if (scenario.environment.kind != "generic" || scenario.control.predictor.kind != "forecast") {
    throw InputError(o.file +
                     ": expected a generic environment and control.predictor.kind: forecast (the study "
                     "compares forecasters)");
  }
  const YAML::Node sweep = YAML::LoadFile(o.file)["sweep"];
  if (!sweep || !sweep["cases"] || !sweep["cases"].IsMap() || sweep["cases"][kModelCase]) {
    throw InputError(o.file + ": sweep.cases: expected the baselines' cases (a map without a case named lstm)");
  }
  if (!(o.training_duration_s >= 10 * scenario.control.probing_period_s)) {
    throw InputError("--training-duration: expected at least 10 probing periods");
  }
  const fs::path out(o.out);
  const fs::path training = out / "training";
  fs::create_directories(training);
  const std::string vfo = sibling_binary("vfo").string();
  const std::string period = fmt::format("{}", scenario.control.probing_period_s);

  // 1. The training data: the probes of another seed's run.
  if (!o.quiet) fmt::print(stderr, "forecaster loop: recording {} s of probes for training\n", o.training_duration_s);
  std::vector<std::string> record = {vfo,
                                     "sim",
                                     o.file,
                                     "--seed",
                                     std::to_string(scenario.seed + kTrainingSeedOffset),
                                     "--set",
                                     fmt::format("duration_s={}", o.training_duration_s),
                                     "--record-nodes",
                                     (training / "nodes.csv").string(),
                                     "--quiet",
                                     "--out",
                                     (training / "run").string()};
  for (const std::string& s : o.overrides) record.insert(record.end(), {"--set", s});
  run_step("recording the training run", record, training, "record");

  // 2. The LSTM, as README's recipe trains it, on the scenario's grid.
  if (!o.quiet) fmt::print(stderr, "forecaster loop: training the LSTM\n");
  const fs::path model = training / "model";
  const double horizon_s = scenario.control.probing_period_s * scenario.control.predictor.horizon_periods;
  run_step("training the LSTM",
           {sibling_binary("vfo-forecast").string(),
            "train",
            "--trace",
            "vfo:" + (training / "nodes.csv").string(),
            "--model",
            "lstm",
            "--loss",
            "l1",
            "--interval",
            period,
            "--horizon",
            fmt::format("{}", horizon_s),
            "--channels",
            "1",
            "--cpu-threshold",
            fmt::format("{}", scenario.control.predictor.cpu_threshold_pct),
            "--epochs",
            std::to_string(o.epochs),
            "--examples-per-epoch",
            std::to_string(o.examples_per_epoch),
            "--quiet",
            "--out",
            model.string()},
           training, "train");

  // 3. Every case on the same seeds, the model's among them.
  const fs::path loop = out / "loop.yaml";
  write_file_atomically(loop, with_model_case(o.file, model));
  std::vector<std::string> sweep_argv = {vfo, "sweep", loop.string(), "--out", out.string()};
  if (o.replications > 0) sweep_argv.insert(sweep_argv.end(), {"--replications", std::to_string(o.replications)});
  for (const std::string& g : o.grids) sweep_argv.insert(sweep_argv.end(), {"--grid", g});
  for (const std::string& s : o.overrides) sweep_argv.insert(sweep_argv.end(), {"--set", s});
  if (o.quiet) sweep_argv.emplace_back("--quiet");
  if (!o.quiet) fmt::print(stderr, "forecaster loop: sweeping the cases\n");
  {
    ProcessSpec p;  // the sweep's progress and summary go to this terminal
    p.argv = sweep_argv;
    if (o.quiet) p.stdout_path = out / "sweep.out.txt";
    p.stderr_path = out / "sweep.err.txt";
    const ProcessOutcome outcome = run_process(p);
    if (!outcome.ok()) {
      throw CommandFailed(fmt::format("the sweep failed ({}); see {}", outcome.describe(), p.stderr_path.string()));
    }
  }

  // The paired changes, lstm against each baseline.
  const fs::path results_path = out / "results.csv";
  const report::CsvTable results =
      report::CsvTable::parse(read_input_file(results_path, "the sweep's results.csv"), results_path.string());
  std::vector<std::string> match;
  for (const std::string& c : results.columns()) {
    if (c == "replication") break;
    if (c != "case") match.push_back(c);
  }
  std::string csv = "metric,baseline,lstm_mean,baseline_mean,change,change_ci95_low,change_ci95_high,relative_pct,n\n";
  fmt::print("lstm (guarded) against each baseline in the loop, paired by seed (95 % CI over replications):\n");
  for (const char* metric : {"downtime_pct", "migrations_live", "unconfirmed_alarms"}) {
    for (const YAML::const_iterator::value_type& c : sweep["cases"]) {
      const std::string baseline = c.first.as<std::string>();
      report::PairedSpec spec;
      spec.key = "case";
      spec.treated = kModelCase;
      spec.control = baseline;
      spec.metric = metric;
      spec.match = match;
      const report::ChangeEstimate e = report::paired_change(results, spec);
      const report::SampleSummary& a = e.absolute;
      const std::string relative = e.is_relative() ? fmt::format("{:.1f}", e.relative_pct.mean) : "";
      csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", metric, baseline, e.treated_mean, e.control_mean, a.mean,
                         a.has_ci() ? fmt::format("{}", a.low()) : "", a.has_ci() ? fmt::format("{}", a.high()) : "",
                         relative, a.n);
      fmt::print("  {:<20} vs {:<12} {:>10.4g} against {:>10.4g}: {:+.4g} [{}, {}]{}\n", metric, baseline,
                 e.treated_mean, e.control_mean, a.mean, a.has_ci() ? fmt::format("{:+.4g}", a.low()) : "-",
                 a.has_ci() ? fmt::format("{:+.4g}", a.high()) : "-",
                 a.has_ci() && a.low() <= 0 && a.high() >= 0 ? " (within noise)" : "");
    }
  }
  write_file_atomically(out / "comparison.csv", csv);
  fmt::print("results: {} {} {}\n", results_path.string(), (out / "comparison.csv").string(),
             (out / "figures").string());
}

}  // namespace

void add_forecaster_experiment_command(CLI::App& experiment) {
  auto o = std::make_shared<ForecasterOptions>();
  CLI::App* c = experiment.add_subcommand(
      "forecaster", "The trained LSTM in the simulator's loop against the baselines, on the same seeds");
  c->add_option("SCENARIO", o->file, "a generic-environment scenario whose sweep.cases are the baselines")->required();
  c->add_option("--out", o->out, "output directory")->capture_default_str();
  c->add_option("--training-duration", o->training_duration_s, "seconds of the run whose probes train the LSTM")
      ->capture_default_str();
  c->add_option("--epochs", o->epochs, "LSTM training epochs")->capture_default_str()->check(CLI::Range(1, 1000));
  c->add_option("--examples-per-epoch", o->examples_per_epoch, "a seeded subset of the examples each epoch")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000'000));
  c->add_option("--replications", o->replications, "runs per case and grid point (default: the sweep's)")
      ->check(CLI::Range(1, 10'000));
  c->add_option("--grid", o->grids, "replace a grid key's values, e.g. --grid control.k=[0.2] (repeatable)");
  c->add_option("--set", o->overrides, "override a scenario key, for the training run and every case");
  c->add_flag("--quiet", o->quiet, "no progress");
  c->callback([o] { run_forecaster_experiment(*o); });
}

}  // namespace vfo::cli
