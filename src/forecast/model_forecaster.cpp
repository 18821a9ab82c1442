#include "vfo/forecast/model_forecaster.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace vfo {

ModelForecaster::ModelForecaster(std::shared_ptr<const ForecastModel> model) : model_(std::move(model)) {
  if (model_ == nullptr || model_->point == nullptr) throw std::invalid_argument("ModelForecaster: no model");
}

std::vector<double> ModelForecaster::assess(const ClusterSnapshot& snapshot, double /*horizon_s*/) {
  const int window = model_->spec.window;
  const int channels = model_->channels;
  const std::size_t step = static_cast<std::size_t>(channels);

  std::vector<std::size_t> rows;  // index in snapshot.nodes of each batch row
  rows.reserve(snapshot.nodes.size());
  batch_.resize(snapshot.nodes.size() * window * step);
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    const NodeReport& report = snapshot.nodes[i];
    if (!report.answered) continue;
    History& h = histories_[report.node.value];
    if (h.readings.empty()) h.readings.assign(window * step, 0.0f);
    float* slot = h.readings.data() + h.next * step;
    slot[0] = static_cast<float>(cpu_utilisation_pct(report));
    if (channels == 2) slot[1] = static_cast<float>(ram_utilisation_pct(report));
    h.next = (h.next + 1) % window;
    h.filled = std::min(h.filled + 1, window);

    // The window, oldest first; missing older readings repeat the oldest one there is.
    float* row = batch_.data() + rows.size() * window * step;
    const int oldest = (h.next - h.filled + window) % window;
    for (int s = 0; s < window; ++s) {
      const int back = std::max(0, s - (window - h.filled));  // 0 for every padded step
      const float* reading = h.readings.data() + ((oldest + back) % window) * step;
      std::copy(reading, reading + step, row + s * step);
    }
    rows.push_back(i);
  }

  std::vector<double> p_fail(snapshot.nodes.size(), 0.0);
  if (rows.empty()) return p_fail;
  const std::vector<float> predictions = model_->point->predict(batch_.data(), rows.size(), window, channels);
  const std::vector<double> p = model_->calibration.probabilities(predictions);
  for (std::size_t r = 0; r < rows.size(); ++r) p_fail[rows[r]] = p[r];
  return p_fail;
}

}  // namespace vfo
