#include "vfo/forecast/forecast_guard.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace vfo {
namespace {

constexpr std::array<double, CalibrationCounts::kBins - 1> kUpperEdges = {0.001, 0.01, 0.03, 0.1, 0.2,
                                                                          0.35,  0.5,  0.65, 0.8, 0.9};

}  // namespace

std::size_t CalibrationCounts::bin_of(double raw_p) {
  return static_cast<std::size_t>(std::upper_bound(kUpperEdges.begin(), kUpperEdges.end(), raw_p) -
                                  kUpperEdges.begin());
}

void CalibrationCounts::score(std::size_t candidate, double squared_error) {
  if (std::isnan(squared_error)) return;  // the candidate did not forecast
  if (candidate >= squared_errors_.size()) {
    squared_errors_.resize(candidate + 1, 0.0);
    scored_.resize(candidate + 1, 0);
  }
  squared_errors_[candidate] += squared_error;
  ++scored_[candidate];
}

std::size_t CalibrationCounts::best_probabilities(std::size_t persistence, std::size_t candidates, long warmup) const {
  if (persistence >= scored_.size() || scored_[persistence] < warmup) return persistence;
  const auto mean = [&](std::size_t c) { return squared_errors_[c] / static_cast<double>(scored_[c]); };
  std::size_t best = persistence;
  for (std::size_t c = 0; c < std::min(candidates, scored_.size()); ++c) {
    if (scored_[c] > 0 && mean(c) < mean(best)) best = c;
  }
  return best;
}

void CalibrationCounts::record(double raw_p, bool overloaded) {
  const std::size_t b = bin_of(raw_p);
  forecasts_[b] += 1;
  events_[b] += overloaded ? 1 : 0;
}

double CalibrationCounts::shrunk(double raw_p, double fallback, double prior) const {
  const std::size_t b = bin_of(raw_p);
  const double denominator = forecasts_[b] + prior;
  return denominator > 0 ? (events_[b] + prior * fallback) / denominator : fallback;
}

ForecastGuard::ForecastGuard(const GuardOptions& options, std::size_t candidates)
    : options_(options), weighted_error_(candidates, 0.0), weight_(candidates, 0.0) {
  if (candidates == 0 || options.persistence >= candidates) {
    throw std::invalid_argument("ForecastGuard: persistence must be one of at least one candidate");
  }
  if (options.horizon < 1 || options.channels < 1 || !(options.error_half_life > 0) || options.warmup < 0 ||
      !(options.cluster_prior >= 0) || !(options.node_prior >= 0) || options.cluster_warmup < 0) {
    throw std::invalid_argument("ForecastGuard: an option is out of range");
  }
  decay_ = std::exp2(-1.0 / options.error_half_life);
}

std::size_t ForecastGuard::leader() const {
  std::size_t best = options_.persistence;
  if (scored_ < options_.warmup) return best;
  for (std::size_t c = 0; c < weighted_error_.size(); ++c) {
    if (weight_[c] > 0 && error(c) < error(best)) best = c;
  }
  return best;
}

double ForecastGuard::error(std::size_t candidate) const {
  return weight_.at(candidate) > 0 ? weighted_error_[candidate] / weight_[candidate] : 0;
}

double ForecastGuard::recalibrated(double raw_p, const CalibrationCounts* cluster) const {
  const double cluster_p = cluster != nullptr ? cluster->shrunk(raw_p, raw_p, options_.cluster_prior) : raw_p;
  return std::clamp(counts_.shrunk(raw_p, cluster_p, options_.node_prior), 0.0, 1.0);
}

ForecastGuard::Answer ForecastGuard::forecast(long step, const float* predictions, const double* raw_p,
                                              const CalibrationCounts* cluster) {
  if (forecasts_ > 0 && step <= last_step_) throw std::invalid_argument("ForecastGuard::forecast: steps must increase");
  last_step_ = step;
  ++forecasts_;
  Answer a;
  const std::size_t candidates = weighted_error_.size();
  const auto channels = static_cast<std::size_t>(options_.channels);
  a.candidate = leader();
  if (std::isnan(predictions[a.candidate * channels])) a.candidate = options_.persistence;  // it did not forecast
  a.p_candidate = cluster != nullptr
                      ? cluster->best_probabilities(options_.persistence, candidates, options_.cluster_warmup)
                      : options_.persistence;
  if (std::isnan(raw_p[a.p_candidate])) a.p_candidate = options_.persistence;
  a.raw_p = raw_p[a.p_candidate];
  a.p_fail = recalibrated(a.raw_p, cluster);
  const std::size_t values = candidates * channels;
  Pending& p = pending_.emplace_back(std::move(spare_));
  p.step = step;
  p.predictions.assign(predictions, predictions + values);
  p.candidates_p.assign(raw_p, raw_p + candidates);
  p.raw_p = a.raw_p;
  // A node whose outcomes never come keeps at most one horizon of forecasts (plus this one).
  while (pending_.size() > static_cast<std::size_t>(options_.horizon) + 1) drop_front();
  return a;
}

void ForecastGuard::drop_front() {
  spare_ = std::move(pending_.front());
  pending_.pop_front();
}

void ForecastGuard::resolve(long step, const float* target, bool overloaded, CalibrationCounts* cluster) {
  while (!pending_.empty() && pending_.front().step < step) drop_front();
  if (pending_.empty() || pending_.front().step != step) return;
  const Pending& p = pending_.front();
  const auto channels = static_cast<std::size_t>(options_.channels);
  for (std::size_t c = 0; c < weighted_error_.size(); ++c) {
    // A candidate that did not forecast ages like the others but adds no error: its mean stays, its weight decays.
    const bool forecast = !std::isnan(p.predictions[c * channels]);
    double error = 0;
    for (std::size_t v = 0; forecast && v < channels; ++v)
      error += std::abs(static_cast<double>(p.predictions[c * channels + v]) - target[v]);
    weighted_error_[c] = weighted_error_[c] * decay_ + error;
    weight_[c] = weight_[c] * decay_ + (forecast ? 1 : 0);
  }
  ++scored_;
  counts_.record(p.raw_p, overloaded);
  if (cluster != nullptr) {
    cluster->record(p.raw_p, overloaded);
    const double outcome = overloaded ? 1 : 0;
    for (std::size_t c = 0; c < p.candidates_p.size(); ++c) {
      cluster->score(c, (p.candidates_p[c] - outcome) * (p.candidates_p[c] - outcome));
    }
  }
  drop_front();
}

}  // namespace vfo
