#include "vfo/forecast/model_forecaster.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace vfo {

ModelForecaster::ModelForecaster(std::shared_ptr<const ForecastModel> model, std::optional<GuardOptions> guard,
                                 std::optional<CascadeOptions> cascade)
    : model_(std::move(model)), cascade_(cascade) {
  if (model_ == nullptr || model_->point == nullptr) throw std::invalid_argument("ModelForecaster: no model");
  if (cascade_) {
    if (model_->baselines.empty())
      throw std::invalid_argument("ModelForecaster: a cascade needs the model's baselines");
    if (!(cascade_->screen_p > 0 && cascade_->screen_p <= 1) || cascade_->refresh_rounds < 1) {
      throw std::invalid_argument("ModelForecaster: a cascade option is out of range");
    }
  }
  if (guard) {
    guard->horizon = model_->spec.horizon;
    guard->channels = model_->channels;
    guard->persistence = persistence_index(*model_);
    guard_options_ = guard;
    candidates_ = candidates_of(*model_);
    answers_.assign(candidates_.size(), 0);
  } else {
    candidates_ =
        cascade_ ? candidates_of(*model_) : std::vector<ForecastCandidate>{{model_->point, model_->calibration}};
  }
}

void ModelForecaster::predict_candidates(const std::vector<History*>& rows, long round) {
  const int window = model_->spec.window;
  const int channels = model_->channels;
  const std::size_t step = static_cast<std::size_t>(channels);
  predictions_.resize(candidates_.size());
  p_.resize(candidates_.size());
  for (std::size_t c = cascade_ ? 1 : 0; c < candidates_.size(); ++c) {
    predictions_[c] = candidates_[c].point->predict(batch_.data(), rows.size(), window, channels);
    p_[c] = candidates_[c].calibration.probabilities(predictions_[c]);
  }
  if (!cascade_) {
    network_forecasts_ += rows.size();
    return;
  }
  // The screen: the rows the network must see this round.
  screened_rows_.clear();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const History& h = *rows[r];
    bool run =
        !h.network_ran || round - h.network_round >= cascade_->refresh_rounds || h.network_p >= cascade_->screen_p;
    for (std::size_t c = 1; c < candidates_.size() && !run; ++c) run = p_[c][r] >= cascade_->screen_p;
    if (run) screened_rows_.push_back(r);
  }
  const std::size_t row_values = static_cast<std::size_t>(window) * step;
  screened_batch_.resize(screened_rows_.size() * row_values);
  for (std::size_t k = 0; k < screened_rows_.size(); ++k) {
    std::copy_n(batch_.data() + screened_rows_[k] * row_values, row_values, screened_batch_.data() + k * row_values);
  }
  std::vector<float> network;
  std::vector<double> network_p;
  if (!screened_rows_.empty()) {
    network = candidates_[0].point->predict(screened_batch_.data(), screened_rows_.size(), window, channels);
    network_p = candidates_[0].calibration.probabilities(network);
  }
  network_forecasts_ += screened_rows_.size();
  predictions_[0].assign(rows.size() * step, std::numeric_limits<float>::quiet_NaN());
  p_[0].assign(rows.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t k = 0; k < screened_rows_.size(); ++k) {
    const std::size_t r = screened_rows_[k];
    std::copy_n(network.data() + k * step, step, predictions_[0].data() + r * step);
    p_[0][r] = network_p[k];
    History& h = *rows[r];
    // The first run is dated back by the node's place in the refresh cycle, so that nodes first seen together
    // are refreshed on different rounds: about nodes / refresh_rounds of them each round.
    h.network_round = h.network_ran ? round : round - static_cast<long>(h.node % cascade_->refresh_rounds);
    h.network_ran = true;
    h.network_p = network_p[k];
    h.network_prediction.assign(network.data() + k * step, network.data() + (k + 1) * step);
  }
  if (guard_options_) return;                      // the guard answers without the network where it did not run
  for (std::size_t r = 0; r < rows.size(); ++r) {  // unguarded: the network's last answer
    if (!std::isnan(p_[0][r])) continue;
    p_[0][r] = rows[r]->network_p;
    std::copy_n(rows[r]->network_prediction.data(), step, predictions_[0].data() + r * step);
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
    if (h.readings.empty()) {
      h.readings.assign(window * step, 0.0f);
      h.node = report.node.value;
    }
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

  predict_candidates(row_history, round);
  const std::vector<std::vector<float>>& predictions = predictions_;
  const std::vector<std::vector<double>>& p = p_;
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
