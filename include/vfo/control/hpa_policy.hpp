#pragma once
// Kubernetes' HorizontalPodAutoscaler (autoscaling/v2, resource metric "CPU utilisation") as a pure policy, the
// baseline autoscaler. A simulator calls HpaPolicy::step once per sync period (15 s by default) with
// the replica count it runs and the utilisation the metrics server reports; step returns the new replica count,
// decided by the rules of kube-controller-manager's HPA controller (pkg/controller/podautoscaler: horizontal.go,
// replica_calculator.go, metrics/utilization.go) and the API's defaults (pkg/apis/autoscaling/v2/defaults.go):
//
//  1. metric: utilisation in whole percent, truncated, ratio = utilisation% / target%; no change while
//     1 - tolerance <= ratio <= 1 + tolerance; otherwise ceil(ratio x ready pods) (pods not yet ready: below).
//  2. stabilisation: every sync records its unstabilised recommendation; a scale-up goes no higher than the
//     lowest recommendation of the scale-up window (0 s: none), a scale-down no lower than the highest of the
//     scale-down window (300 s). The first sync records the current count, so nothing scales down for a window.
//  3. rate: a scale-up reaches at most, over the policies (selectPolicy Max: the largest), the count at the
//     start of each policy's period plus 4 pods or plus 100 %, that start being the current count less what
//     was added (plus what was removed) within the period; a scale-down likewise (-100 %: down to min).
//  4. bounds: [min_replicas, max_replicas]; a count already outside them is brought back at once.
//
// Without spec.behavior (behavior = false) the controller takes its older path: the max over the scale-down
// window in both directions, then at most max(2 x current, 4) per sync, no history of scale events.
// docs: /tmp/k8s-model-section.md (merged into docs/ by the lead) gives each number's source.
#include <vector>

namespace vfo {

// One entry of spec.behavior.scaleUp/scaleDown.policies: within any `period_s`, add (or remove) at most
// `value` pods (pods) or `value` percent of the count at the period's start (percent).
struct HpaScalingPolicy {
  enum class Type { pods, percent };
  Type type = Type::pods;
  int value = 4;         // > 0
  double period_s = 15;  // in (0, 1800], as the API validates periodSeconds
  bool operator==(const HpaScalingPolicy&) const = default;
};

// spec.behavior.scaleUp or .scaleDown.
struct HpaScalingRules {
  enum class Select { max, min, disabled };  // selectPolicy: Max (default), Min, Disabled
  double stabilization_window_s = 0;         // in [0, 3600]
  Select select = Select::max;
  std::vector<HpaScalingPolicy> policies;  // at least one
  bool operator==(const HpaScalingRules&) const = default;
};

// The API's defaults: scale-up window 0 s, policies Pods 4 and Percent 100 per 15 s, selectPolicy Max.
HpaScalingRules hpa_default_scale_up();
// Scale-down window 300 s (--horizontal-pod-autoscaler-downscale-stabilization), Percent 100 per 15 s, Max.
HpaScalingRules hpa_default_scale_down();

struct HpaConfig {
  // spec.metrics[].resource.target.averageUtilization / 100: mean CPU usage over request the HPA aims at.
  // A whole percent (the API's field is an integer), > 0; may exceed 1.
  double target_utilisation = 0.7;
  int min_replicas = 1;       // spec.minReplicas (default 1); >= 1 (0 needs the alpha gate HPAScaleToZero)
  int max_replicas = 10;      // spec.maxReplicas (required by the API, no default); >= min_replicas
  double tolerance = 0.1;     // --horizontal-pod-autoscaler-tolerance; >= 0
  double sync_period_s = 15;  // --horizontal-pod-autoscaler-sync-period: how often the caller should step; > 0
  bool behavior = true;       // spec.behavior set (fields not given take the defaults below) or omitted
  HpaScalingRules scale_up = hpa_default_scale_up();
  // Its window is also the legacy path's --horizontal-pod-autoscaler-downscale-stabilization.
  HpaScalingRules scale_down = hpa_default_scale_down();
};

// Throws std::invalid_argument naming the first field out of range (e.g. "scale_up.policies[1].period_s").
void validate(const HpaConfig& config);

// Why step() returned what it did; to_string gives the HPA's own condition reason.
enum class HpaReason {
  scaling_disabled,       // the target runs 0 replicas (and min_replicas > 0): the HPA leaves it alone
  above_max,              // the target ran more than max_replicas: set to max at once
  below_min,              // the target ran fewer than min_replicas: set to min at once
  no_metrics,             // no ready pod to read: no decision this sync (nothing recorded)
  within_tolerance,       // |ratio - 1| within the tolerance: no change
  desired_within_range,   // the metric's count, neither stabilised nor limited
  scale_up_stabilized,    // held down to the lowest recommendation of the scale-up window
  scale_down_stabilized,  // held up to the highest recommendation of the scale-down window
  scale_up_limit,         // cut by the scale-up policies (or, without behavior, max(2 x current, 4))
  scale_down_limit,       // cut by the scale-down policies
  too_many_replicas,      // cut to max_replicas
  too_few_replicas,       // raised to min_replicas
};

// "ScalingDisabled", "AboveMaxReplicas", "BelowMinReplicas", "FailedGetResourceMetric", "WithinTolerance",
// "DesiredWithinRange", "ScaleUpStabilized", "ScaleDownStabilized", "ScaleUpLimit", "ScaleDownLimit",
// "TooManyReplicas", "TooFewReplicas" (the HPA's conditions' reasons where it has one).
const char* to_string(HpaReason reason);

struct HpaDecision {
  int replicas = 0;         // what step() returned
  int metric_replicas = 0;  // the count the metric asked for (the current count within the tolerance)
  int stabilized = 0;       // after the stabilisation window(s), before rate and bounds
  HpaReason reason = HpaReason::desired_within_range;
  bool operator==(const HpaDecision&) const = default;
};

// One HorizontalPodAutoscaler and the history its controller keeps for it (recommendations, scale events).
// Pure: time is what the caller passes. Not thread-safe.
class HpaPolicy {
 public:
  explicit HpaPolicy(HpaConfig config);  // validates it

  // One sync at `now_s` (never earlier than the previous call's). `current_replicas` (>= 0) is the target's
  // spec.replicas, that many pods existing; `unready_replicas` of them (in [0, current]) are pending or not yet
  // ready, and `utilisation` (finite, >= 0) is the mean CPU usage over request of the others, the ready ones, as
  // the metrics server reports it (a 15 s window). When the ratio asks for a scale-up, unready pods count at
  // 0 % (which damps scale-ups while new pods start); otherwise they are left out. Returns the new
  // spec.replicas; a change is recorded as a scale event at `now_s`. Throws std::invalid_argument on bad input.
  int step(double now_s, int current_replicas, double utilisation, int unready_replicas = 0);

  const HpaDecision& last_decision() const { return decision_; }
  const HpaConfig& config() const { return config_; }

 private:
  struct Recommendation {
    int replicas;
    double at_s;
  };
  struct ScaleEvent {
    int change;  // > 0: pods added (scale-up events) or removed (scale-down events)
    double at_s;
    bool outdated;
  };

  int metric_replicas(int current, double utilisation, int unready, bool& within_tolerance) const;
  int normalize_with_behavior(double now_s, int current, int desired);
  int normalize_legacy(double now_s, int current, int desired);
  int rate_limit(double now_s, int current, bool up) const;
  void store_scale_event(double now_s, int previous, int next);

  HpaConfig config_;
  int target_percent_ = 0;
  bool started_ = false;
  double last_now_s_ = 0;
  std::vector<Recommendation> recommendations_;
  std::vector<ScaleEvent> up_events_;
  std::vector<ScaleEvent> down_events_;
  HpaDecision decision_;
};

}  // namespace vfo
