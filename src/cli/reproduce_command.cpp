// `vfo reproduce [--quick] [--only STUDY] [--scenarios DIR] --out DIR`
//
// Runs every study of the paper (issue 9), each as a child `vfo` process (sweep, demo or experiment testbed)
// writing to DIR/<study>/, with one progress bar over them all, then writes DIR/report.md and DIR/report.html:
// every figure of every study (the SVGs beside the report, linked relatively, so the page works offline) and a
// table with one row per claim of the paper: its number, vfo's number measured from the study's outputs, and
// the command that reproduces it. vfo's number is always computed from the outputs; where it differs from the
// paper's, the row says so. --quick runs every study at a size that fits in about 10 minutes on 2 cores.
// report.html carries a small script that, once loaded, checks that every image decoded and every relative
// link can be read, and writes the result into <body data-check="...">; a headless browser's DOM dump shows it.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/process_pool.hpp"
#include "cli/progress_bar.hpp"
#include "vfo/report/csv_table.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/text.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct ReproduceOptions {
  bool quick = false;
  std::string only;
  std::string scenarios = "scenarios/paper";
  std::string out;
  bool quiet = false;
};

// One study: the child command that runs it (after `vfo`), at full and at quick size.
struct Study {
  std::string id;                       // also its folder under --out
  std::string title;                    // e.g. "Fig. 6: downtime with and without overload prediction"
  std::vector<std::string> command;     // vfo COMMAND [SCENARIO] ... --out DIR
  std::string scenario;                 // a file of --scenarios, or "" (the runtime's studies)
  std::vector<std::string> quick_args;  // added with --quick
  double quick_seconds = 1;             // rough durations on 2 cores, for the progress bar
  double full_seconds = 1;
};

std::vector<Study> studies() {
  return {
      {"fig6",
       "Fig. 6: downtime with and without overload prediction (dedicated environment)",
       {"sweep"},
       "dedicated.yaml",
       {"--replications", "1"},
       60,
       150},
      {"fig7ab",
       "Fig. 7a-b: downtime and migrations against nodes and demand (dedicated)",
       {"sweep"},
       "dedicated-demand.yaml",
       {"--replications", "1"},
       25,
       60},
      {"fig7cd",
       "Fig. 7c-d: downtime and migrations against nodes and demand (generic environment)",
       {"sweep"},
       "generic-demand.yaml",
       {"--replications", "1"},
       30,
       75},
      {"fig8",
       "Fig. 8: downtime and migration volume against K",
       {"sweep"},
       "generic-k.yaml",
       {"--replications", "1"},
       25,
       70},
      {"fig9a",
       "Fig. 9a: the phases of a live migration",
       {"sweep"},
       "live-phases.yaml",
       {"--replications", "1"},
       6,
       8},
      {"fig9b",
       "Fig. 9b: the steps of a deployment",
       {"sweep"},
       "deployment-timing.yaml",
       {"--replications", "1"},
       8,
       11},
      {"fig10",
       "Fig. 10a-b: autoscaling, vfo against Kubernetes' HPA",
       {"sweep"},
       "autoscaling.yaml",
       {"--replications", "3"},
       5,
       9},
      {"failures",
       "Failure recovery: vfo, reset mode and Kubernetes across failure rates (issue 8)",
       {"sweep"},
       "failure-recovery.yaml",
       {"--replications", "1"},
       8,
       14},
      {"fig11a",
       "Fig. 11a (runtime): downtime of cold migration against reset mode",
       {"demo"},
       "",
       {"--duration", "30", "--kill-at", "10"},
       70,
       130},
      {"fig11b",
       "Fig. 11b (runtime): fps with and without live migration",
       {"experiment", "testbed"},
       "",
       {"--duration", "120", "--nodes", "6"},
       270,
       1260},
  };
}

// ---- measuring the claims from a study's outputs

// aggregate.csv of a sweep study.
report::CsvTable aggregate_of(const fs::path& dir) {
  const fs::path path = dir / "aggregate.csv";
  return report::CsvTable::parse(read_input_file(path, "the aggregate.csv of a finished sweep"), path.string());
}

double number_at(const report::CsvTable& t, std::size_t row, const std::string& column) {
  const auto value = report::parse_number(t.at(row, column));
  if (!value) throw CommandFailed(fmt::format("aggregate.csv: {} of row {} is not a number", column, row + 1));
  return *value;
}

// The mean of `column` over the rows whose `key` equals `value`.
double mean_where(const report::CsvTable& t, const std::string& key, const std::string& value,
                  const std::string& column) {
  double sum = 0;
  int n = 0;
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (t.at(r, key) != value) continue;
    sum += number_at(t, r, column);
    ++n;
  }
  if (n == 0) throw CommandFailed(fmt::format("aggregate.csv: no row with {} = {}", key, value));
  return sum / n;
}

// The smallest and the largest value of a numeric grid key.
std::pair<std::string, std::string> extremes(const report::CsvTable& t, const std::string& key) {
  std::size_t low = 0, high = 0;
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (number_at(t, r, key) < number_at(t, low, key)) low = r;
    if (number_at(t, r, key) > number_at(t, high, key)) high = r;
  }
  return {t.at(low, key), t.at(high, key)};
}

double change_pct(double now, double before) {
  return before != 0 ? 100 * (now / before - 1) : 0;
}

// The change of `column`'s mean from the rows where `key` is `from` to those where it is `to`, in percent.
double change_where(const report::CsvTable& t, const std::string& key, const std::string& to, const std::string& from,
                    const std::string& column) {
  return change_pct(mean_where(t, key, to, column), mean_where(t, key, from, column));
}

std::string signed_pct(double pct) {
  return fmt::format("{:+.1f} %", pct);
}

struct Measured {
  std::string vfo;  // vfo's number, as text
  bool agrees = true;
  std::string note;  // how it was computed, or why it differs
};

// A numeric claim agrees when vfo's change has the paper's sign and is within half of the paper's size of it.
Measured compare_pct(double vfo, double paper, const std::string& how) {
  const bool same_sign = (vfo < 0) == (paper < 0);
  const bool close = std::abs(vfo - paper) <= 0.5 * std::abs(paper);
  Measured m{signed_pct(vfo), same_sign && close, how};
  if (!same_sign) {
    m.note += "; the opposite direction to the paper's";
  } else if (!close) {
    m.note += "; the same direction, a different size";
  }
  return m;
}

// A trend claim of Fig. 7: each metric (downtime_pct, migrations_total) is lower at the most nodes than at the
// fewest.
Measured more_nodes_lower(const report::CsvTable& t, const std::vector<std::string>& metrics) {
  const auto [few, many] = extremes(t, "environment.nodes");
  Measured m{"", true, fmt::format("{} nodes against {}", many, few)};
  for (const std::string& metric : metrics) {
    const double change = change_where(t, "environment.nodes", many, few, metric);
    const std::string name = metric == "downtime_pct" ? "downtime" : "migrations";
    m.vfo += (m.vfo.empty() ? "" : ", ") + (metrics.size() > 1 ? name + " " : "") + signed_pct(change);
    m.agrees = m.agrees && change < 0;
  }
  return m;
}

struct Claim {
  std::string study;
  std::string text;
  std::string paper;
  std::function<Measured(const fs::path& dir)> measure;
};

std::vector<Claim> claims() {
  return {
      {"fig6", "Overload prediction (live migration) changes the mean service downtime", "-34.2 %",
       [](const fs::path& d) {
         const auto t = aggregate_of(d);
         const double with = mean_where(t, "control.live_migration", "true", "downtime_pct");
         const double without = mean_where(t, "control.live_migration", "false", "downtime_pct");
         return compare_pct(change_pct(with, without), -34.2,
                            fmt::format("mean downtime over the grid {:.3f} % with, {:.3f} % without", with, without));
       }},
      {"fig6", "Overload prediction changes the data volume moved by migrations", "+19.1 %",
       [](const fs::path& d) {
         const auto t = aggregate_of(d);
         const double with = mean_where(t, "control.live_migration", "true", "migration_bytes");
         const double without = mean_where(t, "control.live_migration", "false", "migration_bytes");
         return compare_pct(change_pct(with, without), 19.1,
                            fmt::format("{:.1f} MB with, {:.1f} MB without (mean per run)", with / 1e6, without / 1e6));
       }},
      {"fig7ab", "More nodes lower the downtime and the migrations (dedicated)", "lower",
       [](const fs::path& d) {
         return more_nodes_lower(aggregate_of(d), {"downtime_pct", "migrations_total"});
       }},
      {"fig7ab", "A higher demand raises the downtime (dedicated)", "higher",
       [](const fs::path& d) {
         const auto t = aggregate_of(d);
         const double high = mean_where(t, "demand.mode", "high", "downtime_pct");
         const double low = mean_where(t, "demand.mode", "low", "downtime_pct");
         return Measured{signed_pct(change_pct(high, low)), high > low, "high demand against low"};
       }},
      {"fig7cd", "More nodes lower the downtime (generic environment)", "lower",
       [](const fs::path& d) { return more_nodes_lower(aggregate_of(d), {"downtime_pct"}); }},
      {"fig8", "A smaller K gives more migrations and less downtime", "more, less",
       [](const fs::path& d) {
         const auto t = aggregate_of(d);
         const auto [small, large] = extremes(t, "control.k");
         const double moves = change_where(t, "control.k", small, large, "migrations_total");
         const double down = change_where(t, "control.k", small, large, "downtime_pct");
         return Measured{fmt::format("migrations {}, downtime {}", signed_pct(moves), signed_pct(down)),
                         moves > 0 && down < 0, fmt::format("K = {} against K = {}", small, large)};
       }},
      {"fig9a", "Data transmission is the longest phase of a live migration", "longest",
       [](const fs::path& d) {
         const auto t = aggregate_of(d);
         const double prepare = mean_where(t, "migration.protocol", "pre-copy", "live_phases_prepare_s");
         const double copy = mean_where(t, "migration.protocol", "pre-copy", "live_phases_copy_s");
         const double down = mean_where(t, "migration.protocol", "pre-copy", "live_phases_downtime_s");
         return Measured{fmt::format("prepare {:.2f} s, copy {:.2f} s, downtime {:.2f} s", prepare, copy, down),
                         prepare + copy > down,
                         "pre-copy; prepare is mostly the image's transfer, copy the state's rounds"};
       }},
      {"fig9b", "Selecting the nodes stays fast even for 1,000 devices and 500 VFs", "small",
       [](const fs::path& d) {
         const auto t = aggregate_of(d);
         const auto [few, many] = extremes(t, "environment.nodes");
         const double placement = mean_where(t, "environment.nodes", many, "deployment_placement_s");
         const double transfer = mean_where(t, "environment.nodes", many, "deployment_transfer_s");
         return Measured{fmt::format("{:.3f} s to place at {} nodes", placement, many), placement < transfer,
                         fmt::format("placement against the images' transfer ({:.1f} s)", transfer)};
       }},
      {"fig10", "vfo's autoscaling changes the average environment cost against Kubernetes", "-12.54 %",
       [](const fs::path& d) {
         const auto t = aggregate_of(d);
         const double vfo = mean_where(t, "autoscaling.policy", "vfo", "mean_cost_per_s");
         const double hpa = mean_where(t, "autoscaling.policy", "hpa", "mean_cost_per_s");
         return compare_pct(change_pct(vfo, hpa), -12.54, "mean cost rate over the run, vfo against the HPA");
       }},
      {"fig10", "vfo follows the demand with fewer deployed VFs than Kubernetes", "fewer (small)",
       [](const fs::path& d) {
         const auto t = aggregate_of(d);
         const double vfo = mean_where(t, "autoscaling.policy", "vfo", "mean_replicas");
         const double hpa = mean_where(t, "autoscaling.policy", "hpa", "mean_replicas");
         return Measured{signed_pct(change_pct(vfo, hpa)), vfo < hpa,
                         fmt::format("{:.2f} replicas on average against {:.2f}", vfo, hpa)};
       }},
      {"fig11a", "Cold migration changes the downtime against reset mode", "-40.27 %",
       [](const fs::path& d) {
         const Json s = Json::parse(read_input_file(d / "summary.json", "the demo's summary.json"));
         return compare_pct(
             s.at("downtime_change_pct").get<double>(), -40.27,
             fmt::format("{:.2f} s cold, {:.2f} s reset, one node killed", s.at("cold").at("downtime_s").get<double>(),
                         s.at("reset").at("downtime_s").get<double>()));
       }},
      {"fig11b", "Live migration changes the mean fps", "+2 %",
       [](const fs::path& d) {
         const Json s = Json::parse(read_input_file(d / "summary.json", "the testbed's summary.json"));
         const double change = s.at("fps_mean_change_pct").get<double>();
         Measured m{signed_pct(change), change >= 0 && change <= 10, "mean fps at the sink, same stress schedule"};
         if (!m.agrees) m.note += "; differs from the paper's small gain";
         return m;
       }},
      {"fig11b", "Live migration changes the fluctuation of fps (standard deviation)", "-76.3 %",
       [](const fs::path& d) {
         const Json s = Json::parse(read_input_file(d / "summary.json", "the testbed's summary.json"));
         return compare_pct(s.at("fps_sd_change_pct").get<double>(), -76.3,
                            "standard deviation of fps per second, same stress schedule");
       }},
  };
}

// ---- running

// The study's arguments after `vfo`, before --out.
std::vector<std::string> study_arguments(const Study& s, const ReproduceOptions& o) {
  std::vector<std::string> args = s.command;
  if (!s.scenario.empty()) args.push_back((fs::path(o.scenarios) / s.scenario).string());
  if (o.quick) args.insert(args.end(), s.quick_args.begin(), s.quick_args.end());
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
  return row.measured->agrees ? "agrees" : "differs";
}

std::string markdown_report(const std::vector<StudyOutcome>& outcomes, const std::vector<ClaimRow>& rows, bool quick,
                            double total_s) {
  std::string md = "# vfo reproduces the paper\n\n";
  md += fmt::format(
      "{} run, {:.0f} s in all. Every number in the vfo column is computed from this run's outputs; "
      "where it differs from the paper's, the row says so.\n\n",
      quick ? "Quick (`--quick`)" : "Full", total_s);
  md += "| study | claim | paper | vfo | verdict | how | command |\n|---|---|---|---|---|---|---|\n";
  for (const ClaimRow& r : rows) {
    md += fmt::format("| {} | {} | {} | {} | {} | {} | `{}` |\n", r.claim->study, r.claim->text, r.claim->paper,
                      r.measured ? r.measured->vfo : "-", verdict(r), r.measured ? r.measured->note : "", r.command);
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
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>vfo reproduces the paper</title>\n";
  h += "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}table{border-collapse:collapse}"
       "td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font-size:90%}.differs{background:#fde2e1}"
       ".agrees{background:#e3f6e3}img{max-width:100%;border:1px solid #eee;margin:6px 0}code{font-size:85%}</style>\n";
  h += kCheckScript;
  h += "</head><body>\n<h1>vfo reproduces the paper</h1>\n";
  h += fmt::format(
      "<p>{} run, {:.0f} s in all. Every number in the vfo column is computed from this run's outputs; "
      "where it differs from the paper's, the row says so.</p>\n",
      quick ? "Quick (<code>--quick</code>)" : "Full", total_s);
  h += "<table><tr><th>study</th><th>claim</th><th>paper</th><th>vfo</th><th>verdict</th><th>how</th><th>command</th></"
       "tr>\n";
  for (const ClaimRow& r : rows) {
    const std::string v = verdict(r);
    h += fmt::format(
        "<tr class=\"{}\"><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td><code>{}</code></td></tr>\n",
        r.measured ? v : "differs", r.claim->study, r.claim->study, html_escape(r.claim->text),
        html_escape(r.claim->paper), html_escape(r.measured ? r.measured->vfo : "-"), html_escape(v),
        html_escape(r.measured ? r.measured->note : ""), html_escape(r.command));
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

void run_reproduce(const ReproduceOptions& o) {
  std::vector<Study> all = studies();
  if (!o.only.empty()) {
    std::vector<std::string> ids;
    for (const Study& s : all) ids.push_back(s.id);
    const auto it = std::find(ids.begin(), ids.end(), o.only);
    if (it == ids.end())
      throw InputError(fmt::format("--only {}: no such study (expected one of {})", o.only, join(ids, ", ")));
    all = {all[static_cast<std::size_t>(it - ids.begin())]};
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

  int agree = 0, differ = 0, missing = 0;
  for (const ClaimRow& r : rows) (r.measured ? (r.measured->agrees ? agree : differ) : missing) += 1;
  fmt::print("{} stud{} in {:.0f} s: {} claims agree with the paper, {} differ, {} not measured\n", outcomes.size(),
             outcomes.size() == 1 ? "y" : "ies", total_s, agree, differ, missing);
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
  reproduce->add_flag("--quick", options->quick, "every study at a size that fits in about 10 minutes on 2 cores");
  reproduce->add_option("--only", options->only, "run one study (fig6, fig7ab, ..., fig11b)");
  reproduce->add_option("--scenarios", options->scenarios, "the folder of the paper's scenarios")
      ->capture_default_str();
  reproduce->add_option("--out", options->out, "output directory")->required();
  reproduce->add_flag("--quiet", options->quiet, "no progress bar");
  reproduce->callback([options] { run_reproduce(*options); });
}

}  // namespace vfo::cli
