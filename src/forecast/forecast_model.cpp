#include "vfo/forecast/forecast_model.hpp"

#include <stdexcept>

namespace vfo {

std::vector<ForecastCandidate> candidates_of(const ForecastModel& model) {
  std::vector<ForecastCandidate> all{{model.point, model.calibration}};
  all.insert(all.end(), model.baselines.begin(), model.baselines.end());
  return all;
}

std::size_t persistence_index(const ForecastModel& model) {
  for (std::size_t i = 0; i < model.baselines.size(); ++i) {
    if (model.baselines[i].point->name() == "persistence") return i + 1;
  }
  throw std::invalid_argument("the forecast model has no persistence baseline (expected one saved with it)");
}

}  // namespace vfo
