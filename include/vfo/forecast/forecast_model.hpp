#pragma once
// A trained forecaster as vfo saves, loads and uses it: a point model together with what it needs to be
// fed (window, horizon, interval, channels) and to turn its predictions into an overload probability.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vfo/forecast/examples.hpp"
#include "vfo/forecast/overload_calibration.hpp"
#include "vfo/forecast/point_model.hpp"

namespace vfo {

struct ForecastModel {
  std::shared_ptr<const PointModel> point;  // never null in a model that was trained or loaded
  WindowSpec spec;
  int channels = 1;         // 1: CPU; 2: CPU and RAM
  double interval_s = 300;  // the grid the model reads: one reading per interval
  OverloadCalibration calibration;

  // How it was made, so `vfo forecast eval` can hold out the same series.
  std::uint64_t seed = 1;
  SplitFractions fractions;
  std::vector<std::string> traces;  // the --trace specs it was trained on

  double horizon_s() const { return spec.horizon * interval_s; }
};

}  // namespace vfo
