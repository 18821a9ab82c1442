#include "vfo/forecast/trend_forecaster.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vfo {

TrendForecaster::TrendForecaster(TrendForecasterConfig config) : config_(config) {
  const auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("trend forecaster: ") + what);
  };
  require(config_.interval_s > 0, "interval_s must be > 0");
  require(config_.alpha > 0 && config_.alpha <= 1, "alpha must be in (0, 1]");
  require(config_.beta >= 0 && config_.beta <= 1, "beta must be in [0, 1]");
  require(config_.error_weight > 0 && config_.error_weight <= 1, "error_weight must be in (0, 1]");
  require(config_.min_sigma_pct > 0, "min_sigma_pct must be > 0");
  require(config_.settle_readings >= 0, "settle_readings must be >= 0");
  require(config_.min_readings >= 1, "min_readings must be >= 1");
}

void TrendForecaster::Channel::update(double reading, const TrendForecasterConfig& c) {
  if (readings == 0) {
    level = reading;
  } else {
    const double predicted = level + trend;
    const double error = reading - predicted;
    mean_square_error =
        readings == 1 ? error * error : (1 - c.error_weight) * mean_square_error + c.error_weight * error * error;
    const double previous = level;
    level = c.alpha * reading + (1 - c.alpha) * predicted;
    trend = c.beta * (level - previous) + (1 - c.beta) * trend;
  }
  ++readings;
}

double TrendForecaster::Channel::p_exceed(double threshold, int steps, const TrendForecasterConfig& c) const {
  const double sigma = std::max(std::sqrt(mean_square_error), c.min_sigma_pct);
  double p = 0;
  for (int k = 1; k <= steps; ++k) {
    const double z = (threshold - (level + k * trend)) / (sigma * std::sqrt(static_cast<double>(k)));
    p = std::max(p, 0.5 * std::erfc(z / std::sqrt(2.0)));
  }
  return p;
}

std::vector<double> TrendForecaster::assess(const ClusterSnapshot& snapshot, double horizon_s) {
  const int steps = std::max(1, static_cast<int>(std::ceil(horizon_s / config_.interval_s - 1e-9)));
  // The VFs each node has: running there, or moving in.
  std::vector<std::vector<FunctionRef>> on_node(snapshot.nodes.size());
  for (const FunctionReport& f : snapshot.functions) {
    const NodeId node = f.status == FunctionStatus::moving ? f.target : f.node;
    if (f.status != FunctionStatus::lost && node.value < on_node.size()) on_node[node.value].push_back(f.ref);
  }
  std::vector<double> p_fail(snapshot.nodes.size(), 0.0);
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    const NodeReport& report = snapshot.nodes[i];
    if (!report.answered) continue;
    std::sort(on_node[i].begin(), on_node[i].end());
    auto [it, first_seen] = histories_.try_emplace(report.node.value);
    History& h = it->second;
    if (first_seen || h.functions != on_node[i]) h = History{std::move(on_node[i])};
    if (h.ignored < config_.settle_readings) {
      ++h.ignored;
      continue;
    }
    h.cpu.update(cpu_utilisation_pct(report), config_);
    h.ram.update(ram_utilisation_pct(report), config_);
    if (h.cpu.readings < config_.min_readings) continue;
    p_fail[i] = std::max(h.cpu.p_exceed(config_.cpu_threshold_pct, steps, config_),
                         h.ram.p_exceed(config_.ram_threshold_pct, steps, config_));
  }
  return p_fail;
}

}  // namespace vfo
