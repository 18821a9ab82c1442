// `vfo sweep FILE --out DIR [--jobs N] [--replications R] [--set KEY=VALUE]... [--grid KEY=[V, ...]]... [--quiet]
//            [--no-wall-time]`
//
// Runs `vfo sim` once per grid point of the file's `sweep:` section (vfo/scenario/sweep_spec.hpp) and per
// replication, as child processes (at most --jobs at a time), then writes:
//   DIR/runs/<index>/   each run's summary.json, services.csv, stderr.txt, stdout.txt and command.txt
//   DIR/results.csv     one row per run, in run order: grid keys, replication, seed, the summary's metrics
//   DIR/aggregate.csv   one row per grid point: mean, standard deviation (m_sd), number of values (m_n) and
//                       95 % CI half-width (m_ci95) of every numeric metric (vfo/report/aggregate.hpp)
//   DIR/figures/        <file>.dat, <file>.gp, <file>.svg, <file>.png per figure of the sweep (a timeline
//                       figure reads the timeline.csv that a run of the autoscaling study writes)
// Run index = grid point * replications + replication; grid points are the cartesian product of the grid in
// file order, last key fastest. Replication r of every grid point uses seed derive_seed(scenario seed, r):
// runs that differ only in a grid value face the same random draws (common random numbers), so they are paired.
// --grid KEY=[V, ...] keeps only those values of a grid key (restrict_grid).
//
// Everything is validated before the first run: the file, each --set, each grid value and each grid point
// (with the scenario loader), and the figures against the grid; a figure's metric is checked against the first
// finished run's summary. A child that exits 2 (bad input) aborts the sweep with its message and exit code 2;
// any other failure stops the sweep, prints the run's parameters and stderr, and exits 1.
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli.hpp"
#include "cli/process_pool.hpp"
#include "vfo/report/aggregate.hpp"
#include "vfo/report/csv_table.hpp"
#include "vfo/report/delivery_figure.hpp"
#include "vfo/report/gnuplot.hpp"
#include "vfo/report/run_results.hpp"
#include "vfo/scenario/scenario_loader.hpp"
#include "vfo/scenario/sweep_spec.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/random.hpp"
#include "vfo/util/text.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;

struct SweepOptions {
  std::string file;
  std::string out;
  std::optional<int> jobs;
  std::optional<int> replications;
  std::vector<std::string> overrides;
  std::vector<std::string> grids;  // --grid KEY=[V, ...]
  bool quiet = false;
  bool no_wall_time = false;
};

struct Run {
  std::size_t point = 0;
  int replication = 0;
  std::uint64_t seed = 0;
  fs::path dir;
};

std::string format_duration(double seconds) {
  if (seconds < 90) return fmt::format("{:.0f} s", seconds);
  if (seconds < 5400) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// Progress of the runs on stderr: a bar redrawn in place when stderr is a terminal, else a line at every
// 10% step. Not thread-safe.
class SweepProgress {
 public:
  SweepProgress(std::size_t total, bool enabled)
      : total_(total), enabled_(enabled), tty_(isatty(fileno(stderr)) != 0), start_(std::chrono::steady_clock::now()) {}

  void update(std::size_t done) {
    if (!enabled_ || total_ == 0) return;
    done_ = done;
    if (tty_) {
      draw_bar();
    } else {
      const std::size_t step = done * 10 / total_;
      if (step == last_step_) return;
      last_step_ = step;
      fmt::print(stderr, "sweep: {}\n", status());
      std::fflush(stderr);
    }
  }
  void tick() {
    if (enabled_ && tty_) draw_bar();
  }
  void finish() {
    if (enabled_ && tty_ && drawn_) fmt::print(stderr, "\n");
    drawn_ = false;  // a second call prints nothing
  }

 private:
  std::string status() const {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string eta = "eta ?";
    if (done_ == total_) {
      eta = "took " + format_duration(elapsed);
    } else if (done_ > 0) {
      eta = "eta " + format_duration(elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_));
    }
    return fmt::format("{}/{} runs, {:.0f}%, {}", done_, total_, 100.0 * static_cast<double>(done_) / total_, eta);
  }
  void draw_bar() {
    constexpr std::size_t kWidth = 30;
    const std::size_t filled = done_ * kWidth / total_;
    const std::string line =
        fmt::format("sweep [{}{}] {}", std::string(filled, '#'), std::string(kWidth - filled, '.'), status());
    fmt::print(stderr, "\r{:<{}}", line, std::max(line.size(), width_));
    width_ = line.size();
    drawn_ = true;
    std::fflush(stderr);
  }

  std::size_t total_;
  bool enabled_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::size_t done_ = 0;
  std::size_t last_step_ = 0;
  std::size_t width_ = 0;
  bool drawn_ = false;
};

// The last non-empty line of a file (after the last '\r' on it), or "".
std::string last_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    const auto cr = line.find_last_of('\r');
    if (cr != std::string::npos) line = line.substr(cr + 1);
    if (!trim(line).empty()) last = line;
  }
  return last;
}

// The last `n` lines of a file.
std::vector<std::string> tail(const fs::path& path, std::size_t n) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > n) lines.erase(lines.begin());
  }
  return lines;
}

// --set overrides may not touch what the grid varies (a key, a parent or a child of one).
void check_overrides(const SweepSpec& spec, const std::vector<std::string>& overrides) {
  for (const auto& text : overrides) {
    const auto equals = text.find('=');
    if (equals == std::string::npos) continue;  // the scenario loader has said so already
    const std::string key = trim(std::string_view(text).substr(0, equals));
    for (std::size_t a = 0; a < spec.grid.size(); ++a) {
      const SweepAxis& axis = spec.grid[a];
      bool overlaps = false;
      for (std::size_t v = 0; v < axis.values.size(); ++v) {
        for (const std::string& varied : spec.value_overrides(a, v)) {
          const std::string varied_key = varied.substr(0, varied.find('='));
          overlaps |= key == varied_key || varied_key.rfind(key + ".", 0) == 0 || key.rfind(varied_key + ".", 0) == 0;
        }
      }
      if (overlaps) {
        throw InputError(
            fmt::format("--set {}: {} is varied by the sweep ({}:{}) (expected a key that is not in "
                        "sweep.grid, or a change of the grid in the file)",
                        text, axis.key, spec.source_file, axis.line));
      }
    }
  }
}

// Loads the scenario with --set and `grid_overrides`; on bad input returns the loader's message, without the
// "--set KEY=VALUE: " it puts before a message about one of the grid's overrides.
std::optional<std::string> try_load(const SweepOptions& o, const std::vector<std::string>& grid_overrides,
                                    std::uint64_t* seed) {
  std::vector<std::string> all = o.overrides;
  all.insert(all.end(), grid_overrides.begin(), grid_overrides.end());
  try {
    *seed = load_scenario(o.file, all).seed;
    return std::nullopt;
  } catch (const InputError& e) {
    std::string message = e.what();
    for (const auto& g : grid_overrides) {
      const std::string prefix = "--set " + g + ": ";
      if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
    }
    return message;
  }
}

// Checks every grid point with the scenario loader and returns each point's scenario seed. A failing point is
// blamed on one of its values, at that value's line, when that value alone fails with the same message;
// otherwise on the combination, at the line of `sweep:` (values may be valid only together, e.g. demand.mode
// custom with a demand.rate_per_hour).
std::vector<std::uint64_t> validate_grid(const SweepOptions& o, const SweepSpec& spec) {
  std::vector<std::uint64_t> seeds;
  for (std::size_t p = 0; p < spec.points(); ++p) {
    const auto overrides = spec.point_overrides(p);
    std::uint64_t seed = 0;
    const auto error = try_load(o, overrides, &seed);
    if (!error) {
      seeds.push_back(seed);
      continue;
    }
    const auto digits = spec.point(p);
    for (std::size_t a = 0; a < spec.grid.size(); ++a) {
      if (try_load(o, spec.value_overrides(a, digits[a]), &seed) == error) {
        throw InputError(fmt::format("{}:{}: sweep.grid: {}", o.file, spec.grid[a].value_lines[digits[a]], *error));
      }
    }
    throw InputError(
        fmt::format("{}:{}: sweep.grid point {}: {}", o.file, std::max(spec.line, 1), join(overrides, ", "), *error));
  }
  return seeds;
}

void make_directory(const fs::path& dir, const std::string& flag) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError(fmt::format("{} {}: cannot create directory ({})", flag, dir.string(), ec.message()));
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A timeline figure: column figure.y of the timeline.csv of each shown grid point's first replication (runs
// index point x replications), one line per point, labelled by its series values.
report::RenderResult render_timeline(const SweepSpec& spec, const report::FigureSpec& figure, const fs::path& runs_dir,
                                     const fs::path& figures_dir, const std::optional<fs::path>& gnuplot) {
  const std::vector<std::string> keys = spec.keys();
  std::vector<report::DeliverySeries> series;
  for (std::size_t p = 0; p < spec.points(); ++p) {
    const auto values = spec.point_values(p);
    const auto value_of = [&](const std::string& key) {
      return values[std::find(keys.begin(), keys.end(), key) - keys.begin()];
    };
    const bool shown = std::all_of(figure.where.begin(), figure.where.end(),
                                   [&](const auto& kv) { return value_of(kv.first) == kv.second; });
    if (!shown) continue;
    std::vector<std::string> label;
    for (const auto& key : figure.series)
      label.push_back(figure.series.size() > 1 ? key + "=" + value_of(key) : value_of(key));
    const fs::path csv = runs_dir / std::to_string(p * static_cast<std::size_t>(spec.replications)) / "timeline.csv";
    const report::CsvTable table =
        report::CsvTable::parse(read_input_file(csv.string(), "the timeline.csv of a finished run"), csv.string());
    if (!table.column_index("time_s") || !table.column_index(figure.y)) {
      throw InputError(fmt::format("{}: figure {}: y: '{}' is not a column of {} (expected one of: {})", figure.source,
                                   figure.file, figure.y, csv.string(), join(table.columns())));
    }
    report::DeliverySeries line{label.empty() ? figure.y : join(label, ", "), {}};
    for (std::size_t r = 0; r < table.size(); ++r) {
      const auto t = report::parse_number(table.at(r, "time_s"));
      const auto y = report::parse_number(table.at(r, figure.y));
      if (t && y) line.points.emplace_back(*t, *y);
    }
    series.push_back(std::move(line));
  }
  report::RenderResult result;
  result.files = report::write_delivery_figure(series, {}, figure.title.empty() ? figure.y : figure.title, figures_dir,
                                               figure.file, {figure.ylabel.empty() ? figure.y : figure.ylabel});
  if (!gnuplot) {
    result.outcome = report::RenderResult::Outcome::kGnuplotMissing;
    return result;
  }
  const fs::path gp = result.files.gp;
  const report::FigureFiles files = result.files;
  result = report::run_gnuplot(*gnuplot, gp);
  result.files = files;
  return result;
}

// The numeric metrics of one summary that reach aggregate.csv, for checking the figures' metrics.
std::vector<std::string> numeric_metrics(const std::vector<report::Metric>& metrics) {
  std::vector<std::string> names;
  for (const auto& [name, value] : metrics) {
    if (name == "seed" || name == "replication") continue;  // columns of results.csv that are not aggregated
    if (!value.empty() && report::parse_number(value)) names.push_back(name);
  }
  return names;
}

void run_sweep(const SweepOptions& o) {
  // Validate everything before the first run.
  load_scenario(o.file, o.overrides);
  SweepSpec spec = load_sweep_spec(o.file);
  for (const auto& g : o.grids) restrict_grid(spec, g);
  if (o.replications) spec.replications = *o.replications;
  check_overrides(spec, o.overrides);
  const std::vector<std::uint64_t> point_seeds = validate_grid(o, spec);

  const fs::path out(o.out);
  const fs::path figures_dir = out / "figures";
  make_directory(out / "runs", "--out");

  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error(fmt::format("cannot find this program's path (/proc/self/exe: {})", ec.message()));

  // The runs, in index order.
  const auto replications = static_cast<std::size_t>(spec.replications);
  std::vector<Run> runs;
  std::vector<ProcessSpec> processes;
  for (std::size_t p = 0; p < spec.points(); ++p) {
    for (std::size_t r = 0; r < replications; ++r) {
      Run run;
      run.point = p;
      run.replication = static_cast<int>(r);
      run.seed = derive_seed(point_seeds[p], static_cast<std::uint64_t>(r));
      run.dir = out / "runs" / std::to_string(runs.size());
      ProcessSpec process;
      process.argv = {exe.string(),     "sim",    o.file, "--seed", std::to_string(run.seed), "--out",
                      run.dir.string(), "--quiet"};
      if (o.no_wall_time) process.argv.emplace_back("--no-wall-time");
      for (const auto& s : o.overrides) process.argv.insert(process.argv.end(), {"--set", s});
      for (const auto& s : spec.point_overrides(p)) process.argv.insert(process.argv.end(), {"--set", s});
      process.stdout_path = run.dir / "stdout.txt";
      process.stderr_path = run.dir / "stderr.txt";
      make_directory(run.dir, "--out");
      fs::remove(run.dir / "summary.json", ec);  // a stale summary must not pass for this run's
      write_file(run.dir / "command.txt", shell_quote(process.argv) + "\n");
      runs.push_back(std::move(run));
      processes.push_back(std::move(process));
    }
  }

  const std::size_t jobs =
      o.jobs ? static_cast<std::size_t>(*o.jobs) : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  if (!o.quiet) {
    fmt::print(stderr, "sweep: {} runs ({} grid point{} x {} replication{}), {} at a time, in {}\n", runs.size(),
               spec.points(), spec.points() == 1 ? "" : "s", replications, replications == 1 ? "" : "s",
               std::min(jobs, runs.size()), (out / "runs").string());
  }

  auto describe_run = [&](std::size_t index) {
    const Run& run = runs[index];
    std::vector<std::string> parts = spec.point_overrides(run.point);
    parts.push_back(fmt::format("replication={}", run.replication));
    parts.push_back(fmt::format("seed={}", run.seed));
    return fmt::format("run {} ({})", index, join(parts, ", "));
  };

  std::vector<std::optional<std::vector<report::Metric>>> summaries(runs.size());
  std::size_t finished = 0;
  bool metrics_checked = false;
  SweepProgress progress(runs.size(), !o.quiet);
  std::string failure;     // set when a run failed for a reason other than bad input
  std::size_t failed = 0;  // ... and which
  ProcessPool pool(jobs);
  const bool all_ran = pool.run(
      processes,
      [&](std::size_t index, const ProcessOutcome& outcome) {
        const Run& run = runs[index];
        if (outcome.exit_code == kExitBadInput) {
          progress.finish();
          const std::string line = last_line(processes[index].stderr_path);
          throw InputError(line.empty() ? fmt::format("{}: vfo sim reported bad input with no message (see {})",
                                                      describe_run(index), processes[index].stderr_path.string())
                                        : line);
        }
        if (outcome.ok()) {
          try {
            summaries[index] = report::read_summary((run.dir / "summary.json").string());
          } catch (const InputError& e) {
            failure = fmt::format("{} exited 0 but its summary is unusable: {}", describe_run(index), e.what());
            failed = index;
            return false;
          }
          if (!metrics_checked) {
            metrics_checked = true;
            try {
              check_figure_metrics(spec, numeric_metrics(*summaries[index]));
            } catch (const InputError&) {
              progress.finish();
              throw;
            }
          }
          progress.update(++finished);
          return true;
        }
        failure = fmt::format("{} failed ({})", describe_run(index), outcome.describe());
        failed = index;
        return false;
      },
      [&] { progress.tick(); });
  progress.finish();

  if (!all_ran) {
    const std::size_t index = failed;
    fmt::print(stderr, "sweep: {}\n", failure);
    fmt::print(stderr, "  command: {}\n", shell_quote(processes[index].argv));
    fmt::print(stderr, "  stderr ({}):\n", processes[index].stderr_path.string());
    for (const auto& line : tail(processes[index].stderr_path, 10)) fmt::print(stderr, "    {}\n", line);
    throw CommandFailed(fmt::format("sweep stopped after {} of {} runs; finished runs are in {}", finished, runs.size(),
                                    (out / "runs").string()));
  }

  // Results and aggregate, in run order.
  std::vector<report::RunRecord> records;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    records.push_back({spec.point_values(runs[i].point), runs[i].replication, runs[i].seed, *summaries[i]});
  }
  const report::CsvTable results = report::make_results_table(spec.keys(), records);
  results.write(out / "results.csv");
  const report::CsvTable aggregate = report::aggregate_replications(results, spec.keys(), {"replication", "seed"});
  aggregate.write(out / "aggregate.csv");

  // Figures.
  std::vector<std::string> pictures;
  std::vector<std::string> scripts;
  bool gnuplot_missing = false;
  if (!spec.figures.empty()) {
    const auto gnuplot = report::find_gnuplot();
    for (const auto& figure : spec.figures) {
      const report::RenderResult result = figure.kind == report::FigureKind::kTimeline
                                              ? render_timeline(spec, figure, out / "runs", figures_dir, gnuplot)
                                              : report::render_figure(aggregate, figure, figures_dir, gnuplot);
      scripts.push_back(result.files.gp.string());
      switch (result.outcome) {
        case report::RenderResult::Outcome::kRendered:
          pictures.push_back(result.files.svg.string());
          break;
        case report::RenderResult::Outcome::kGnuplotMissing:
          gnuplot_missing = true;
          break;
        case report::RenderResult::Outcome::kGnuplotFailed:
          fmt::print(stderr, "sweep: figure {}: {}\n", figure.file, result.message);
          break;
      }
    }
  }

  fmt::print("results: {}\n", (out / "results.csv").string());
  fmt::print("aggregate: {}\n", (out / "aggregate.csv").string());
  fmt::print("runs: {}/<index>/ (summary.json, services.csv, command.txt, stderr.txt)\n", (out / "runs").string());
  if (!pictures.empty()) fmt::print("figures: {} (and .png)\n", join(pictures, " "));
  if (gnuplot_missing) {
    fmt::print("figures: gnuplot not found; wrote {} (render with: cd {} && gnuplot FILE.gp)\n", join(scripts, " "),
               figures_dir.string());
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a scenario over the grid of its `sweep:` section; writes results.csv, aggregate.csv and figures");
  sweep->add_option("FILE", options->file, "scenario YAML with a sweep: section")->required();
  sweep->add_option("--out", options->out, "output directory")->required();
  sweep->add_option("--jobs", options->jobs, "simulations run at once (default: the number of cores)")
      ->check(CLI::Range(1, 4096));
  sweep->add_option("--replications", options->replications, "runs per grid point (default: sweep.replications)")
      ->check(CLI::Range(1, 1000000));
  sweep->add_option("--set", options->overrides,
                    "override a scenario key in every run, e.g. --set duration_s=600 (not a grid key)");
  sweep->add_option("--grid", options->grids,
                    "keep only some values of a grid key, e.g. --grid 'environment.nodes=[100, 500]'");
  sweep->add_flag("--quiet", options->quiet, "no progress on stderr");
  sweep->add_flag("--no-wall-time", options->no_wall_time,
                  "pass --no-wall-time to every run, so that results.csv is byte-identical across sweeps");
  sweep->callback([options] { run_sweep(*options); });
}

}  // namespace vfo::cli
