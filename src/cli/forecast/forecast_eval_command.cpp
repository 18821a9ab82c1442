// `vfo forecast eval --model MODEL --trace FORMAT:PATH ... [--split test|all] [--k K] [--out DIR] [--json]`: the
// model, the guarded forecaster and every baseline saved with the model, on the held-out series (or on every
// series of another trace family): errors (MAE, RMSE per resource), the Brier score and its skill, ROC AUC, the
// alarms at K (precision, recall, lead time, false alarms per node-hour), the precision-recall curves, the
// model's reliability table, and figures.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/forecast/forecast_inputs.hpp"
#include "vfo/forecast/forecast_evaluation.hpp"
#include "vfo/forecast/metrics.hpp"
#include "vfo/forecast/model_files.hpp"
#include "vfo/forecast/training.hpp"
#include "vfo/report/csv_table.hpp"
#include "vfo/report/forecast_figures.hpp"
#include "vfo/report/gnuplot.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/text.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using report::format_number;

struct EvalCommandOptions {
  TraceInputs inputs;
  std::string model;
  std::string split = "test";
  std::string out = "results/forecast-eval";
  int plotted_series = 3;
  double k = 0.5;
  bool json = false;
};

std::string cell(double v, int decimals) {
  return std::isnan(v) ? "-" : fmt::format("{:.{}f}", v, decimals);
}

json number_or_null(double v) {
  return std::isnan(v) ? json() : json(v);
}

void print_tables(const Evaluation& e, int channels, double k) {
  fmt::print("{:<16}{:>9}{:>10}", "method", "CPU MAE", "CPU RMSE");
  if (channels == 2) fmt::print("{:>9}{:>10}", "RAM MAE", "RAM RMSE");
  fmt::print("{:>9}{:>8}{:>8}\n", "Brier", "skill", "AUC");
  for (const MethodEvaluation& m : e.methods) {
    fmt::print("{:<16}{:>9}{:>10}", m.method, cell(m.error[0].mae, 2), cell(m.error[0].rmse, 2));
    if (channels == 2) fmt::print("{:>9}{:>10}", cell(m.error[1].mae, 2), cell(m.error[1].rmse, 2));
    fmt::print("{:>9}{:>8}{:>8}\n", cell(m.alarms.brier, 5), cell(m.alarms.brier_skill, 3), cell(m.alarms.roc_auc, 3));
  }
  fmt::print("{:<16}{:>{}}\n", "base rate", cell(e.methods.front().alarms.base_rate_brier, 5), channels == 2 ? 47 : 28);
  fmt::print("\nalarms at K = {} (p_fail >= K):\n{:<16}{:>8}{:>11}{:>8}{:>10}{:>10}{:>14}\n", k, "method", "alarms",
             "precision", "recall", "warned", "lead (s)", "false/node-h");
  for (const MethodEvaluation& m : e.methods) {
    const AlarmScores& a = m.alarms;
    fmt::print("{:<16}{:>8}{:>11}{:>8}{:>10}{:>10}{:>14}\n", m.method, a.alarms, cell(a.precision, 3),
               cell(a.recall, 3), fmt::format("{}/{}", a.warned_episodes, a.episodes), cell(a.mean_lead_s, 0),
               cell(a.false_alarms_per_node_hour, 4));
  }
}

json method_json(const MethodEvaluation& m, int channels) {
  json j = {{"method", m.method}};
  for (int c = 0; c < channels; ++c) {
    j[c == 0 ? "cpu" : "ram"] = {{"mae", m.error[c].mae}, {"rmse", m.error[c].rmse}};
  }
  const AlarmScores& a = m.alarms;
  j["brier"] = m.alarms.brier;
  j["brier_skill"] = number_or_null(a.brier_skill);
  j["roc_auc"] = number_or_null(a.roc_auc);
  j["alarms"] = {{"k", a.k},
                 {"alarms", a.alarms},
                 {"true_alarms", a.true_alarms},
                 {"events", a.events},
                 {"precision", number_or_null(a.precision)},
                 {"recall", number_or_null(a.recall)},
                 {"false_alarms_per_node_hour", number_or_null(a.false_alarms_per_node_hour)},
                 {"episodes", a.episodes},
                 {"warned_episodes", a.warned_episodes},
                 {"mean_lead_s", number_or_null(a.mean_lead_s)},
                 {"median_lead_s", number_or_null(a.median_lead_s)},
                 {"best_f1_k", number_or_null(best_f1_threshold(m.curve))}};
  return j;
}

void run_eval(const EvalCommandOptions& o) {
  const ForecastModel model = load_forecast_model(o.model);
  const std::vector<UsageSeries> series = load_series(o.inputs, model.interval_s, model.seed);
  if (channels_of(series) < model.channels) {
    throw InputError(
        fmt::format("--trace: the model reads CPU and RAM but some series have no RAM (expected traces "
                    "with memory, e.g. alibaba, bitbrains or vfo)"));
  }
  const SeriesSplit split = split_series(series, model.seed, model.fractions);
  const std::vector<UsageSeries>& evaluated = o.split == "all" ? series : split.test;
  const Examples examples = make_examples(evaluated, model.spec, model.channels);
  if (examples.count() == 0) {
    throw InputError(
        fmt::format("--trace: no {} series long enough to evaluate (expected series of more than {} "
                    "readings{})",
                    o.split, model.spec.window + model.spec.horizon,
                    o.split == "test" ? "; --split all evaluates every series" : ""));
  }
  EvaluationOptions options;
  options.k = o.k;
  const Evaluation e = evaluate_forecaster(model, evaluated, examples, options);
  const std::vector<ForecastCandidate> candidates = candidates_of(model);
  const OverloadThresholds thresholds = model.calibration.state().thresholds;

  // Files.
  const fs::path out(o.out);
  fs::create_directories(out);
  report::CsvTable errors({"method", "resource", "mae", "rmse", "brier", "examples"});
  report::CsvTable alarms({"method", "k", "alarms", "true_alarms", "events", "precision", "recall",
                           "false_alarms_per_node_hour", "episodes", "warned_episodes", "mean_lead_s", "median_lead_s",
                           "roc_auc", "brier_skill"});
  report::CsvTable curves({"method", "threshold", "precision", "recall"});
  json methods = json::array();
  for (const MethodEvaluation& m : e.methods) {
    for (int c = 0; c < model.channels; ++c) {
      errors.add_row({m.method, c == 0 ? "cpu" : "ram", format_number(m.error[c].mae), format_number(m.error[c].rmse),
                      format_number(m.alarms.brier), std::to_string(m.error[c].count)});
    }
    const AlarmScores& a = m.alarms;
    alarms.add_row({m.method, format_number(a.k), std::to_string(a.alarms), std::to_string(a.true_alarms),
                    std::to_string(a.events), format_number(a.precision), format_number(a.recall),
                    format_number(a.false_alarms_per_node_hour), std::to_string(a.episodes),
                    std::to_string(a.warned_episodes), format_number(a.mean_lead_s), format_number(a.median_lead_s),
                    format_number(a.roc_auc), format_number(a.brier_skill)});
    for (const PrecisionRecallPoint& point : m.curve) {
      curves.add_row(
          {m.method, format_number(point.threshold), format_number(point.precision), format_number(point.recall)});
    }
    methods.push_back(method_json(m, model.channels));
  }
  const MethodEvaluation& guarded = e.methods[1];
  const std::vector<ReliabilityBin> reliability = reliability_table(e.methods.front().p_fail, e.outcomes, 10);
  report::CsvTable reliability_csv({"bin_lo", "bin_hi", "count", "mean_probability", "observed_frequency"});
  json reliability_json = json::array();
  std::vector<report::ReliabilityPoint> points;
  for (const ReliabilityBin& b : reliability) {
    reliability_csv.add_row({format_number(b.lo), format_number(b.hi), std::to_string(b.count),
                             format_number(b.mean_probability), format_number(b.observed_frequency)});
    reliability_json.push_back({{"lo", b.lo},
                                {"hi", b.hi},
                                {"count", b.count},
                                {"mean_probability", b.mean_probability},
                                {"observed_frequency", b.observed_frequency}});
    points.push_back({b.mean_probability, b.observed_frequency, b.count});
  }
  json guard_answers = json::object();
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    guard_answers[c == 0 ? model.point->name() + " (model)" : candidates[c].point->name()] = e.guard_answers[c];
  }
  json metrics;
  metrics["model"] = o.model;
  metrics["method"] = model.point->name();
  metrics["trained_on"] = model.traces;
  metrics["evaluated_on"] = o.inputs.traces;
  metrics["split"] = o.split;
  metrics["series"] = evaluated.size();
  metrics["examples"] = examples.count();
  metrics["window"] = model.spec.window;
  metrics["horizon_s"] = model.horizon_s();
  metrics["interval_s"] = model.interval_s;
  metrics["channels"] = model.channels;
  metrics["thresholds"] = {{"cpu_pct", thresholds.cpu_pct}, {"ram_pct", thresholds.ram_pct}};
  metrics["k"] = o.k;
  metrics["overload_frequency"] = e.event_rate;
  metrics["base_rate"] = model.base_rate;
  metrics["base_rate_brier"] = e.methods.front().alarms.base_rate_brier;
  metrics["methods"] = methods;
  metrics["guard_answers"] = guard_answers;
  metrics["reliability"] = reliability_json;

  try {
    errors.write(out / "errors.csv");
    alarms.write(out / "alarms.csv");
    curves.write(out / "precision_recall.csv");
    reliability_csv.write(out / "reliability.csv");
    write_file_atomically(out / "metrics.json", metrics.dump(1) + "\n");
  } catch (const std::runtime_error& err) {
    throw CommandFailed(err.what());
  }

  // Figures: the evaluated series that come nearest the overload threshold (highest CPU peak first; ties in
  // order), the model, the guard and persistence against the actual CPU and the threshold; the precision-recall
  // curves; the model's reliability.
  const std::size_t persistence = 1 + persistence_index(model);  // in e.methods: after the model and the guard
  const std::vector<std::size_t> drawn = {0, 1, persistence};
  struct SeriesSpan {
    std::size_t first, last;  // its examples: [first, last)
    double peak;              // its highest actual CPU
  };
  std::vector<SeriesSpan> spans;
  for (std::size_t i = 0; i < examples.count();) {
    SeriesSpan span{i, i, -std::numeric_limits<double>::infinity()};
    while (span.last < examples.count() && examples.series[span.last] == examples.series[i]) {
      span.peak = std::max(span.peak, static_cast<double>(examples.targets[span.last * model.channels]));
      ++span.last;
    }
    spans.push_back(span);
    i = span.last;
  }
  std::stable_sort(spans.begin(), spans.end(),
                   [](const SeriesSpan& a, const SeriesSpan& b) { return a.peak > b.peak; });
  spans.resize(std::min(spans.size(), static_cast<std::size_t>(std::max(0, o.plotted_series))));
  std::vector<report::PredictedSeries> plotted;
  for (const SeriesSpan& span : spans) {
    report::PredictedSeries p;
    p.name = fmt::format("{} (peak {:.0f} %)", evaluated[examples.series[span.first]].name, span.peak);
    p.interval_s = model.interval_s;
    for (std::size_t k = span.first; k < span.last; ++k) p.actual.push_back(examples.targets[k * model.channels]);
    for (const std::size_t m : drawn) {
      std::vector<double> values;
      for (std::size_t k = span.first; k < span.last; ++k) {
        values.push_back(e.methods[m].predictions[k * model.channels]);
      }
      p.predicted.emplace_back(e.methods[m].method, std::move(values));
    }
    plotted.push_back(std::move(p));
  }
  std::vector<report::PrecisionRecallCurve> pr;
  for (const std::size_t m : drawn) {
    report::PrecisionRecallCurve c{e.methods[m].method, {}};
    for (const PrecisionRecallPoint& point : e.methods[m].curve) c.points.emplace_back(point.recall, point.precision);
    pr.push_back(std::move(c));
  }
  const fs::path figures = out / "figures";
  std::vector<report::FigureFiles> files = {
      report::write_prediction_figure(plotted, "CPU: actual and predicted, " + o.split + " series nearest overload",
                                      figures, "predictions", thresholds.cpu_pct),
      report::write_reliability_figure(points, "Reliability of p_fail (" + model.point->name() + ")", figures,
                                       "reliability")};
  if (e.event_rate > 0) {
    files.push_back(report::write_precision_recall_figure(pr, "Overload alarms: precision against recall", figures,
                                                          "precision_recall"));
  }
  std::vector<std::string> pictures;
  const auto gnuplot = report::find_gnuplot();
  for (const report::FigureFiles& f : files) {
    if (!gnuplot) continue;
    const report::RenderResult r = report::run_gnuplot(*gnuplot, f.gp);
    if (r.outcome == report::RenderResult::Outcome::kRendered) {
      pictures.push_back(f.svg.string());
    } else {
      fmt::print(stderr, "forecast eval: figure {}: {}\n", f.gp.string(), r.message);
    }
  }

  if (o.json) {
    fmt::print("{}\n", metrics.dump(2));
    return;
  }
  fmt::print("trained on {}; evaluated on {} series of {} ({}), {} examples\n", join(model.traces, " "),
             evaluated.size(), join(o.inputs.traces, " "), o.split, examples.count());
  fmt::print("window {}, horizon {} s; overload = CPU > {}%{}: {:.2f}% of examples ({:.2f}% in training)\n",
             model.spec.window, model.horizon_s(), thresholds.cpu_pct,
             model.channels == 2 ? fmt::format(" or RAM > {}%", thresholds.ram_pct) : "", 100 * e.event_rate,
             100 * model.base_rate);
  print_tables(e, model.channels, o.k);
  std::vector<std::string> answers;
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    if (e.guard_answers[c] == 0) continue;
    answers.push_back(
        fmt::format("{} {:.0f}%", c == 0 ? model.point->name() : candidates[c].point->name(),
                    100.0 * static_cast<double>(e.guard_answers[c]) / static_cast<double>(examples.count())));
  }
  fmt::print("the guard answered with: {}; K with the best F1 for it: {}\n", join(answers, ", "),
             cell(best_f1_threshold(guarded.curve), 3));
  fmt::print("results: {} {} {} {} {}\n", (out / "metrics.json").string(), (out / "errors.csv").string(),
             (out / "alarms.csv").string(), (out / "precision_recall.csv").string(),
             (out / "reliability.csv").string());
  if (!pictures.empty()) fmt::print("figures: {} (and .png)\n", join(pictures, " "));
  if (!gnuplot) fmt::print("figures: gnuplot not found; scripts in {}\n", figures.string());
}

}  // namespace

void add_forecast_eval_command(CLI::App& forecast) {
  auto o = std::make_shared<EvalCommandOptions>();
  CLI::App* eval = forecast.add_subcommand("eval", "Score a saved forecaster and the baselines on held-out series");
  add_trace_inputs(*eval, o->inputs, /*with_interval=*/false);
  eval->add_option("--model", o->model, "model folder written by `vfo forecast train`")->required();
  eval->add_option("--split", o->split, "test: the series the model's seed held out; all: every series")
      ->check(CLI::IsMember({"test", "all"}))
      ->capture_default_str();
  eval->add_option("--out", o->out, "folder for metrics.json, errors.csv, reliability.csv and figures/")
      ->capture_default_str();
  eval->add_option("--plot-series", o->plotted_series,
                   "series shown in figures/predictions (those with the highest CPU peaks)")
      ->check(CLI::Range(1, 50))
      ->capture_default_str();
  eval->add_option("--k", o->k, "the controller's threshold: an alarm is a p_fail >= K")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  eval->add_flag("--json", o->json, "print metrics.json instead of the table");
  eval->callback([o] { run_eval(*o); });
}

}  // namespace vfo::cli
