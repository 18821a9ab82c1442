#pragma once
// From usage series to a ForecastModel: split by series, cut examples, fit the point model on the
// training split, calibrate the overload probability on the validation split.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vfo/forecast/forecast_model.hpp"
#include "vfo/forecast/recurrent_model.hpp"
#include "vfo/forecast/usage_series.hpp"

namespace vfo {

// The series of each split (split_of on each name), in their given order.
struct SeriesSplit {
  std::vector<UsageSeries> train, validation, test;
};
SeriesSplit split_series(const std::vector<UsageSeries>& series, std::uint64_t seed, SplitFractions fractions);

// The methods train_forecast_model knows: "lstm", "gru", "ar", "ewma", "ma", "persistence".
std::vector<std::string> forecast_methods();

struct ForecastTrainOptions {
  std::string method = "lstm";
  WindowSpec spec;
  int channels = 0;  // 0: as the data allows (channels_of); 1 or 2 to force
  OverloadThresholds thresholds;
  std::uint64_t seed = 1;  // the split, the calibration subsample and the network's initialisation
  SplitFractions fractions;
  TrainOptions recurrent;  // for lstm and gru (its cell and seed are set from method and seed)
  // Fine-tuning: start from this model (an lstm or gru) instead of fresh weights; method, window, horizon and
  // channels must be its own (the CLI takes them from it).
  std::shared_ptr<const ForecastModel> init;
  int ar_order = 6;
  int ma_length = 12;
  double ewma_alpha = 0.3;
};

// Keeps at most `max_count` series (all when 0): those whose keyed hash of (seed, name) is smallest, so the
// choice does not depend on the order of `series`. Keeps their given order.
std::vector<UsageSeries> sample_series(std::vector<UsageSeries> series, std::size_t max_count, std::uint64_t seed);

// What training saw and did, for the model's training.json.
struct TrainingReport {
  std::size_t series[3] = {0, 0, 0};    // train, validation, test
  std::size_t examples[2] = {0, 0};     // train, validation
  double seconds = 0;                   // fitting and calibration, wall time
  std::vector<double> train_loss;       // per epoch (recurrent networks only), normalised units
  std::vector<double> validation_loss;  // per epoch
  int best_epoch = 0;                   // the 1-based epoch whose weights were kept (recurrent only; else 0)
};

// Trains on the training split of `series` (all on the same interval) and calibrates on the validation
// split. Throws InputError when a split gets no example (too few or too short series), or when 2 channels
// are asked of series without RAM.
ForecastModel train_forecast_model(const std::vector<UsageSeries>& series, const ForecastTrainOptions& options,
                                   TrainingReport* report = nullptr);

}  // namespace vfo
