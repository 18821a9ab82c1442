#include "vfo/forecast/model_forecaster.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
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
  last_predictions_.assign(snapshot.nodes.size() * step, std::numeric_limits<float>::quiet_NaN());
  last_capacity_.resize(snapshot.nodes.size());
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) last_capacity_[i] = snapshot.nodes[i].capacity;
  if (rows.empty()) return p_fail;
  const std::vector<float> predictions = model_->point->predict(batch_.data(), rows.size(), window, channels);
  const std::vector<double> p = model_->calibration.probabilities(predictions);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    p_fail[rows[r]] = p[r];
    std::copy_n(predictions.data() + r * step, step, last_predictions_.data() + rows[r] * step);
  }
  return p_fail;
}

std::optional<double> ModelForecaster::p_fail_with(std::size_t index, const Resources& extra) const {
  const std::size_t step = static_cast<std::size_t>(model_->channels);
  if (index >= last_capacity_.size()) throw std::out_of_range("ModelForecaster::p_fail_with: no such node");
  std::vector<float> shifted(last_predictions_.begin() + static_cast<std::ptrdiff_t>(index * step),
                             last_predictions_.begin() + static_cast<std::ptrdiff_t>((index + 1) * step));
  if (std::isnan(shifted[0])) return 0.0;
  const Resources& capacity = last_capacity_[index];
  if (capacity.cpu_ips > 0) shifted[0] += static_cast<float>(100.0 * extra.cpu_ips / capacity.cpu_ips);
  if (step == 2 && capacity.ram_bytes > 0)
    shifted[1] += static_cast<float>(100.0 * extra.ram_bytes / capacity.ram_bytes);
  return model_->calibration.probability(shifted.data());
}

}  // namespace vfo
