#pragma once
// A trained forecaster as vfo saves, loads and uses it: a point model together with what it needs to be
// fed (window, horizon, interval, channels) and to turn its predictions into an overload probability.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vfo/forecast/examples.hpp"
#include "vfo/forecast/overload_calibration.hpp"
#include "vfo/forecast/point_model.hpp"

namespace vfo {

// A forecaster the guard may answer with (forecast_guard.hpp): a point model and its overload calibration.
struct ForecastCandidate {
  std::shared_ptr<const PointModel> point;
  OverloadCalibration calibration;
};

struct ForecastModel {
  std::shared_ptr<const PointModel> point;  // never null in a model that was trained or loaded
  WindowSpec spec;
  int channels = 1;         // 1: CPU; 2: CPU and RAM
  double interval_s = 300;  // the grid the model reads: one reading per interval
  OverloadCalibration calibration;
  // The standard baselines (baselines.hpp), fitted on the same training split and calibrated on the same
  // validation split as `point`: the guard's other candidates. One of them is persistence.
  std::vector<ForecastCandidate> baselines;
  double base_rate = 0;  // the overload frequency of the training examples: a forecast without information

  // How it was made, so `vfo forecast eval` can hold out the same series.
  std::uint64_t seed = 1;
  SplitFractions fractions;
  std::vector<std::string> traces;  // the --trace specs it was trained on

  double horizon_s() const { return spec.horizon * interval_s; }
};

// The guard's candidates: the model itself first, then its baselines.
std::vector<ForecastCandidate> candidates_of(const ForecastModel& model);
// The index, in candidates_of(model), of persistence; throws std::invalid_argument when the model has none.
std::size_t persistence_index(const ForecastModel& model);

}  // namespace vfo
