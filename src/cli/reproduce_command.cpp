// `vfo reproduce [--quick] [--only STUDY[,STUDY...]] [--scenarios DIR] [--shard I/N] --out DIR`,
// `vfo reproduce merge DIR... --out OUT`
//
// Runs every study of the paper, each as a child `vfo` process (sweep, demo, experiment testbed or forecaster)
// writing to DIR/<study>/, with one progress bar over them all, then writes DIR/report.md and DIR/report.html:
// every figure of every study (the SVGs beside the report, linked relatively, so the page works offline) and a
// table with one row per claim of the paper: its number, vfo's number measured from the study's outputs with
// its 95 % confidence interval over replications (paired runs: vfo/report/paired_comparison.hpp), the verdict
// (agrees, within noise, differs) and the command that reproduces it. The full run has kFullReplications
// replications of every simulated study; --quick runs every study at a size that fits in about 10 minutes on
// 2 cores (smaller grids, fewer replications).
// With --shard I/N it runs only the studies whose index (among those --only keeps) % N == I - 1 and writes
// DIR/reproduce-shard.json instead of the report; `vfo reproduce merge` joins the shards' folders into OUT and
// writes the report of the whole (scripts/slurm-reproduce runs the shards as a Slurm job array).
// report.html carries a small script that, once loaded, checks that every image decoded and every relative
// link can be read, and writes the result into <body data-check="...">; a headless browser's DOM dump shows it.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cli/cli.hpp"
#include "cli/process_pool.hpp"
#include "cli/progress_bar.hpp"
#include "cli/shard.hpp"
#include "vfo/report/csv_table.hpp"
#include "vfo/report/paired_comparison.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/text.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct ReproduceOptions {
  bool quick = false;
  std::string only;  // STUDY[,STUDY...]
  std::string scenarios = "scenarios/paper";
  std::string out;
  bool quiet = false;
  std::string shard_text;  // --shard I/N: the studies whose index % N == I - 1 (of those --only keeps)
};

// What a shard of `vfo reproduce --shard I/N` ran, in DIR/reproduce-shard.json: what `vfo reproduce merge`
// needs to check the shards are parts of one run and to write its report.
constexpr const char* kShardRecord = "reproduce-shard.json";

// Replications of each simulated study in the full run: enough for a t-interval of the mean that is barely
// wider than a normal one (t(0.975, 19) = 2.09 against 1.96).
constexpr int kFullReplications = 20;

// One study: the child command that runs it (after `vfo`), at full and at quick size.
struct Study {
  std::string id;                       // also its folder under --out
  std::string title;                    // e.g. "Fig. 6: downtime with and without overload prediction"
  std::vector<std::string> command;     // vfo COMMAND [SCENARIO] ... --out DIR
  std::string scenario;                 // a file of --scenarios, or "" (the runtime's studies)
  std::vector<std::string> full_args;   // added without --quick
  std::vector<std::string> quick_args;  // added with --quick
  double quick_seconds = 1;             // rough durations on 2 cores, for the progress bar
  double full_seconds = 1;
};

// A sweep study: the file's grid at kFullReplications replications, or at --quick `quick_replications` of the
// grid restricted by `quick_grid` (vfo sweep --grid), keeping what each quick claim needs.
Study sweep_study(std::string id, std::string title, std::string scenario, int quick_replications,
                  const std::vector<std::string>& quick_grid, double quick_seconds, double full_seconds) {
  Study s{std::move(id),
          std::move(title),
          {"sweep"},
          std::move(scenario),
          {"--replications", std::to_string(kFullReplications)},
          {"--replications", std::to_string(quick_replications)},
          quick_seconds,
          full_seconds};
  for (const std::string& g : quick_grid) s.quick_args.insert(s.quick_args.end(), {"--grid", g});
  return s;
}

std::vector<Study> studies() {
  return {
      sweep_study(
          "fig6", "Fig. 6: downtime with and without overload prediction (dedicated environment)", "dedicated.yaml", 8,
          {"environment.nodes=[100, 500]", "environment.p_leave=[0.1, 0.3]", "environment.p_overload=[0.1, 0.4]"}, 45,
          1600),
      sweep_study("fig7ab", "Fig. 7a-b: downtime and migrations against nodes and demand (dedicated)",
                  "dedicated-demand.yaml", 10,
                  {"environment.nodes=[100, 300, 500]", "demand.mode=[low, high]", "control.live_migration=[true]"}, 20,
                  220),
      sweep_study("fig7cd", "Fig. 7c-d: downtime and migrations against nodes and demand (generic environment)",
                  "generic-demand.yaml", 10,
                  {"environment.nodes=[100, 300, 500]", "demand.mode=[normal]", "control.live_migration=[true]"}, 15,
                  280),
      sweep_study("fig8", "Fig. 8: downtime and migration volume against K", "generic-k.yaml", 8,
                  {"environment.nodes=[300]", "control.k=[0.01, 0.05, 0.2, 0.5, 0.9]"}, 20, 260),
      sweep_study("fig9a", "Fig. 9a: the phases of a live migration", "live-phases.yaml", 5,
                  {"environment.link_latency_ms=[25]"}, 10, 95),
      sweep_study("fig9b", "Fig. 9b: the steps of a deployment", "deployment-timing.yaml", 5,
                  {"environment.nodes=[100, 1000]"}, 18, 150),
      sweep_study("fig10", "Fig. 10a-b: autoscaling, vfo against Kubernetes' HPA", "autoscaling.yaml", 20, {}, 10, 20),
      sweep_study("failures", "Failure recovery: vfo, reset mode and Kubernetes across failure rates",
                  "failure-recovery.yaml", 2, {}, 12, 120),
      {"loop",
       "The forecaster in the loop: the trained LSTM against the baselines (generic environment)",
       {"experiment", "forecaster"},
       "forecaster-loop.yaml",
       {"--replications", std::to_string(kFullReplications)},
       {"--replications", "3", "--grid", "control.k=[0.2]", "--training-duration", "7200", "--epochs", "1",
        "--examples-per-epoch", "20000"},
       25,
       400},
      {"fig11a",
       "Fig. 11a (runtime): downtime of cold migration against reset mode",
       {"demo"},
       "",
       {"--kills", "20", "--start-delay", "2", "--concurrent-starts"},
       {"--kills", "3", "--nodes", "6", "--concurrent-starts"},
       70,
       240},
      {"fig11b",
       "Fig. 11b (runtime): fps with and without live migration",
       {"experiment", "testbed"},
       "",
       {"--seeds", "3", "--duration", "180"},
       {"--seeds", "2", "--duration", "60", "--nodes", "6"},
       270,
       1100},
  };
}

// ---- measuring the claims from a study's outputs

using report::ChangeEstimate;
using report::ExpectedSign;
using report::Verdict;

// results.csv of a sweep study: one row per run.
report::CsvTable results_of(const fs::path& dir) {
  const fs::path path = dir / "results.csv";
  return report::CsvTable::parse(read_input_file(path, "the results.csv of a finished sweep"), path.string());
}

// The grid keys of a results table: its columns before "replication".
std::vector<std::string> grid_keys_of(const report::CsvTable& results) {
  const auto end = std::find(results.columns().begin(), results.columns().end(), "replication");
  if (end == results.columns().end()) throw CommandFailed("results.csv has no column 'replication'");
  return {results.columns().begin(), end};
}

// The runtime studies' repetitions: DIR/repetitions.csv when the study wrote one (columns "repetition", "mode"
// and one column per metric, one row per repetition and mode), else the one repetition in DIR/summary.json
// (an object per mode with its metrics).
report::CsvTable repetitions_of(const fs::path& dir, const std::vector<std::string>& modes,
                                const std::vector<std::string>& metrics) {
  const fs::path csv = dir / "repetitions.csv";
  if (fs::exists(csv)) {
    return report::CsvTable::parse(read_input_file(csv, "the repetitions.csv of a runtime study"), csv.string());
  }
  const Json s = Json::parse(read_input_file(dir / "summary.json", "the study's summary.json"));
  std::vector<std::string> columns = {"repetition", "mode"};
  columns.insert(columns.end(), metrics.begin(), metrics.end());
  report::CsvTable t(columns);
  for (const std::string& mode : modes) {
    std::vector<std::string> row = {"0", mode};
    for (const std::string& m : metrics) row.push_back(report::format_number(s.at(mode).at(m).get<double>()));
    t.add_row(std::move(row));
  }
  return t;
}

// One measured change of a claim.
struct Part {
  std::string label;  // e.g. "downtime"; "" for a claim of one change
  ChangeEstimate change;
  ExpectedSign expected = ExpectedSign::kNegative;
  std::string unit;                 // of the absolute change, shown when no relative change is defined
  std::optional<double> paper_pct;  // the paper's relative change, when it gives one
};

struct Measured {
  std::vector<Part> parts;
  std::string note;  // how it was computed
};

Verdict verdict_of(const Measured& m) {
  std::vector<Verdict> verdicts;
  for (const Part& p : m.parts) verdicts.push_back(p.change.verdict(p.expected));
  return report::combine_verdicts(verdicts);
}

// vfo's numbers: each part's mean change with its 95 % CI.
std::string vfo_text(const Measured& m) {
  std::string out;
  for (const Part& p : m.parts) {
    const ChangeEstimate& c = p.change;
    const std::string number =
        report::format_with_ci(c.headline(), c.is_relative() ? "%" : p.unit, c.is_relative() ? 1 : 3);
    out += (out.empty() ? "" : ", ") + (p.label.empty() ? "" : p.label + " ") + number;
  }
  return out;
}

// How the numbers were computed, how many replications, and where the paper's number lies.
std::string note_text(const Measured& m) {
  std::string out = m.note;
  for (const Part& p : m.parts) {
    const report::SampleSummary& h = p.change.headline();
    out += fmt::format("; {}n = {}", p.label.empty() ? "" : p.label + ": ", h.n);
    if (p.paper_pct && p.change.is_relative() && h.has_ci()) {
      const bool inside = *p.paper_pct >= h.low() && *p.paper_pct <= h.high();
      out += fmt::format(", the paper's {:+} % lies {} the CI", *p.paper_pct, inside ? "inside" : "outside");
    }
  }
  return out;
}

// A mechanism compared with and without in a sweep's results: pairs by the other grid keys and replication.
ChangeEstimate sweep_pair(const report::CsvTable& results, const std::string& key, const std::string& treated,
                          const std::string& control, const std::string& metric) {
  report::PairedSpec spec;
  spec.key = key;
  spec.treated = treated;
  spec.control = control;
  spec.metric = metric;
  for (const std::string& k : grid_keys_of(results)) {
    if (k != key) spec.match.push_back(k);
  }
  return report::paired_change(results, spec);
}

// A runtime study's mode against another, paired by repetition.
ChangeEstimate runtime_pair(const report::CsvTable& repetitions, const std::string& treated, const std::string& control,
                            const std::string& metric) {
  report::PairedSpec spec;
  spec.key = "mode";
  spec.treated = treated;
  spec.control = control;
  spec.metric = metric;
  spec.replication = "repetition";
  return report::paired_change(repetitions, spec);
}

// The smallest and the largest value of a numeric column.
std::pair<std::string, std::string> extremes(const report::CsvTable& t, const std::string& key) {
  std::optional<std::size_t> low, high;
  for (std::size_t r = 0; r < t.size(); ++r) {
    const auto v = report::parse_number(t.at(r, key));
    if (!v) throw CommandFailed(fmt::format("results.csv: {} of row {} is not a number", key, r + 1));
    if (!low || *v < *report::parse_number(t.at(*low, key))) low = r;
    if (!high || *v > *report::parse_number(t.at(*high, key))) high = r;
  }
  if (!low) throw CommandFailed("results.csv has no row");
  return {t.at(*low, key), t.at(*high, key)};
}

// A trend claim along a grid key: one part per metric.
Measured trend(const report::CsvTable& results, const std::string& key, bool descending,
               const std::vector<std::tuple<std::string, std::string, ExpectedSign>>& metrics) {
  const auto [low, high] = extremes(results, key);
  Measured m{{},
             fmt::format("least-squares change per replication from {} = {} to {} over the grid's values, in % of "
                         "the mean level",
                         key, descending ? high : low, descending ? low : high)};
  for (const auto& [label, metric, expected] : metrics) {
    m.parts.push_back({metrics.size() > 1 ? label : "",
                       report::trend_change(results, {key, metric, {}, descending, "replication"}), expected, "",
                       std::nullopt});
  }
  return m;
}

struct Claim {
  std::string study;
  std::string text;
  std::string paper;
  std::function<Measured(const fs::path& dir)> measure;
};

constexpr ExpectedSign kLower = ExpectedSign::kNegative;
constexpr ExpectedSign kHigher = ExpectedSign::kPositive;

std::vector<Claim> claims() {
  return {
      {"fig6", "Overload prediction (live migration) changes the mean service downtime", "-34.2 %",
       [](const fs::path& d) {
         const ChangeEstimate c = sweep_pair(results_of(d), "control.live_migration", "true", "false", "downtime_pct");
         return Measured{{{"", c, kLower, "points", -34.2}},
                         fmt::format("paired runs (same seeds) with and without; mean downtime {:.3f} % with, {:.3f} % "
                                     "without",
                                     c.treated_mean, c.control_mean)};
       }},
      {"fig6", "Overload prediction changes the data volume moved by migrations", "+19.1 %",
       [](const fs::path& d) {
         const ChangeEstimate c =
             sweep_pair(results_of(d), "control.live_migration", "true", "false", "migration_bytes");
         return Measured{{{"", c, kHigher, "B", 19.1}},
                         fmt::format("paired runs with and without; {:.1f} MB with, {:.1f} MB without (mean per run)",
                                     c.treated_mean / 1e6, c.control_mean / 1e6)};
       }},
      {"fig7ab", "More nodes lower the downtime and the migrations (dedicated)", "lower",
       [](const fs::path& d) {
         return trend(results_of(d), "environment.nodes", false,
                      {{"downtime", "downtime_pct", kLower}, {"migrations", "migrations_total", kLower}});
       }},
      {"fig7ab", "A higher demand raises the downtime (dedicated)", "higher",
       [](const fs::path& d) {
         const ChangeEstimate c = sweep_pair(results_of(d), "demand.mode", "high", "low", "downtime_pct");
         return Measured{{{"", c, kHigher, "points", std::nullopt}},
                         fmt::format("paired runs, high demand against low; {:.3f} % against {:.3f} %", c.treated_mean,
                                     c.control_mean)};
       }},
      {"fig7cd", "More nodes lower the downtime (generic environment)", "lower",
       [](const fs::path& d) {
         return trend(results_of(d), "environment.nodes", false, {{"downtime", "downtime_pct", kLower}});
       }},
      {"fig8", "A smaller K gives more migrations and less downtime", "more, less",
       [](const fs::path& d) {
         return trend(results_of(d), "control.k", true,
                      {{"migrations", "migrations_total", kHigher}, {"downtime", "downtime_pct", kLower}});
       }},
      {"fig9a", "Data transmission is the longest phase of a live migration", "longest",
       [](const fs::path& d) {
         const ChangeEstimate c =
             report::column_change(results_of(d), {"live_phases_prepare_s", "live_phases_copy_s"},
                                   {"live_phases_downtime_s"}, {{"migration.protocol", "pre-copy"}});
         return Measured{{{"", c, kHigher, "s", std::nullopt}},
                         fmt::format("pre-copy: prepare + copy ({:.2f} s; prepare is mostly the image's transfer, copy "
                                     "the state's rounds) against the downtime ({:.2f} s)",
                                     c.treated_mean, c.control_mean)};
       }},
      {"fig9b", "Selecting the nodes stays fast even for 1,000 devices and 500 VFs", "small",
       [](const fs::path& d) {
         const auto t = results_of(d);
         const std::string many = extremes(t, "environment.nodes").second;
         const ChangeEstimate c = report::column_change(t, {"deployment_placement_s"}, {"deployment_transfer_s"},
                                                        {{"environment.nodes", many}});
         return Measured{{{"", c, kLower, "s", std::nullopt}},
                         fmt::format("at {} nodes: placement {:.3f} s against the images' transfer {:.1f} s", many,
                                     c.treated_mean, c.control_mean)};
       }},
      {"fig10", "vfo's autoscaling changes the average environment cost against Kubernetes", "-12.54 %",
       [](const fs::path& d) {
         const ChangeEstimate c = sweep_pair(results_of(d), "autoscaling.policy", "vfo", "hpa", "mean_cost_per_s");
         return Measured{{{"", c, kLower, "per s", -12.54}},
                         "paired runs (same seeds), mean cost rate over the run, vfo against the HPA"};
       }},
      {"fig10", "vfo follows the demand with fewer deployed VFs than Kubernetes", "fewer (small)",
       [](const fs::path& d) {
         const ChangeEstimate c = sweep_pair(results_of(d), "autoscaling.policy", "vfo", "hpa", "mean_replicas");
         return Measured{
             {{"", c, kLower, "replicas", std::nullopt}},
             fmt::format("paired runs; {:.2f} replicas on average against {:.2f}", c.treated_mean, c.control_mean)};
       }},
      {"fig11a", "Cold migration changes the downtime against reset mode", "-40.27 %",
       [](const fs::path& d) {
         const ChangeEstimate c =
             runtime_pair(repetitions_of(d, {"cold", "reset"}, {"downtime_s"}), "cold", "reset", "downtime_s");
         return Measured{{{"", c, kLower, "s", -40.27}},
                         fmt::format("{:.2f} s cold, {:.2f} s reset (mean per repetition), a node killed in each",
                                     c.treated_mean, c.control_mean)};
       }},
      {"loop", "The trained LSTM in the loop changes the downtime against vfo's fitted AR(6)", "lower",
       [](const fs::path& d) {
         const ChangeEstimate c = sweep_pair(results_of(d), "case", "lstm", "ar", "downtime_pct");
         return Measured{{{"", c, kLower, "points", std::nullopt}},
                         fmt::format("paired runs (same seeds and K) with each forecaster; {:.3f} % with the LSTM, "
                                     "{:.3f} % with AR(6); the other baselines in comparison.csv",
                                     c.treated_mean, c.control_mean)};
       }},
      {"fig11b", "Live migration changes the mean fps", "+2 %",
       [](const fs::path& d) {
         const ChangeEstimate c =
             runtime_pair(repetitions_of(d, {"live", "cold"}, {"fps_mean", "fps_sd"}), "live", "cold", "fps_mean");
         return Measured{{{"", c, kHigher, "fps", 2.0}}, "mean fps at the sink, same stress schedule"};
       }},
      {"fig11b", "Live migration changes the fluctuation of fps (standard deviation)", "-76.3 %",
       [](const fs::path& d) {
         const ChangeEstimate c =
             runtime_pair(repetitions_of(d, {"live", "cold"}, {"fps_mean", "fps_sd"}), "live", "cold", "fps_sd");
         return Measured{{{"", c, kLower, "fps", -76.3}}, "standard deviation of fps per second, same stress schedule"};
       }},
  };
}

// ---- running

// The study's arguments after `vfo`, before --out.
std::vector<std::string> study_arguments(const Study& s, const ReproduceOptions& o) {
  std::vector<std::string> args = s.command;
  if (!s.scenario.empty()) args.push_back((fs::path(o.scenarios) / s.scenario).string());
  const std::vector<std::string>& size_args = o.quick ? s.quick_args : s.full_args;
  args.insert(args.end(), size_args.begin(), size_args.end());
  return args;
}

// The command as a user would type it.
std::string command_line(const Study& s, const ReproduceOptions& o, const fs::path& dir) {
  std::vector<std::string> argv = {"vfo"};
  for (std::string& a : study_arguments(s, o)) argv.push_back(std::move(a));
  argv.insert(argv.end(), {"--out", dir.string()});
  return shell_quote(argv);
}

ProcessSpec process_of(const Study& s, const ReproduceOptions& o, const fs::path& exe, const fs::path& dir) {
  ProcessSpec p;
  p.argv = {exe.string()};
  for (std::string& a : study_arguments(s, o)) p.argv.push_back(std::move(a));
  p.argv.insert(p.argv.end(), {"--out", dir.string(), "--quiet"});
  p.stdout_path = dir / "stdout.txt";
  p.stderr_path = dir / "stderr.txt";
  return p;
}

// ---- the report

struct StudyOutcome {
  const Study* study = nullptr;
  std::string command;
  bool ok = false;
  std::string failure;
  double seconds = 0;
  std::vector<std::string> figures;  // relative to --out, sorted
  std::vector<std::string> data;     // its tables (aggregate.csv, summary.json, ...), relative to --out
};

struct ClaimRow {
  const Claim* claim = nullptr;
  std::string command;
  std::optional<Measured> measured;  // nullopt: the study failed or its outputs could not be read
  std::string problem;
};

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string verdict(const ClaimRow& row) {
  if (!row.measured) return "not measured: " + row.problem;
  return report::verdict_name(verdict_of(*row.measured));
}

// The row's class in report.html: its verdict without spaces.
std::string verdict_class(const ClaimRow& row) {
  if (!row.measured) return "not-measured";
  std::string name = report::verdict_name(verdict_of(*row.measured));
  std::replace(name.begin(), name.end(), ' ', '-');
  return name;
}

// How many claims agree, are within noise, differ, or were not measured.
struct Tally {
  int agree = 0, noise = 0, differ = 0, missing = 0;
  explicit Tally(const std::vector<ClaimRow>& rows) {
    for (const ClaimRow& r : rows) {
      if (!r.measured) {
        ++missing;
        continue;
      }
      switch (verdict_of(*r.measured)) {
        case Verdict::kAgrees:
          ++agree;
          break;
        case Verdict::kWithinNoise:
          ++noise;
          break;
        case Verdict::kDiffers:
          ++differ;
          break;
      }
    }
  }
  std::string text() const {
    return fmt::format("{} {} with the paper, {} within noise, {} {}, {} not measured", agree,
                       agree == 1 ? "agrees" : "agree", noise, differ, differ == 1 ? "differs" : "differ", missing);
  }
};

// What the vfo column and the verdicts mean.
constexpr const char* kReading =
    "vfo's number is the mean over replications of the change between paired runs (the same seeds with and "
    "without the mechanism, or along the swept key), with its 95 % confidence interval [low, high] (Student's "
    "t over replications). A claim <b>agrees</b> when the whole interval lies on the paper's side of zero, "
    "<b>differs</b> when it lies on the other side, and is <b>within noise</b> when it contains zero (or "
    "when there is one replication, so no interval). The paper's own number is never copied into vfo's column.";

// kReading in Markdown.
std::string markdown_reading() {
  std::string text = kReading;
  for (const char* tag : {"<b>", "</b>"}) {
    for (auto at = text.find(tag); at != std::string::npos; at = text.find(tag))
      text.replace(at, std::strlen(tag), "**");
  }
  return text;
}

std::string markdown_report(const std::vector<StudyOutcome>& outcomes, const std::vector<ClaimRow>& rows, bool quick,
                            double total_s) {
  std::string md = "# The paper's claims, measured by vfo\n\n";
  md += fmt::format("{} run, {:.0f} s in all. Claims: {}.\n\n{}\n\n", quick ? "Quick (`--quick`)" : "Full", total_s,
                    Tally(rows).text(), markdown_reading());
  md += "| study | claim | paper | vfo | verdict | how | command |\n|---|---|---|---|---|---|---|\n";
  for (const ClaimRow& r : rows) {
    md += fmt::format("| {} | {} | {} | {} | {} | {} | `{}` |\n", r.claim->study, r.claim->text, r.claim->paper,
                      r.measured ? vfo_text(*r.measured) : "-", verdict(r), r.measured ? note_text(*r.measured) : "",
                      r.command);
  }
  for (const StudyOutcome& o : outcomes) {
    md += fmt::format("\n## {}\n\n`{}` ({:.0f} s)", o.study->title, o.command, o.seconds);
    md += o.ok ? "\n\n" : fmt::format(" **failed**: {}\n\n", o.failure);
    if (!o.data.empty()) {
      md += "data:";
      for (const std::string& d : o.data) md += fmt::format(" [{0}]({0})", d);
      md += "\n\n";
    }
    for (const std::string& f : o.figures) md += fmt::format("![{}]({})\n\n", fs::path(f).stem().string(), f);
  }
  return md;
}

constexpr const char* kCheckScript = R"(<script>
// Once everything has loaded: did every image decode, can every relative link be read? The result goes to
// <body data-check>, for a headless browser's DOM dump (file:// reads need --allow-file-access-from-files).
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (i) { return !i.complete || i.naturalWidth === 0; });
  var links = Array.prototype.slice.call(document.querySelectorAll('a[href]')).map(function (a) {
    return a.getAttribute('href');
  }).filter(function (h) { return !/^[a-z]+:/i.test(h) && h.charAt(0) !== '#'; });
  var bad = links.filter(function (h) {
    try { var x = new XMLHttpRequest(); x.open('GET', h, false); x.send(); return x.responseText.length === 0; }
    catch (e) { return true; }
  });
  document.body.setAttribute('data-check', 'images=' + images.length + ' broken=' + broken.length +
    ' links=' + links.length + ' badlinks=' + bad.length +
    (broken.length + bad.length ? ' missing=' + broken.map(function (i) { return i.getAttribute('src'); })
      .concat(bad).join(',') : ''));
});
</script>
)";

std::string html_report(const std::vector<StudyOutcome>& outcomes, const std::vector<ClaimRow>& rows, bool quick,
                        double total_s) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>The paper's claims, measured by "
      "vfo</title>\n";
  h += "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}table{border-collapse:collapse}"
       "td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font-size:90%}.differs{background:#fde2e1}"
       ".agrees{background:#e3f6e3}.within-noise{background:#fff6d5}img{max-width:100%;border:1px solid "
       "#eee;margin:6px 0}code{font-size:85%}</style>\n";
  h += kCheckScript;
  h += "</head><body>\n<h1>The paper's claims, measured by vfo</h1>\n";
  h += fmt::format("<p>{} run, {:.0f} s in all. Claims: {}.</p>\n<p>{}</p>\n",
                   quick ? "Quick (<code>--quick</code>)" : "Full", total_s, Tally(rows).text(), kReading);
  h += "<table><tr><th>study</th><th>claim</th><th>paper</th><th>vfo</th><th>verdict</th><th>how</th><th>command</th></"
       "tr>\n";
  for (const ClaimRow& r : rows) {
    const std::string v = verdict(r);
    h += fmt::format(
        "<tr class=\"{}\"><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td><code>{}</code></td></tr>\n",
        verdict_class(r), r.claim->study, r.claim->study, html_escape(r.claim->text), html_escape(r.claim->paper),
        html_escape(r.measured ? vfo_text(*r.measured) : "-"), html_escape(v),
        html_escape(r.measured ? note_text(*r.measured) : ""), html_escape(r.command));
  }
  h += "</table>\n";
  for (const StudyOutcome& o : outcomes) {
    h += fmt::format("<h2 id=\"{}\">{}</h2>\n<p><code>{}</code> ({:.0f} s){}</p>\n", o.study->id,
                     html_escape(o.study->title), html_escape(o.command), o.seconds,
                     o.ok ? "" : " <strong>failed</strong>: " + html_escape(o.failure));
    if (!o.data.empty()) {
      h += "<p>data:";
      for (const std::string& d : o.data) h += fmt::format(" <a href=\"{0}\">{0}</a>", html_escape(d));
      h += "</p>\n";
    }
    for (const std::string& f : o.figures) {
      h += fmt::format(
          "<figure><img src=\"{0}\" alt=\"{1}\"><figcaption><a href=\"{0}\">{1}</a></figcaption></figure>\n",
          html_escape(f), html_escape(fs::path(f).stem().string()));
    }
  }
  h += "</body></html>\n";
  return h;
}

// The SVG figures a study wrote, relative to `out`, sorted.
std::vector<std::string> figures_of(const fs::path& out, const std::string& id) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(out / id, ec)) {
    if (entry.path().extension() == ".svg") found.push_back(fs::relative(entry.path(), out).generic_string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

// The studies --only names (STUDY[,STUDY...]; every study when empty), in the order of studies(). Throws InputError
// for a name that is no study.
std::vector<Study> selected_studies(const std::string& only) {
  const std::vector<Study> all = studies();
  if (only.empty()) return all;
  std::vector<std::string> ids;
  for (const Study& s : all) ids.push_back(s.id);
  std::vector<std::string> wanted;
  for (std::size_t at = 0; at <= only.size();) {
    const std::size_t comma = std::min(only.find(',', at), only.size());
    const std::string id = only.substr(at, comma - at);
    if (std::find(ids.begin(), ids.end(), id) == ids.end())
      throw InputError(fmt::format("--only {}: no such study '{}' (expected one or more of {}, by commas)", only, id,
                                   join(ids, ", ")));
    wanted.push_back(id);
    at = comma + 1;
  }
  std::vector<Study> kept;
  for (const Study& s : all) {
    if (std::find(wanted.begin(), wanted.end(), s.id) != wanted.end()) kept.push_back(s);
  }
  return kept;
}

void write_reports(const std::vector<StudyOutcome>& outcomes, const ReproduceOptions& o, double total_s);

void run_reproduce(const ReproduceOptions& o) {
  std::vector<Study> all = selected_studies(o.only);
  const auto [shard, shards] = o.shard_text.empty() ? std::pair{1, 1} : parse_shard(o.shard_text);
  {
    std::vector<Study> mine;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (i % static_cast<std::size_t>(shards) == static_cast<std::size_t>(shard - 1)) mine.push_back(all[i]);
    }
    all = std::move(mine);
  }
  for (const Study& s : all) {
    const fs::path scenario = fs::path(o.scenarios) / s.scenario;
    if (!s.scenario.empty() && !fs::exists(scenario)) {
      throw InputError(
          fmt::format("--scenarios {}: {} not found (expected the folder scenarios/paper of vfo's sources)",
                      o.scenarios, scenario.string()));
    }
  }
  const fs::path out(o.out);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create directory ({})", o.out, ec.message()));
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw CommandFailed(fmt::format("cannot find this program's path (/proc/self/exe: {})", ec.message()));

  double planned = 0;
  const auto seconds = [&](const Study& s) { return o.quick ? s.quick_seconds : s.full_seconds; };
  for (const Study& s : all) planned += seconds(s);
  ProgressBar bar(fmt::format("reproduce ({} stud{})", all.size(), all.size() == 1 ? "y" : "ies"), !o.quiet);
  const auto start = std::chrono::steady_clock::now();
  std::vector<StudyOutcome> outcomes;
  double done = 0;
  for (const Study& s : all) {
    const fs::path dir = out / s.id;
    fs::create_directories(dir, ec);
    // The tables the claims read: a stale one from an earlier run must not pass for this run's.
    for (const char* table : {"results.csv", "aggregate.csv", "summary.json", "repetitions.csv"}) {
      fs::remove(dir / table, ec);
    }
    StudyOutcome outcome{&s, command_line(s, o, dir), false, "", 0, {}};
    const auto study_start = std::chrono::steady_clock::now();
    ProcessPool pool(1);
    pool.run(
        {process_of(s, o, exe, dir)},
        [&](std::size_t, const ProcessOutcome& p) {
          outcome.ok = p.ok();
          if (!p.ok()) outcome.failure = fmt::format("{} (see {})", p.describe(), (dir / "stderr.txt").string());
          return true;
        },
        [&] {
          const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - study_start).count();
          bar.update(std::min(0.99, (done + std::min(elapsed, 0.95 * seconds(s))) / planned));
        });
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - study_start).count();
    outcome.figures = figures_of(out, s.id);
    for (const char* table : {"aggregate.csv", "results.csv", "summary.json"}) {
      if (fs::exists(dir / table)) outcome.data.push_back(s.id + "/" + table);
    }
    outcomes.push_back(std::move(outcome));
    done += seconds(s);
    bar.update(std::min(1.0, done / planned));
  }
  bar.done();
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto failed = std::count_if(outcomes.begin(), outcomes.end(), [](const StudyOutcome& s) { return !s.ok; });
  if (shards > 1) {  // a part: its studies and what they did; vfo reproduce merge writes the report
    Json record = {{"shard", shard},
                   {"shards", shards},
                   {"quick", o.quick},
                   {"only", o.only},
                   {"scenarios", fs::absolute(o.scenarios).lexically_normal().string()},
                   {"seconds", total_s},
                   {"studies", Json::array()}};
    for (const StudyOutcome& s : outcomes) {
      record["studies"].push_back({{"id", s.study->id}, {"ok", s.ok}, {"failure", s.failure}, {"seconds", s.seconds}});
    }
    write_file_atomically(out / kShardRecord, record.dump(2) + "\n");
    std::vector<std::string> ids;
    for (const StudyOutcome& s : outcomes) ids.push_back(s.study->id);
    fmt::print(
        "shard {} of {}: {} stud{} ({}) in {:.0f} s, in {}/<study>/; join the shards with: vfo reproduce merge "
        "DIR... --out OUT\n",
        shard, shards, outcomes.size(), outcomes.size() == 1 ? "y" : "ies", join(ids, ", "), total_s, out.string());
    if (failed > 0) throw CommandFailed(fmt::format("{} of {} studies failed", failed, outcomes.size()));
    return;
  }
  write_reports(outcomes, o, total_s);
}

// `vfo reproduce merge DIR... --out OUT`: the shards of one `vfo reproduce --shard I/N` joined: each study's folder
// copied to OUT (unless it is there already), and OUT/report.md and report.html written as the unsharded run
// writes them (each study's time is its shard's).
void merge_reproduce(const std::vector<std::string>& dirs, const std::string& out_text) {
  const fs::path out(out_text);
  std::map<int, std::pair<fs::path, Json>> parts;  // by shard number
  Json first;
  for (const std::string& d : dirs) {
    const fs::path record = fs::path(d) / kShardRecord;
    const Json j =
        Json::parse(read_input_file(record.string(), "the record of a vfo reproduce --shard"), nullptr, false);
    if (!j.is_object() || !j["shard"].is_number_integer() || !j["shards"].is_number_integer() ||
        !j["studies"].is_array() || !j["quick"].is_boolean() || !j["only"].is_string() || !j["scenarios"].is_string()) {
      throw InputError(record.string() + ": not the record of a vfo reproduce --shard (shard, shards, studies, ...)");
    }
    if (first.is_null()) first = j;
    if (j["shards"] != first["shards"] || j["quick"] != first["quick"] || j["only"] != first["only"]) {
      throw InputError(record.string() + ": a shard of another run than " + dirs.front() +
                       " (its number of shards, --quick or --only differ)");
    }
    if (!parts.emplace(j["shard"].get<int>(), std::pair{fs::path(d), j}).second) {
      throw InputError(record.string() + ": shard " + std::to_string(j["shard"].get<int>()) + " given twice");
    }
  }
  const int shards = first["shards"].get<int>();
  for (int i = 1; i <= shards; ++i) {
    if (parts.count(i) == 0) {
      throw InputError(fmt::format("shard {} of {} is missing (give every shard's --out folder)", i, shards));
    }
  }
  ReproduceOptions o;
  o.quick = first["quick"].get<bool>();
  o.only = first["only"].get<std::string>();
  o.scenarios = first["scenarios"].get<std::string>();
  o.out = out_text;
  const std::vector<Study> all = selected_studies(o.only);
  fs::create_directories(out);
  std::vector<StudyOutcome> outcomes;
  double total_s = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& [dir, record] = parts.at(static_cast<int>(i % static_cast<std::size_t>(shards)) + 1);
    const Study& s = all[i];
    const auto ran = std::find_if(record["studies"].begin(), record["studies"].end(),
                                  [&](const Json& r) { return r.value("id", "") == s.id; });
    if (ran == record["studies"].end()) {
      throw InputError((dir / kShardRecord).string() + ": study " + s.id +
                       " is not in it (its shard should have run it)");
    }
    const fs::path from = dir / s.id;
    const fs::path to = out / s.id;
    if (fs::weakly_canonical(from) != fs::weakly_canonical(to)) {
      fs::remove_all(to);
      fs::copy(from, to, fs::copy_options::recursive);
    }
    StudyOutcome outcome{&all[i],
                         command_line(s, o, to),
                         ran->value("ok", false),
                         ran->value("failure", ""),
                         ran->value("seconds", 0.0),
                         figures_of(out, s.id),
                         {}};
    for (const char* table : {"aggregate.csv", "results.csv", "summary.json"}) {
      if (fs::exists(to / table)) outcome.data.push_back(s.id + "/" + table);
    }
    outcomes.push_back(std::move(outcome));
  }
  for (const auto& [shard, part] : parts) total_s = std::max(total_s, part.second.value("seconds", 0.0));
  write_reports(outcomes, o, total_s);
}

// Measures every claim of the studies in `outcomes` and writes OUT/report.md and report.html; throws CommandFailed
// when a study failed.
void write_reports(const std::vector<StudyOutcome>& outcomes, const ReproduceOptions& o, double total_s) {
  const fs::path out(o.out);
  std::vector<ClaimRow> rows;
  const std::vector<Claim> all_claims = claims();
  for (const Claim& c : all_claims) {
    const auto it =
        std::find_if(outcomes.begin(), outcomes.end(), [&](const StudyOutcome& s) { return s.study->id == c.study; });
    if (it == outcomes.end()) continue;
    ClaimRow row{&c, it->command, std::nullopt, ""};
    if (!it->ok) {
      row.problem = "the study failed";
    } else {
      try {
        row.measured = c.measure(out / c.study);
      } catch (const std::exception& e) {
        row.problem = e.what();
      }
    }
    rows.push_back(std::move(row));
  }
  write_file_atomically(out / "report.md", markdown_report(outcomes, rows, o.quick, total_s));
  write_file_atomically(out / "report.html", html_report(outcomes, rows, o.quick, total_s));

  fmt::print("{} stud{} in {:.0f} s: claims: {}\n", outcomes.size(), outcomes.size() == 1 ? "y" : "ies", total_s,
             Tally(rows).text());
  fmt::print("report: {}\n        {}\n", (out / "report.md").string(), (out / "report.html").string());
  const auto failed = std::count_if(outcomes.begin(), outcomes.end(), [](const StudyOutcome& s) { return !s.ok; });
  if (failed > 0)
    throw CommandFailed(fmt::format("{} of {} studies failed; the report says which", failed, outcomes.size()));
}

}  // namespace

void add_reproduce_command(CLI::App& app) {
  auto options = std::make_shared<ReproduceOptions>();
  CLI::App* reproduce =
      app.add_subcommand("reproduce", "Run every study of the paper and write DIR/report.md and DIR/report.html");
  reproduce->add_flag("--quick", options->quick, "every study at CI size: 6 to 8 minutes on 2 cores (wall clock)");
  std::string names;
  for (const Study& s : studies()) names += (names.empty() ? "" : ", ") + s.id;
  reproduce->add_option("--only", options->only, "run only these studies, by commas: " + names);
  reproduce->add_option("--shard", options->shard_text,
                        "run only the I-th of N disjoint parts of the studies (I/N); vfo reproduce merge joins the "
                        "parts and writes the report");
  reproduce->add_option("--scenarios", options->scenarios, "the folder of the paper's scenarios")
      ->capture_default_str();
  CLI::Option* out = reproduce->add_option("--out", options->out, "output directory");
  reproduce->add_flag("--quiet", options->quiet, "no progress bar");
  auto merge_dirs = std::make_shared<std::vector<std::string>>();
  auto merge_out = std::make_shared<std::string>();
  CLI::App* merge = reproduce->add_subcommand(
      "merge", "Join the shards of a vfo reproduce --shard I/N and write the report of the whole");
  merge->add_option("DIR", *merge_dirs, "each shard's --out folder")->required();
  merge->add_option("--out", *merge_out, "output directory")->required();
  merge->callback([=] { merge_reproduce(*merge_dirs, *merge_out); });
  reproduce->callback([options, out, merge] {
    if (merge->parsed()) return;
    if (out->count() == 0) throw InputError("--out: missing (expected the output directory)");
    run_reproduce(*options);
  });
}

}  // namespace vfo::cli
