#pragma once
// A point forecaster: from a window of readings, each channel's reading `horizon` steps later.
#include <cstddef>
#include <string>
#include <vector>

namespace vfo {

// Implementations: the baselines (baselines.hpp) and the recurrent networks (recurrent_model.hpp).
// Contract: predict() is const and thread-compatible; it never reads past `count` examples.
class PointModel {
 public:
  virtual ~PointModel() = default;
  // Short and stable, used in reports: "persistence", "ma12", "ewma0.3", "ar6", "lstm", "gru".
  virtual std::string name() const = 0;
  // inputs: count x window x channels, laid out as Examples::inputs, in percent.
  // Returns count x channels predictions, in percent.
  virtual std::vector<float> predict(const float* inputs, std::size_t count, int window, int channels) const = 0;
};

}  // namespace vfo
