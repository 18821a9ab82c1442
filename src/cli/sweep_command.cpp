// `vfo sweep FILE --out DIR [--jobs N] [--replications R] [--set KEY=VALUE]... [--grid KEY=[V, ...]]... [--quiet]
//            [--no-wall-time] [--shard I/N]`
// `vfo sweep merge DIR... --out OUT [--quiet]`
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
// A run the sweep took the summary of is marked DIR/runs/<index>/finished (its `vfo sim` arguments, with the run's
// folder relative to DIR): the same command again runs only the runs not marked so. DIR/sweep.json records what
// was asked. --shard I/N runs the runs whose index % N == I - 1 and writes no results; `vfo sweep merge` checks
// that its folders are the N parts of one sweep, each run finished with the arguments the whole sweep gives it,
// copies the runs into OUT/runs and writes results, aggregate and figures as the unsharded sweep does.
//
// Everything is validated before the first run: the file, each --set, each grid value and each grid point
// (with the scenario loader), and the figures against the grid; a figure's metric is checked against the first
// finished run's summary. A child that exits 2 (bad input) aborts the sweep with its message and exit code 2;
// any other failure stops the sweep, prints the run's parameters and stderr, and exits 1.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli.hpp"
#include "cli/process_pool.hpp"
#include "cli/shard.hpp"
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
  std::string shard_text;  // --shard I/N: this process runs the runs whose index % N == I - 1
  int shard = 1;
  int shards = 1;
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

// A sweep's runs, in index order, and the processes that run them.
struct SweepPlan {
  SweepSpec spec;
  std::vector<Run> runs;
  std::vector<ProcessSpec> processes;
  // The arguments of run i's `vfo sim` (its argv without the program), as its `finished` file records them.
  std::vector<std::string> arguments;
};

// The plan of the sweep `o` asks for, validated before anything runs (the file, each --set, each grid point);
// run directories under `out`. Run i's command uses the scenario file's absolute path, so that shards run from
// other folders (or machines sharing the file system) agree on it.
SweepPlan plan_sweep(const SweepOptions& o, const fs::path& out) {
  load_scenario(o.file, o.overrides);
  SweepPlan plan{load_sweep_spec(o.file), {}, {}, {}};
  SweepSpec& spec = plan.spec;
  for (const auto& g : o.grids) restrict_grid(spec, g);
  if (o.replications) spec.replications = *o.replications;
  check_overrides(spec, o.overrides);
  const std::vector<std::uint64_t> point_seeds = validate_grid(o, spec);

  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error(fmt::format("cannot find this program's path (/proc/self/exe: {})", ec.message()));
  const std::string file = fs::absolute(o.file).lexically_normal().string();
  const auto replications = static_cast<std::size_t>(spec.replications);
  for (std::size_t p = 0; p < spec.points(); ++p) {
    for (std::size_t r = 0; r < replications; ++r) {
      Run run;
      run.point = p;
      run.replication = static_cast<int>(r);
      run.seed = derive_seed(point_seeds[p], static_cast<std::uint64_t>(r));
      run.dir = out / "runs" / std::to_string(plan.runs.size());
      ProcessSpec process;
      process.argv = {exe.string(),     "sim",    file, "--seed", std::to_string(run.seed), "--out",
                      run.dir.string(), "--quiet"};
      if (o.no_wall_time) process.argv.emplace_back("--no-wall-time");
      for (const auto& s : o.overrides) process.argv.insert(process.argv.end(), {"--set", s});
      for (const auto& s : spec.point_overrides(p)) process.argv.insert(process.argv.end(), {"--set", s});
      std::vector<std::string> arguments(process.argv.begin() + 1, process.argv.end());
      arguments[5] = fs::path(run.dir).lexically_relative(out).string();  // the run's place, wherever `out` is
      process.stdout_path = run.dir / "stdout.txt";
      process.stderr_path = run.dir / "stderr.txt";
      plan.arguments.push_back(shell_quote(arguments));
      plan.runs.push_back(std::move(run));
      plan.processes.push_back(std::move(process));
    }
  }
  return plan;
}

// The file a run's directory holds once the sweep has taken its summary: its arguments. A run whose file says the
// arguments it would run with now is not run again (an interrupted sweep, started again, runs what is missing).
fs::path finished_file(const Run& run) {
  return run.dir / "finished";
}

bool finished_before(const SweepPlan& plan, std::size_t index) {
  std::ifstream in(finished_file(plan.runs[index]));
  std::string line;
  if (!std::getline(in, line) || line != plan.arguments[index]) return false;
  try {
    report::read_summary((plan.runs[index].dir / "summary.json").string());
    return true;
  } catch (const InputError&) {
    return false;
  }
}

// results.csv, aggregate.csv and the figures of a sweep whose every run has its summary, in `out`.
void write_sweep_results(const SweepPlan& plan,
                         const std::vector<std::optional<std::vector<report::Metric>>>& summaries,
                         const fs::path& out) {
  const SweepSpec& spec = plan.spec;
  const auto& runs = plan.runs;
  const fs::path figures_dir = out / "figures";
  std::vector<report::RunRecord> records;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    records.push_back({spec.point_values(runs[i].point), runs[i].replication, runs[i].seed, *summaries[i]});
  }
  const report::CsvTable results = report::make_results_table(spec.keys(), records);
  results.write(out / "results.csv");
  const report::CsvTable aggregate = report::aggregate_replications(results, spec.keys(), {"replication", "seed"});
  aggregate.write(out / "aggregate.csv");

  std::vector<std::string> pictures;
  std::vector<std::string> scripts;
  bool gnuplot_missing = false;
  if (!spec.figures.empty()) {
    if (summaries.front()) check_figure_metrics(spec, numeric_metrics(*summaries.front()));
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

// What a sweep (or one shard of it) was asked, in DIR/sweep.json: what `vfo sweep merge` needs to rebuild its
// plan and to check that the shards it joins are parts of one sweep.
nlohmann::json sweep_record(const SweepOptions& o, const SweepPlan& plan) {
  return {{"file", fs::absolute(o.file).lexically_normal().string()},
          {"overrides", o.overrides},
          {"grids", o.grids},
          {"replications", plan.spec.replications},
          {"no_wall_time", o.no_wall_time},
          {"shard", o.shard},
          {"shards", o.shards},
          {"runs", plan.runs.size()}};
}

void run_sweep(const SweepOptions& o) {
  if (o.file.empty())
    throw InputError("FILE: missing (expected a scenario with a sweep: section, or: vfo sweep merge)");
  const fs::path out(o.out);
  SweepPlan plan = plan_sweep(o, out);
  const SweepSpec& spec = plan.spec;
  const auto& runs = plan.runs;
  make_directory(out / "runs", "--out");
  write_file_atomically(out / "sweep.json", sweep_record(o, plan).dump(2) + "\n");

  // This shard's runs (every run when unsharded) that have not finished before, in index order.
  std::vector<std::size_t> todo;
  std::size_t mine = 0;
  std::vector<std::optional<std::vector<report::Metric>>> summaries(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i % static_cast<std::size_t>(o.shards) != static_cast<std::size_t>(o.shard - 1)) continue;
    ++mine;
    if (finished_before(plan, i)) {
      summaries[i] = report::read_summary((runs[i].dir / "summary.json").string());
      continue;
    }
    make_directory(runs[i].dir, "--out");
    std::error_code ec;
    fs::remove(finished_file(runs[i]), ec);
    fs::remove(runs[i].dir / "summary.json", ec);  // a stale summary must not pass for this run's
    write_file(runs[i].dir / "command.txt", shell_quote(plan.processes[i].argv) + "\n");
    todo.push_back(i);
  }
  std::vector<ProcessSpec> processes;
  for (const std::size_t i : todo) processes.push_back(plan.processes[i]);

  const std::size_t jobs =
      o.jobs ? static_cast<std::size_t>(*o.jobs) : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  const auto replications = static_cast<std::size_t>(spec.replications);
  if (!o.quiet) {
    const std::string part =
        o.shards > 1 ? fmt::format(", shard {} of {}: {} of them", o.shard, o.shards, mine) : std::string();
    const std::string resumed =
        mine > todo.size() ? fmt::format("; {} finished before, {} to run", mine - todo.size(), todo.size()) : "";
    fmt::print(stderr, "sweep: {} runs ({} grid point{} x {} replication{}){}{}, {} at a time, in {}\n", runs.size(),
               spec.points(), spec.points() == 1 ? "" : "s", replications, replications == 1 ? "" : "s", part, resumed,
               std::max<std::size_t>(1, std::min(jobs, todo.size())), (out / "runs").string());
  }

  auto describe_run = [&](std::size_t index) {
    const Run& run = runs[index];
    std::vector<std::string> parts = spec.point_overrides(run.point);
    parts.push_back(fmt::format("replication={}", run.replication));
    parts.push_back(fmt::format("seed={}", run.seed));
    return fmt::format("run {} ({})", index, join(parts, ", "));
  };

  std::size_t finished = mine - todo.size();
  bool metrics_checked = false;
  SweepProgress progress(mine, !o.quiet);
  progress.update(finished);
  std::string failure;     // set when a run failed for a reason other than bad input
  std::size_t failed = 0;  // ... and which
  ProcessPool pool(jobs);
  const bool all_ran = pool.run(
      processes,
      [&](std::size_t k, const ProcessOutcome& outcome) {
        const std::size_t index = todo[k];
        const Run& run = runs[index];
        if (outcome.exit_code == kExitBadInput) {
          progress.finish();
          const std::string line = last_line(processes[k].stderr_path);
          throw InputError(line.empty() ? fmt::format("{}: vfo sim reported bad input with no message (see {})",
                                                      describe_run(index), processes[k].stderr_path.string())
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
          write_file_atomically(finished_file(run), plan.arguments[index] + "\n");
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
    fmt::print(stderr, "  command: {}\n", shell_quote(plan.processes[index].argv));
    fmt::print(stderr, "  stderr ({}):\n", plan.processes[index].stderr_path.string());
    for (const auto& line : tail(plan.processes[index].stderr_path, 10)) fmt::print(stderr, "    {}\n", line);
    throw CommandFailed(
        fmt::format("sweep stopped after {} of {} runs; finished runs are in {} (the same command "
                    "again runs only the others)",
                    finished, mine, (out / "runs").string()));
  }
  if (o.shards > 1) {
    fmt::print("shard {} of {}: {} runs in {}/<index>/; join the shards with: vfo sweep merge DIR... --out OUT\n",
               o.shard, o.shards, mine, (out / "runs").string());
    return;
  }
  write_sweep_results(plan, summaries, out);
}

// `vfo sweep merge DIR... --out OUT`: the shards of one sweep (each a `vfo sweep --shard I/N` output) joined into
// OUT as the unsharded sweep would have written it: every run's folder under OUT/runs, results.csv,
// aggregate.csv and the figures.
void merge_sweep(const std::vector<std::string>& dirs, const std::string& out_dir, bool quiet) {
  using Json = nlohmann::json;
  std::map<int, fs::path> shards;  // by shard number
  Json first;
  for (const std::string& dir : dirs) {
    const fs::path record = fs::path(dir) / "sweep.json";
    const Json j =
        Json::parse(read_input_file(record.string(), "the sweep.json of a vfo sweep --shard"), nullptr, false);
    if (!j.is_object() || !j.contains("shard") || !j.contains("shards") || !j.contains("file")) {
      throw InputError(record.string() + ": not the sweep.json that vfo sweep writes");
    }
    Json same = j;
    same.erase("shard");
    if (first.is_null()) {
      first = same;
    } else if (same != first) {
      throw InputError(record.string() + ": a shard of another sweep than " +
                       (fs::path(dirs[0]) / "sweep.json").string() +
                       " (its file, --set, --grid, replications or number of shards differ)");
    }
    const int shard = j["shard"].get<int>();
    if (!shards.emplace(shard, dir).second) {
      throw InputError(dir + ": shard " + std::to_string(shard) + " is given twice (also " + shards[shard].string() +
                       ")");
    }
  }
  const int count = first["shards"].get<int>();
  std::vector<std::string> missing;
  for (int i = 1; i <= count; ++i) {
    if (!shards.contains(i)) missing.push_back(std::to_string(i));
  }
  if (!missing.empty()) {
    throw InputError(fmt::format("vfo sweep merge: shard{} {} of {} missing (expected every shard's --out folder)",
                                 missing.size() == 1 ? "" : "s", join(missing, ", "), count));
  }
  SweepOptions o;
  o.file = first["file"].get<std::string>();
  o.overrides = first["overrides"].get<std::vector<std::string>>();
  o.grids = first["grids"].get<std::vector<std::string>>();
  o.replications = first["replications"].get<int>();
  o.no_wall_time = first["no_wall_time"].get<bool>();
  const fs::path out(out_dir);
  const SweepPlan plan = plan_sweep(o, out);
  std::vector<std::optional<std::vector<report::Metric>>> summaries(plan.runs.size());
  make_directory(out / "runs", "--out");
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const fs::path shard_dir = shards[static_cast<int>(i % static_cast<std::size_t>(count)) + 1];
    Run run = plan.runs[i];  // as its shard placed it
    run.dir = shard_dir / "runs" / std::to_string(i);
    std::ifstream in(finished_file(run));
    std::string line;
    if (!std::getline(in, line) || line != plan.arguments[i]) {
      throw InputError(fmt::format("{}: run {} has not finished (vfo sweep --shard {}/{} again runs what is missing)",
                                   shard_dir.string(), i, i % static_cast<std::size_t>(count) + 1, count));
    }
    summaries[i] = report::read_summary((run.dir / "summary.json").string());
    if (fs::absolute(run.dir) != fs::absolute(plan.runs[i].dir)) {
      std::error_code ec;
      fs::remove_all(plan.runs[i].dir, ec);
      fs::copy(run.dir, plan.runs[i].dir, fs::copy_options::recursive);
    }
  }
  write_file_atomically(out / "sweep.json", [&] {
    Json j = first;
    j["shard"] = 1;
    j["shards"] = 1;
    return j.dump(2) + "\n";
  }());
  if (!quiet) fmt::print(stderr, "sweep merge: {} shards, {} runs\n", count, plan.runs.size());
  write_sweep_results(plan, summaries, out);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run a scenario over the grid of its `sweep:` section; writes results.csv, aggregate.csv and figures");
  sweep->add_option("FILE", options->file, "scenario YAML with a sweep: section");
  CLI::Option* out = sweep->add_option("--out", options->out, "output directory");
  sweep->add_option("--shard", options->shard_text,
                    "run only the I-th of N disjoint parts of the runs (I/N; each run keeps its index and seed); "
                    "vfo sweep merge joins the parts");
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
  auto merge_dirs = std::make_shared<std::vector<std::string>>();
  auto merge_out = std::make_shared<std::string>();
  CLI::App* merge = sweep->add_subcommand(
      "merge",
      "Join the shards of a sweep (vfo sweep --shard I/N) into the results, aggregate and figures of the whole");
  merge->add_option("DIR", *merge_dirs, "each shard's --out folder")->required();
  merge->add_option("--out", *merge_out, "output directory")->required();
  merge->add_flag("--quiet", options->quiet, "no progress on stderr");
  merge->callback([=] { merge_sweep(*merge_dirs, *merge_out, options->quiet); });
  sweep->callback([options, out, merge] {
    if (merge->parsed()) return;
    if (out->count() == 0) throw InputError("--out: missing (expected the sweep's output directory)");
    if (!options->shard_text.empty()) {
      const auto [shard, shards] = parse_shard(options->shard_text);
      options->shard = shard;
      options->shards = shards;
    }
    run_sweep(*options);
  });
}

}  // namespace vfo::cli
