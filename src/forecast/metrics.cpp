#include "vfo/forecast/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace vfo {

namespace {

void check_outcomes(const std::vector<int>& outcomes, const char* function) {
  for (int o : outcomes) {
    if (o != 0 && o != 1) throw std::invalid_argument(std::string(function) + ": outcomes must be 0 or 1");
  }
}

}  // namespace

ErrorStats error_stats(const std::vector<float>& predictions, const std::vector<float>& targets, int channels,
                       int channel) {
  if (channels < 1 || channel < 0 || channel >= channels) throw std::invalid_argument("error_stats: bad channel");
  const auto ch = static_cast<std::size_t>(channels);
  if (predictions.size() != targets.size() || predictions.size() % ch != 0) {
    throw std::invalid_argument("error_stats: predictions and targets must both be count x channels");
  }
  ErrorStats stats;
  stats.count = predictions.size() / ch;
  if (stats.count == 0) return stats;
  double abs_sum = 0, square_sum = 0;
  for (std::size_t i = static_cast<std::size_t>(channel); i < predictions.size(); i += ch) {
    const double error = static_cast<double>(predictions[i]) - targets[i];
    abs_sum += std::abs(error);
    square_sum += error * error;
  }
  stats.mae = abs_sum / static_cast<double>(stats.count);
  stats.rmse = std::sqrt(square_sum / static_cast<double>(stats.count));
  return stats;
}

double brier_score(const std::vector<double>& probabilities, const std::vector<int>& outcomes) {
  if (probabilities.empty() || probabilities.size() != outcomes.size()) {
    throw std::invalid_argument("brier_score: need as many probabilities as outcomes, at least one");
  }
  check_outcomes(outcomes, "brier_score");
  double sum = 0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double d = probabilities[i] - outcomes[i];
    sum += d * d;
  }
  return sum / static_cast<double>(probabilities.size());
}

std::vector<ReliabilityBin> reliability_table(const std::vector<double>& p, const std::vector<int>& outcomes,
                                              int bins) {
  if (bins < 1 || p.size() != outcomes.size()) {
    throw std::invalid_argument("reliability_table: need bins >= 1 and as many probabilities as outcomes");
  }
  check_outcomes(outcomes, "reliability_table");
  std::vector<ReliabilityBin> table(static_cast<std::size_t>(bins));
  for (std::size_t b = 0; b < table.size(); ++b) {
    table[b] = {static_cast<double>(b) / bins, static_cast<double>(b + 1) / bins, 0, 0.0, 0.0};
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw std::invalid_argument("reliability_table: probability outside [0, 1]");
    const auto b = std::min(static_cast<std::size_t>(p[i] * bins), table.size() - 1);
    ++table[b].count;
    table[b].mean_probability += p[i];
    table[b].observed_frequency += outcomes[i];
  }
  for (ReliabilityBin& bin : table) {
    if (bin.count == 0) continue;
    bin.mean_probability /= static_cast<double>(bin.count);
    bin.observed_frequency /= static_cast<double>(bin.count);
  }
  return table;
}

std::vector<int> overload_outcomes(const Examples& examples, const OverloadThresholds& thresholds) {
  if (examples.channels < 1 ||
      examples.peaks.size() != examples.count() * static_cast<std::size_t>(examples.channels)) {
    throw std::invalid_argument("overload_outcomes: peaks must be count x channels");
  }
  const auto ch = static_cast<std::size_t>(examples.channels);
  std::vector<int> outcomes(examples.count(), 0);
  for (std::size_t e = 0; e < outcomes.size(); ++e) {
    const float* peak = examples.peaks.data() + e * ch;
    outcomes[e] = peak[0] > thresholds.cpu_pct || (ch > 1 && peak[1] > thresholds.ram_pct);
  }
  return outcomes;
}

}  // namespace vfo
