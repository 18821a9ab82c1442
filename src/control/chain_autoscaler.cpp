#include "vfo/control/chain_autoscaler.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/placement/placement_problem.hpp"

namespace vfo {
namespace {

constexpr double kSlack = 1e-9;      // relative slack of the time and capacity rules
constexpr double kTieSlack = 1e-12;  // time savings this close (relatively) are a tie
constexpr int kMostReplicas = 1'000'000;

[[noreturn]] void reject(const std::string& field, const std::string& what) {
  throw std::invalid_argument(field + " " + what);
}

void validate_loads(const std::vector<double>& load_ipf) {
  if (load_ipf.empty()) reject("load_ipf", "must hold at least one VF");
  for (std::size_t j = 0; j < load_ipf.size(); ++j) {
    const double l = load_ipf[j];
    if (!(std::isfinite(l) && l >= 0))
      reject(fmt::format("load_ipf[{}]", j), fmt::format("must be finite and >= 0 (got {})", l));
  }
}

void validate_speed(double node_speed_ips) {
  if (!(std::isfinite(node_speed_ips) && node_speed_ips > 0)) {
    reject("node_speed_ips", fmt::format("must be finite and > 0 (got {})", node_speed_ips));
  }
}

void validate_fps(double fps) {
  if (!(std::isfinite(fps) && fps >= 0)) reject("fps", fmt::format("must be finite and >= 0 (got {})", fps));
}

// One count >= 0 per VF.
void validate_counts(const std::vector<double>& load_ipf, const std::vector<int>& replicas) {
  if (replicas.size() != load_ipf.size()) {
    reject("replicas", fmt::format("must hold one count per VF ({}), got {}", load_ipf.size(), replicas.size()));
  }
  for (std::size_t j = 0; j < replicas.size(); ++j) {
    if (replicas[j] < 0) reject(fmt::format("replicas[{}]", j), fmt::format("must be >= 0 (got {})", replicas[j]));
  }
}

bool within(double value, double bound) {
  return value <= bound * (1 + kSlack);
}

// sum_j time_s[j] / y[j] in chain order (every y >= 1).
double chain_time_s(const std::vector<double>& time_s, const std::vector<int>& y) {
  double sum = 0;
  for (std::size_t j = 0; j < time_s.size(); ++j) sum += time_s[j] / y[j];
  return sum;
}

// The least y in [1, most] whose replicas each fit, (load / y) x fps <= cap_ips; most + 1 when none does.
int capacity_floor(double load, double fps, double cap_ips, int most) {
  const double ratio = load * fps / cap_ips;
  if (!(ratio / (1 + kSlack) <= most)) return most + 1;
  int y = std::max(1, static_cast<int>(std::ceil(ratio / (1 + kSlack))));
  while (y > 1 && within(load / (y - 1) * fps, cap_ips)) --y;  // rounding of the estimate, either way
  while (y <= most && !within(load / y * fps, cap_ips)) ++y;
  return y;
}

}  // namespace

void validate(const AutoscalerConfig& config) {
  const double cap = config.utilisation_cap;
  if (!(cap > 0 && cap <= 1)) reject("utilisation_cap", fmt::format("must be in (0, 1] (got {})", cap));
  if (config.max_replicas_per_vf < 1 || config.max_replicas_per_vf > kMostReplicas) {
    reject("max_replicas_per_vf",
           fmt::format("must be in [1, {}] (got {})", kMostReplicas, config.max_replicas_per_vf));
  }
  const double hold = config.scale_down_hold_s;
  if (!(std::isfinite(hold) && hold >= 0))
    reject("scale_down_hold_s", fmt::format("must be finite and >= 0 (got {})", hold));
}

ChainScale minimal_replicas(const std::vector<double>& load_ipf, double node_speed_ips, double fps,
                            const AutoscalerConfig& config) {
  validate(config);
  validate_loads(load_ipf);
  validate_speed(node_speed_ips);
  validate_fps(fps);

  const std::size_t n = load_ipf.size();
  ChainScale out;
  if (fps == 0) {  // zero demand: nothing deployed
    out.recommended.assign(n, 0);
    out.replicas = out.recommended;
    return out;
  }
  const int most = config.max_replicas_per_vf;
  const double cap_ips = config.utilisation_cap * node_speed_ips;
  const double budget_s = 1 / fps;

  std::vector<double> time_s(n);
  std::vector<int> y(n);
  std::string capacity_why;
  for (std::size_t j = 0; j < n; ++j) {
    time_s[j] = load_ipf[j] / node_speed_ips;
    const int least = capacity_floor(load_ipf[j], fps, cap_ips, most);
    if (least > most && capacity_why.empty()) {
      capacity_why = fmt::format(
          "capacity: VF {} at {} fps needs (l / y) x fps = {:.6g} / y <= utilisation_cap x node_speed_ips = {:.6g} "
          "instructions/s, so y >= {:.6g}, above max_replicas_per_vf = {}",
          j, fps, load_ipf[j] * fps, cap_ips, load_ipf[j] * fps / cap_ips, most);
    }
    y[j] = std::min(least, most);
  }

  const std::vector<int> all_most(n, most);
  const double fastest_s = chain_time_s(time_s, all_most);
  if (!within(fastest_s, budget_s)) {
    out.recommended = all_most;
    out.feasible = false;
    out.why = fmt::format(
        "time: with max_replicas_per_vf = {} replicas of every VF the chain takes {:.6g} s per frame, "
        "above 1 / fps = {:.6g} s",
        most, fastest_s, budget_s);
    if (!capacity_why.empty()) out.why += "; " + capacity_why;
  } else {
    // Greedy on the largest time saving; ends at the latest with every VF at `most`, which meets the bound.
    while (!within(chain_time_s(time_s, y), budget_s)) {
      std::size_t best = n;
      double best_saving = 0;
      for (std::size_t j = 0; j < n; ++j) {
        if (y[j] >= most) continue;
        const double saving = time_s[j] / (static_cast<double>(y[j]) * (y[j] + 1));
        if (best == n || saving > best_saving * (1 + kTieSlack)) {
          best = j;
          best_saving = saving;
        }
      }
      ++y[best];
    }
    out.recommended = y;
    out.feasible = capacity_why.empty();
    out.why = capacity_why;
  }
  out.replicas = out.recommended;
  return out;
}

bool meets_demand(const std::vector<double>& load_ipf, const std::vector<int>& replicas, double node_speed_ips,
                  double fps, const AutoscalerConfig& config) {
  validate(config);
  validate_loads(load_ipf);
  validate_speed(node_speed_ips);
  validate_counts(load_ipf, replicas);
  validate_fps(fps);
  if (fps == 0) return true;
  double chain_s = 0;
  for (std::size_t j = 0; j < load_ipf.size(); ++j) {
    if (load_ipf[j] == 0) continue;
    if (replicas[j] == 0) return false;
    if (!within(load_ipf[j] / replicas[j] * fps, config.utilisation_cap * node_speed_ips)) return false;
    chain_s += load_ipf[j] / node_speed_ips / replicas[j];
  }
  return within(chain_s, 1 / fps);
}

double chain_cost_per_s(const std::vector<double>& load_ipf, const std::vector<int>& replicas, double node_speed_ips,
                        double fps) {
  validate_loads(load_ipf);
  validate_speed(node_speed_ips);
  validate_counts(load_ipf, replicas);
  validate_fps(fps);
  double cost = 0;
  for (std::size_t j = 0; j < replicas.size(); ++j) {
    const int y = replicas[j];
    if (y > 0) cost += y * placement_cost(fps * load_ipf[j] / y, node_speed_ips);
  }
  return cost;
}

ChainAutoscaler::ChainAutoscaler(AutoscalerConfig config) : config_(config) {
  validate(config_);
}

ChainScale ChainAutoscaler::desired(const std::vector<double>& load_ipf, double node_speed_ips, double fps,
                                    double now_s) {
  if (!std::isfinite(now_s)) reject("now_s", fmt::format("must be finite (got {})", now_s));
  if (started_ && now_s < last_now_s_) {
    reject("now_s", fmt::format("must not go back ({} after {})", now_s, last_now_s_));
  }
  if (started_ && load_ipf.size() != functions_) {
    reject("load_ipf", fmt::format("must keep the chain's {} VFs (got {})", functions_, load_ipf.size()));
  }
  ChainScale out = minimal_replicas(load_ipf, node_speed_ips, fps, config_);  // throws before any state changes
  started_ = true;
  last_now_s_ = now_s;
  functions_ = load_ipf.size();

  const double hold_s = config_.scale_down_hold_s;
  std::erase_if(history_, [&](const Recommendation& r) { return !(now_s - r.at_s < hold_s); });
  for (const Recommendation& r : history_) {
    for (std::size_t j = 0; j < functions_; ++j) out.replicas[j] = std::max(out.replicas[j], r.replicas[j]);
  }
  if (hold_s > 0) history_.push_back({now_s, out.recommended});
  return out;
}

}  // namespace vfo
