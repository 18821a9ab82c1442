#include "vfo/forecast/model_forecaster.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace vfo {

ModelForecaster::ModelForecaster(std::shared_ptr<const ForecastModel> model, std::optional<GuardOptions> guard)
    : model_(std::move(model)) {
  if (model_ == nullptr || model_->point == nullptr) throw std::invalid_argument("ModelForecaster: no model");
  if (guard) {
    guard->horizon = model_->spec.horizon;
    guard->channels = model_->channels;
    guard->persistence = persistence_index(*model_);
    guard_options_ = guard;
    candidates_ = candidates_of(*model_);
    answers_.assign(candidates_.size(), 0);
  } else {
    candidates_ = {{model_->point, model_->calibration}};
  }
}

std::vector<double> ModelForecaster::assess(const ClusterSnapshot& snapshot, double /*horizon_s*/) {
  const int window = model_->spec.window;
  const int channels = model_->channels;
  const std::size_t step = static_cast<std::size_t>(channels);
  const OverloadThresholds& thresholds = model_->calibration.state().thresholds;
  const long round = round_++;

  std::vector<std::size_t> rows;  // index in snapshot.nodes of each batch row
  std::vector<History*> row_history;
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

    if (guard_options_) {
      // This reading is the target of the forecast made `horizon` rounds ago; it overloaded if a reading since did.
      if (!h.guard) h.guard.emplace(*guard_options_, candidates_.size());
      const bool over = slot[0] > thresholds.cpu_pct || (channels == 2 && slot[1] > thresholds.ram_pct);
      h.recent_overloads.emplace_back(round, over);
      const long made = round - model_->spec.horizon;
      while (!h.recent_overloads.empty() && h.recent_overloads.front().first <= made) h.recent_overloads.pop_front();
      const bool overloaded = std::any_of(h.recent_overloads.begin(), h.recent_overloads.end(),
                                          [](const std::pair<long, bool>& r) { return r.second; });
      h.guard->resolve(made, slot, overloaded, &cluster_counts_);
    }

    // The window, oldest first; missing older readings repeat the oldest one there is.
    float* row = batch_.data() + rows.size() * window * step;
    const int oldest = (h.next - h.filled + window) % window;
    for (int s = 0; s < window; ++s) {
      const int back = std::max(0, s - (window - h.filled));  // 0 for every padded step
      const float* reading = h.readings.data() + ((oldest + back) % window) * step;
      std::copy(reading, reading + step, row + s * step);
    }
    rows.push_back(i);
    row_history.push_back(&h);
  }

  const std::size_t n = snapshot.nodes.size();
  std::vector<double> p_fail(n, 0.0);
  last_candidate_.assign(n, 0);
  last_guard_.assign(n, nullptr);
  last_predictions_.assign(n * step, std::numeric_limits<float>::quiet_NaN());
  last_capacity_.resize(n);
  for (std::size_t i = 0; i < n; ++i) last_capacity_[i] = snapshot.nodes[i].capacity;
  if (rows.empty()) return p_fail;

  std::vector<std::vector<float>> predictions;
  std::vector<std::vector<double>> p;
  for (const ForecastCandidate& c : candidates_) {
    predictions.push_back(c.point->predict(batch_.data(), rows.size(), window, channels));
    p.push_back(c.calibration.probabilities(predictions.back()));
  }
  std::vector<float> candidate_predictions(candidates_.size() * step);
  std::vector<double> candidate_p(candidates_.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::size_t chosen = 0;
    double answer = p[0][r];
    if (guard_options_) {
      for (std::size_t c = 0; c < candidates_.size(); ++c) {
        std::copy_n(predictions[c].data() + r * step, step, candidate_predictions.data() + c * step);
        candidate_p[c] = p[c][r];
      }
      ForecastGuard& guard = *row_history[r]->guard;
      const ForecastGuard::Answer a =
          guard.forecast(round, candidate_predictions.data(), candidate_p.data(), &cluster_counts_);
      ++answers_[a.candidate];
      chosen = a.p_candidate;
      answer = a.p_fail;
      last_guard_[rows[r]] = &guard;
    }
    p_fail[rows[r]] = answer;
    last_candidate_[rows[r]] = chosen;
    std::copy_n(predictions[chosen].data() + r * step, step, last_predictions_.data() + rows[r] * step);
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
  const double raw = candidates_[last_candidate_[index]].calibration.probability(shifted.data());
  const ForecastGuard* guard = last_guard_[index];
  return guard != nullptr ? guard->recalibrated(raw, &cluster_counts_) : raw;
}

}  // namespace vfo
