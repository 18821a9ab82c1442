#include "vfo/forecast/training.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include "vfo/forecast/baselines.hpp"
#include "vfo/forecast/metrics.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

void require_examples(const Examples& examples, const char* split, const ForecastTrainOptions& o) {
  if (examples.count() > 0) return;
  throw InputError(fmt::format(
      "the {} split has no example (expected more series, or series longer than window {} + horizon {} readings; "
      "the split is by series, seed {})",
      split, o.spec.window, o.spec.horizon, o.seed));
}

std::shared_ptr<const PointModel> fit_point_model(const Examples& train, const Examples& validation,
                                                  const ForecastTrainOptions& o) {
  const std::string& m = o.method;
  if (m == "persistence") return std::make_shared<PersistenceModel>();
  if (m == "ma") return std::make_shared<MovingAverageModel>(o.ma_length);
  if (m == "ewma") return std::make_shared<EwmaModel>(o.ewma_alpha);
  if (m == "ar") return std::make_shared<ArModel>(ArModel::fit(train, std::min(o.ar_order, o.spec.window)));
  if (m == "lstm" || m == "gru") {
    TrainOptions recurrent = o.recurrent;
    recurrent.cell = parse_cell(m);
    recurrent.seed = o.seed;
    if (o.init != nullptr) {
      const auto* init = dynamic_cast<const RecurrentModel*>(o.init->point.get());
      if (init == nullptr || init->name() != m) {
        throw InputError(fmt::format("--init: the model is {}, not {} (expected a model of the method trained)",
                                     o.init->point->name(), m));
      }
      return RecurrentModel::train(train, validation, recurrent, *init);
    }
    return RecurrentModel::train(train, validation, recurrent);
  }
  throw InputError(
      fmt::format("--model: '{}' is not a method (expected one of {})", m, fmt::join(forecast_methods(), ", ")));
}

}  // namespace

SeriesSplit split_series(const std::vector<UsageSeries>& series, std::uint64_t seed, SplitFractions fractions) {
  SeriesSplit split;
  for (const UsageSeries& s : series) {
    switch (split_of(s.name, seed, fractions)) {
      case Split::train:
        split.train.push_back(s);
        break;
      case Split::validation:
        split.validation.push_back(s);
        break;
      case Split::test:
        split.test.push_back(s);
        break;
    }
  }
  return split;
}

std::vector<std::string> forecast_methods() {
  return {"lstm", "gru", "ar", "ewma", "ma", "persistence"};
}

std::vector<UsageSeries> sample_series(std::vector<UsageSeries> series, std::size_t max_count, std::uint64_t seed) {
  if (max_count == 0 || series.size() <= max_count) return series;
  std::vector<std::pair<double, std::size_t>> keyed;
  keyed.reserve(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    keyed.emplace_back(keyed_uniform(derive_seed(seed, "sample"), hash_name(series[i].name), 0), i);
  }
  std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(max_count), keyed.end());
  std::vector<std::size_t> kept;
  for (std::size_t k = 0; k < max_count; ++k) kept.push_back(keyed[k].second);
  std::sort(kept.begin(), kept.end());
  std::vector<UsageSeries> out;
  out.reserve(max_count);
  for (const std::size_t i : kept) out.push_back(std::move(series[i]));
  return out;
}

ForecastModel train_forecast_model(const std::vector<UsageSeries>& series, const ForecastTrainOptions& o,
                                   TrainingReport* report) {
  const auto start = std::chrono::steady_clock::now();
  const int available = channels_of(series);
  const int channels = o.channels == 0 ? available : o.channels;
  if (channels < 1 || channels > 2) throw InputError(fmt::format("channels: {} (expected 1 or 2)", channels));
  if (channels > available) {
    throw InputError("the traces have no RAM readings for every series (expected CPU and RAM for 2 channels)");
  }
  if (series.empty()) throw InputError("no series to train on (expected at least one trace with readings)");

  const SeriesSplit split = split_series(series, o.seed, o.fractions);
  const Examples train = make_examples(split.train, o.spec, channels);
  const Examples validation = make_examples(split.validation, o.spec, channels);
  require_examples(train, "training", o);
  require_examples(validation, "validation", o);

  ForecastModel model;
  model.point = fit_point_model(train, validation, o);
  model.spec = o.spec;
  model.channels = channels;
  model.interval_s = series.front().interval_s;
  model.seed = o.seed;
  model.fractions = o.fractions;

  const std::vector<float> predictions =
      model.point->predict(validation.inputs.data(), validation.count(), validation.window, channels);
  model.calibration = OverloadCalibration::fit(predictions, validation.peaks, channels, o.thresholds, o.seed);
  for (std::unique_ptr<PointModel>& baseline : standard_baselines(train, o.spec.window)) {
    const std::vector<float> p =
        baseline->predict(validation.inputs.data(), validation.count(), validation.window, channels);
    OverloadCalibration calibration = OverloadCalibration::fit(p, validation.peaks, channels, o.thresholds, o.seed);
    model.baselines.push_back({std::shared_ptr<const PointModel>(std::move(baseline)), std::move(calibration)});
  }
  const std::vector<int> outcomes = overload_outcomes(train, o.thresholds);
  model.base_rate =
      static_cast<double>(std::count(outcomes.begin(), outcomes.end(), 1)) / static_cast<double>(outcomes.size());

  if (report != nullptr) {
    *report = TrainingReport{};
    report->series[0] = split.train.size();
    report->series[1] = split.validation.size();
    report->series[2] = split.test.size();
    report->examples[0] = train.count();
    report->examples[1] = validation.count();
    if (const auto* rnn = dynamic_cast<const RecurrentModel*>(model.point.get())) {
      report->train_loss = rnn->history().train_loss;
      report->validation_loss = rnn->history().validation_loss;
      report->best_epoch = rnn->history().best_epoch;
    }
    report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return model;
}

}  // namespace vfo
