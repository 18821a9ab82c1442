#include "vfo/control/hpa_policy.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace vfo {

HpaScalingRules hpa_default_scale_up() {
  return HpaScalingRules{
      .stabilization_window_s = 0,
      .select = HpaScalingRules::Select::max,
      .policies = {{HpaScalingPolicy::Type::pods, 4, 15}, {HpaScalingPolicy::Type::percent, 100, 15}}};
}

HpaScalingRules hpa_default_scale_down() {
  return HpaScalingRules{.stabilization_window_s = 300,
                         .select = HpaScalingRules::Select::max,
                         .policies = {{HpaScalingPolicy::Type::percent, 100, 15}}};
}

const char* to_string(HpaReason reason) {
  switch (reason) {
    case HpaReason::scaling_disabled:
      return "ScalingDisabled";
    case HpaReason::above_max:
      return "AboveMaxReplicas";
    case HpaReason::below_min:
      return "BelowMinReplicas";
    case HpaReason::no_metrics:
      return "FailedGetResourceMetric";
    case HpaReason::within_tolerance:
      return "WithinTolerance";
    case HpaReason::desired_within_range:
      return "DesiredWithinRange";
    case HpaReason::scale_up_stabilized:
      return "ScaleUpStabilized";
    case HpaReason::scale_down_stabilized:
      return "ScaleDownStabilized";
    case HpaReason::scale_up_limit:
      return "ScaleUpLimit";
    case HpaReason::scale_down_limit:
      return "ScaleDownLimit";
    case HpaReason::too_many_replicas:
      return "TooManyReplicas";
    case HpaReason::too_few_replicas:
      return "TooFewReplicas";
  }
  return "?";
}

namespace {

[[noreturn]] void reject(const std::string& field, const std::string& what) {
  throw std::invalid_argument("HpaConfig: " + field + " " + what);
}

void validate_rules(const HpaScalingRules& rules, const std::string& name) {
  const double w = rules.stabilization_window_s;
  if (!(w >= 0 && w <= 3600)) reject(name + ".stabilization_window_s", "must be in [0, 3600]");
  if (rules.policies.empty()) reject(name + ".policies", "must hold at least one policy");
  for (std::size_t i = 0; i < rules.policies.size(); ++i) {
    const HpaScalingPolicy& p = rules.policies[i];
    const std::string at = name + ".policies[" + std::to_string(i) + "]";
    if (p.value <= 0) reject(at + ".value", "must be > 0");
    if (!(p.period_s > 0 && p.period_s <= 1800)) reject(at + ".period_s", "must be in (0, 1800]");
  }
}

// Whole percent, as metrics/utilization.go computes int32(usage * 100 / request) on milli-units: truncated. The
// 1e-9 absorbs binary fractions such as 0.29 * 100 = 28.999999999999996.
double whole_percent(double fraction) {
  return std::floor(fraction * 100 + 1e-9);
}

// A replica count from a real one (already rounded), capped at INT_MAX as the controller caps at MaxInt32.
int to_count(double replicas) {
  return replicas >= INT_MAX ? INT_MAX : static_cast<int>(replicas);
}

// The tolerance check of replica_calculator.go (Tolerances.isWithin): both bounds inclusive.
bool within(double ratio, double tolerance) {
  return 1.0 - tolerance <= ratio && ratio <= 1.0 + tolerance;
}

// Sum of the events newer than `period_s` (strictly after now - period, as getReplicasChangePerPeriod).
int change_within(const HpaScalingPolicy& policy, double now_s, const auto& events) {
  int sum = 0;
  for (const auto& e : events)
    if (e.at_s > now_s - policy.period_s) sum += e.change;
  return sum;
}

double longest_period(const HpaScalingRules& rules) {
  double longest = 0;
  for (const auto& p : rules.policies) longest = std::max(longest, p.period_s);
  return longest;
}

}  // namespace

void validate(const HpaConfig& c) {
  const double percent = c.target_utilisation * 100;
  if (!(c.target_utilisation > 0) || !std::isfinite(c.target_utilisation) ||
      std::abs(percent - std::round(percent)) > 1e-6 || std::round(percent) < 1)
    reject("target_utilisation", "must be a whole percent > 0 (e.g. 0.7)");
  if (c.min_replicas < 1) reject("min_replicas", "must be >= 1");
  if (c.max_replicas < c.min_replicas) reject("max_replicas", "must be >= min_replicas");
  if (!(c.tolerance >= 0) || !std::isfinite(c.tolerance)) reject("tolerance", "must be >= 0");
  if (!(c.sync_period_s > 0) || !std::isfinite(c.sync_period_s)) reject("sync_period_s", "must be > 0");
  validate_rules(c.scale_up, "scale_up");
  validate_rules(c.scale_down, "scale_down");
}

HpaPolicy::HpaPolicy(HpaConfig config) : config_(std::move(config)) {
  validate(config_);
  target_percent_ = static_cast<int>(std::lround(config_.target_utilisation * 100));
}

int HpaPolicy::step(double now_s, int current, double utilisation, int unready) {
  if (!std::isfinite(now_s) || (started_ && now_s < last_now_s_))
    throw std::invalid_argument("HpaPolicy::step: now_s must be finite and not earlier than the previous call's");
  if (current < 0) throw std::invalid_argument("HpaPolicy::step: current_replicas must be >= 0");
  if (!(utilisation >= 0) || !std::isfinite(utilisation))
    throw std::invalid_argument("HpaPolicy::step: utilisation must be finite and >= 0");
  if (unready < 0 || unready > current)
    throw std::invalid_argument("HpaPolicy::step: unready_replicas must be in [0, current_replicas]");
  // recordInitialRecommendation: the first sync remembers the count it found, so that a scale-down waits for
  // a whole window after the HPA (or the controller) starts.
  if (!started_) recommendations_.push_back({current, now_s});
  started_ = true;
  last_now_s_ = now_s;

  decision_ = HpaDecision{current, current, current, HpaReason::desired_within_range};
  int desired = current;
  if (current == 0) {  // min_replicas >= 1 here: autoscaling is disabled for a target scaled to zero
    decision_.reason = HpaReason::scaling_disabled;
    return current;
  } else if (current > config_.max_replicas) {
    desired = config_.max_replicas;
    decision_.reason = HpaReason::above_max;
  } else if (current < config_.min_replicas) {
    desired = config_.min_replicas;
    decision_.reason = HpaReason::below_min;
  } else {
    bool tolerated = false;
    const int metric = metric_replicas(current, utilisation, unready, tolerated);
    if (metric < 0) {  // no ready pod: the controller fails this sync before recording anything
      decision_.reason = HpaReason::no_metrics;
      return current;
    }
    decision_.metric_replicas = metric;
    desired =
        config_.behavior ? normalize_with_behavior(now_s, current, metric) : normalize_legacy(now_s, current, metric);
    if (tolerated && desired == current) decision_.reason = HpaReason::within_tolerance;
  }
  decision_.replicas = desired;
  if (desired != current && config_.behavior) store_scale_event(now_s, current, desired);
  return desired;
}

// GetResourceReplicas for pods of equal requests: `current` pods, `unready` of them not ready. Returns -1 when no
// pod is ready (no metric). Sets `within_tolerance` when the tolerance kept the current count.
int HpaPolicy::metric_replicas(int current, double utilisation, int unready, bool& within_tolerance) const {
  const double tolerance = config_.tolerance;
  const int ready = current - unready;
  if (ready <= 0) return -1;
  const double ratio = whole_percent(utilisation) / target_percent_;
  if (!(unready > 0 && ratio > 1.0)) {
    if (within(ratio, tolerance)) {
      within_tolerance = true;
      return current;
    }
    return to_count(std::ceil(ratio * ready));
  }
  // A scale-up with unready pods: they count at 0 % of their request, the mean is taken over all pods again,
  // and no change if that lands within the tolerance or turns the direction round.
  const double new_ratio = whole_percent(utilisation * ready / current) / target_percent_;
  if (within(new_ratio, tolerance) || new_ratio < 1.0) {
    within_tolerance = within(new_ratio, tolerance);
    return current;
  }
  const int replicas = to_count(std::ceil(new_ratio * current));
  return replicas < current ? current : replicas;
}

// stabilizeRecommendationWithBehaviors, then convertDesiredReplicasWithBehaviorRate.
int HpaPolicy::normalize_with_behavior(double now_s, int current, int desired) {
  const double up_cutoff = now_s - config_.scale_up.stabilization_window_s;
  const double down_cutoff = now_s - config_.scale_down.stabilization_window_s;
  int up = desired;
  int down = desired;
  int old = -1;
  for (std::size_t i = 0; i < recommendations_.size(); ++i) {
    const Recommendation& r = recommendations_[i];
    if (r.at_s > up_cutoff) up = std::min(up, r.replicas);
    if (r.at_s > down_cutoff) down = std::max(down, r.replicas);
    if (r.at_s < up_cutoff && r.at_s < down_cutoff) old = static_cast<int>(i);  // outside both: reused
  }
  int stabilized = current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;
  if (old >= 0) {
    recommendations_[old] = {desired, now_s};
  } else {
    recommendations_.push_back({desired, now_s});
  }
  decision_.stabilized = stabilized;
  if (stabilized != desired) {
    decision_.reason = desired >= current ? HpaReason::scale_up_stabilized : HpaReason::scale_down_stabilized;
  }

  if (stabilized > current) {
    const int limit = std::max(rate_limit(now_s, current, true), current);
    int allowed = config_.max_replicas;
    HpaReason why = HpaReason::too_many_replicas;
    if (allowed > limit) {
      allowed = limit;
      why = HpaReason::scale_up_limit;
    }
    if (stabilized > allowed) {
      decision_.reason = why;
      return allowed;
    }
  } else if (stabilized < current) {
    const int limit = std::min(rate_limit(now_s, current, false), current);
    int allowed = config_.min_replicas;
    HpaReason why = HpaReason::too_few_replicas;
    if (allowed < limit) {
      allowed = limit;
      why = HpaReason::scale_down_limit;
    }
    if (stabilized < allowed) {
      decision_.reason = why;
      return allowed;
    }
  }
  return stabilized;
}

// Without spec.behavior: stabilizeRecommendation (the max over the downscale window, a recommendation exactly
// one window old still counting), then convertDesiredReplicasWithRules.
int HpaPolicy::normalize_legacy(double now_s, int current, int desired) {
  const double cutoff = now_s - config_.scale_down.stabilization_window_s;
  int highest = desired;
  int old = -1;
  for (std::size_t i = 0; i < recommendations_.size(); ++i) {
    const Recommendation& r = recommendations_[i];
    if (r.at_s < cutoff) {
      old = static_cast<int>(i);
    } else {
      highest = std::max(highest, r.replicas);
    }
  }
  if (old >= 0) {
    recommendations_[old] = {desired, now_s};
  } else {
    recommendations_.push_back({desired, now_s});
  }
  decision_.stabilized = highest;
  if (highest != desired) decision_.reason = HpaReason::scale_down_stabilized;

  const int limit = static_cast<int>(std::max(2.0 * current, 4.0));  // calculateScaleUpLimit
  int allowed = config_.max_replicas;
  HpaReason why = HpaReason::too_many_replicas;
  if (allowed > limit) {
    allowed = limit;
    why = HpaReason::scale_up_limit;
  }
  if (highest < config_.min_replicas) {
    decision_.reason = HpaReason::too_few_replicas;
    return config_.min_replicas;
  }
  if (highest > allowed) {
    decision_.reason = why;
    return allowed;
  }
  return highest;
}

// calculateScaleUpLimitWithScalingRules and calculateScaleDownLimitWithBehaviors: per policy, the count at the
// start of its period (the current count less what was added, plus what was removed, within it) plus (up) or
// less (down) the policy's step; a percentage rounds up going up and is truncated toward zero going down, as
// Go's int32 conversion. selectPolicy Max takes the biggest change (the largest count up, the smallest down).
int HpaPolicy::rate_limit(double now_s, int current, bool up) const {
  const HpaScalingRules& rules = up ? config_.scale_up : config_.scale_down;
  if (rules.select == HpaScalingRules::Select::disabled) return current;
  const bool largest = up == (rules.select == HpaScalingRules::Select::max);
  int result = largest ? INT_MIN : INT_MAX;
  for (const HpaScalingPolicy& p : rules.policies) {
    const int start = current - change_within(p, now_s, up_events_) + change_within(p, now_s, down_events_);
    int proposed = 0;
    if (p.type == HpaScalingPolicy::Type::pods) {
      proposed = up ? start + p.value : start - p.value;
    } else if (up) {
      proposed = to_count(std::ceil(static_cast<double>(start) * (1 + p.value / 100.0)));
    } else {
      proposed = static_cast<int>(static_cast<double>(start) * (1 - p.value / 100.0));
    }
    result = largest ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

// storeScaleEvent: events older than the direction's longest policy period are marked outdated, and the last
// outdated one is overwritten (else the event is appended). A marked event still counts while it is within a
// (longer) period of the other direction, as in the controller.
void HpaPolicy::store_scale_event(double now_s, int previous, int next) {
  const bool up = next > previous;
  std::vector<ScaleEvent>& events = up ? up_events_ : down_events_;
  const double cutoff = now_s - longest_period(up ? config_.scale_up : config_.scale_down);
  int old = -1;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].at_s < cutoff) events[i].outdated = true;
    if (events[i].outdated) old = static_cast<int>(i);
  }
  const ScaleEvent event{up ? next - previous : previous - next, now_s, false};
  if (old >= 0) {
    events[old] = event;
  } else {
    events.push_back(event);
  }
}

}  // namespace vfo
