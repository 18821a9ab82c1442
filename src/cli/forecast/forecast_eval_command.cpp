// `vfo forecast eval --model MODEL --trace FORMAT:PATH ... [--split test|all] [--out DIR] [--json]`: the
// model's errors (MAE, RMSE per resource) and those of every baseline on the held-out series, the Brier
// score of each method's calibrated overload probability, the model's reliability table, and figures.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/forecast/forecast_inputs.hpp"
#include "vfo/forecast/baselines.hpp"
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
  bool json = false;
};

// One method's scores on the evaluated examples.
struct MethodScore {
  std::string method;
  ErrorStats error[2];
  std::optional<double> brier;  // none when the method could not be calibrated (no validation examples)
  std::vector<float> predictions;
  std::vector<double> p_fail;
};

MethodScore score(const std::string& method, const PointModel& point, const std::optional<OverloadCalibration>& cal,
                  const Examples& examples, const std::vector<int>& outcomes) {
  MethodScore s;
  s.method = method;
  s.predictions = point.predict(examples.inputs.data(), examples.count(), examples.window, examples.channels);
  for (int c = 0; c < examples.channels; ++c)
    s.error[c] = error_stats(s.predictions, examples.targets, examples.channels, c);
  if (cal) {
    s.p_fail = cal->probabilities(s.predictions);
    s.brier = brier_score(s.p_fail, outcomes);
  }
  return s;
}

std::string cell(double v, int decimals) {
  return fmt::format("{:.{}f}", v, decimals);
}

void print_table(const std::vector<MethodScore>& scores, int channels, double base_rate_brier) {
  fmt::print("{:<14}{:>9}{:>10}", "method", "CPU MAE", "CPU RMSE");
  if (channels == 2) fmt::print("{:>9}{:>10}", "RAM MAE", "RAM RMSE");
  fmt::print("{:>9}\n", "Brier");
  for (const MethodScore& s : scores) {
    fmt::print("{:<14}{:>9}{:>10}", s.method, cell(s.error[0].mae, 2), cell(s.error[0].rmse, 2));
    if (channels == 2) fmt::print("{:>9}{:>10}", cell(s.error[1].mae, 2), cell(s.error[1].rmse, 2));
    fmt::print("{:>9}\n", s.brier ? cell(*s.brier, 4) : "-");
  }
  fmt::print("{:<14}{:>{}}\n", "base rate", cell(base_rate_brier, 4), channels == 2 ? 47 : 28);
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
  const OverloadThresholds thresholds = model.calibration.state().thresholds;
  const std::vector<int> outcomes = overload_outcomes(examples, thresholds);

  // Baselines: fitted (AR) on the training split and calibrated on the validation split of these traces.
  const Examples train = make_examples(split.train, model.spec, model.channels);
  const Examples validation = make_examples(split.validation, model.spec, model.channels);
  std::vector<std::unique_ptr<PointModel>> baselines;
  if (train.count() > 0) {
    baselines = standard_baselines(train, model.spec.window);
  } else {
    baselines.push_back(std::make_unique<PersistenceModel>());
    baselines.push_back(std::make_unique<MovingAverageModel>(std::min(12, model.spec.window)));
    baselines.push_back(std::make_unique<EwmaModel>(0.3));
  }

  std::vector<MethodScore> scores;
  scores.push_back(score(model.point->name() + " (model)", *model.point, model.calibration, examples, outcomes));
  for (const auto& b : baselines) {
    std::optional<OverloadCalibration> cal;
    if (validation.count() > 0) {
      const auto p = b->predict(validation.inputs.data(), validation.count(), validation.window, validation.channels);
      cal = OverloadCalibration::fit(p, validation.peaks, model.channels, thresholds, model.seed);
    }
    scores.push_back(score(b->name(), *b, cal, examples, outcomes));
  }

  // The base rate: always predicting the overload frequency of the training examples (else of these).
  const std::vector<int> base_outcomes = overload_outcomes(train.count() > 0 ? train : examples, thresholds);
  double base_rate = 0;
  for (const int y : base_outcomes) base_rate += y;
  base_rate /= static_cast<double>(base_outcomes.size());
  const double base_rate_brier = brier_score(std::vector<double>(outcomes.size(), base_rate), outcomes);
  double event_rate = 0;
  for (const int y : outcomes) event_rate += y;
  event_rate /= static_cast<double>(outcomes.size());
  const std::vector<ReliabilityBin> reliability = reliability_table(scores.front().p_fail, outcomes, 10);

  // Files.
  const fs::path out(o.out);
  fs::create_directories(out);
  report::CsvTable errors({"method", "resource", "mae", "rmse", "brier", "examples"});
  json methods = json::array();
  for (const MethodScore& s : scores) {
    json m = {{"method", s.method}};
    for (int c = 0; c < model.channels; ++c) {
      const char* resource = c == 0 ? "cpu" : "ram";
      errors.add_row({s.method, resource, format_number(s.error[c].mae), format_number(s.error[c].rmse),
                      s.brier ? format_number(*s.brier) : "", std::to_string(s.error[c].count)});
      m[resource] = {{"mae", s.error[c].mae}, {"rmse", s.error[c].rmse}};
    }
    m["brier"] = s.brier ? json(*s.brier) : json();
    methods.push_back(m);
  }
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
  json metrics;
  metrics["model"] = o.model;
  metrics["method"] = model.point->name();
  metrics["split"] = o.split;
  metrics["series"] = evaluated.size();
  metrics["examples"] = examples.count();
  metrics["window"] = model.spec.window;
  metrics["horizon_s"] = model.horizon_s();
  metrics["interval_s"] = model.interval_s;
  metrics["channels"] = model.channels;
  metrics["thresholds"] = {{"cpu_pct", thresholds.cpu_pct}, {"ram_pct", thresholds.ram_pct}};
  metrics["overload_frequency"] = event_rate;
  metrics["base_rate_brier"] = base_rate_brier;
  metrics["methods"] = methods;
  metrics["reliability"] = reliability_json;

  try {
    errors.write(out / "errors.csv");
    reliability_csv.write(out / "reliability.csv");
    write_file_atomically(out / "metrics.json", metrics.dump(1) + "\n");
  } catch (const std::runtime_error& e) {
    throw CommandFailed(e.what());
  }

  // Figures: the first few evaluated series with a full window, model and two baselines against the actual CPU.
  std::vector<report::PredictedSeries> plotted;
  for (std::size_t i = 0; i < examples.count() && static_cast<int>(plotted.size()) < o.plotted_series;) {
    const int index = examples.series[i];
    report::PredictedSeries p;
    p.name = evaluated[index].name;
    p.interval_s = model.interval_s;
    const std::size_t first = i;
    while (i < examples.count() && examples.series[i] == index) ++i;
    for (std::size_t k = first; k < i; ++k) p.actual.push_back(examples.targets[k * model.channels]);
    for (std::size_t m = 0; m < scores.size() && m < 3; ++m) {
      std::vector<double> values;
      for (std::size_t k = first; k < i; ++k) values.push_back(scores[m].predictions[k * model.channels]);
      p.predicted.emplace_back(scores[m].method, std::move(values));
    }
    plotted.push_back(std::move(p));
  }
  const fs::path figures = out / "figures";
  std::vector<report::FigureFiles> files = {
      report::write_prediction_figure(plotted, "CPU: actual and predicted, " + o.split + " series", figures,
                                      "predictions"),
      report::write_reliability_figure(points, "Reliability of p_fail (" + model.point->name() + ")", figures,
                                       "reliability")};
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
  fmt::print("{} series ({}), {} examples; window {}, horizon {} s; overload = CPU > {}%{}: {:.2f}% of examples\n",
             evaluated.size(), o.split, examples.count(), model.spec.window, model.horizon_s(), thresholds.cpu_pct,
             model.channels == 2 ? fmt::format(" or RAM > {}%", thresholds.ram_pct) : "", 100 * event_rate);
  print_table(scores, model.channels, base_rate_brier);
  fmt::print("results: {} {} {}\n", (out / "metrics.json").string(), (out / "errors.csv").string(),
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
  eval->add_option("--plot-series", o->plotted_series, "series shown in figures/predictions")
      ->check(CLI::Range(1, 50))
      ->capture_default_str();
  eval->add_flag("--json", o->json, "print metrics.json instead of the table");
  eval->callback([o] { run_eval(*o); });
}

}  // namespace vfo::cli
