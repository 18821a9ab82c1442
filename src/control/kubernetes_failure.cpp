#include "vfo/control/kubernetes_failure.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace vfo {
namespace {

[[noreturn]] void reject(const std::string& field, const std::string& what) {
  throw std::invalid_argument("KubernetesFailureProfile: " + field + " " + what);
}

bool positive(double x) {
  return x > 0 && std::isfinite(x);
}

}  // namespace

KubernetesFailureProfile KubernetesFailureProfile::default_profile() {
  return {40, 5, 10, 300};
}

KubernetesFailureProfile KubernetesFailureProfile::v1_32_profile() {
  return {50, 5, 10, 300};
}

KubernetesFailureProfile KubernetesFailureProfile::tuned_profile(double toleration_s) {
  if (!(toleration_s >= 0 && toleration_s <= 10))
    reject("toleration_seconds", "of the tuned profile must be in [0, 10]");
  return {20, 5, 10, toleration_s};
}

void validate(const KubernetesFailureProfile& p) {
  if (!positive(p.node_lease_renew_interval_s)) reject("node_lease_renew_interval_s", "must be > 0");
  if (!positive(p.node_monitor_period_s)) reject("node_monitor_period_s", "must be > 0");
  if (!std::isfinite(p.node_monitor_grace_period_s) || !(p.node_monitor_grace_period_s > p.node_lease_renew_interval_s))
    reject("node_monitor_grace_period_s", "must be > node_lease_renew_interval_s");
  if (!(p.toleration_seconds >= 0) || !std::isfinite(p.toleration_seconds))
    reject("toleration_seconds", "must be >= 0");
}

KubernetesRecovery kubernetes_recovery(const KubernetesFailureProfile& profile, double failure_s, double start_s,
                                       double heartbeat_seen_s) {
  validate(profile);
  if (!std::isfinite(failure_s)) throw std::invalid_argument("kubernetes_recovery: failure_s must be finite");
  if (!(start_s >= 0) || !std::isfinite(start_s))
    throw std::invalid_argument("kubernetes_recovery: start_s must be finite and >= 0");
  if (!(heartbeat_seen_s >= failure_s - profile.node_lease_renew_interval_s &&
        heartbeat_seen_s <= failure_s + profile.node_monitor_period_s))
    throw std::invalid_argument(
        "kubernetes_recovery: heartbeat_seen_s must be in [failure_s - node_lease_renew_interval_s, failure_s + "
        "node_monitor_period_s]");
  KubernetesRecovery r;
  r.failure_s = failure_s;
  r.heartbeat_seen_s = heartbeat_seen_s;
  // The passes run every period from the probe time; the first one past the grace period marks the node. A
  // pass exactly at probe + grace does not (the controller asks now.After(probe + grace)) but the passes drift
  // later by their own run time, so for a grace of whole periods the mark comes at probe + grace.
  const double passes = std::ceil(profile.node_monitor_grace_period_s / profile.node_monitor_period_s - 1e-9);
  r.not_ready_s = heartbeat_seen_s + passes * profile.node_monitor_period_s;
  r.tainted_s = r.not_ready_s + profile.node_monitor_period_s;
  r.evicted_s = r.tainted_s + profile.toleration_seconds;
  r.running_s = r.evicted_s + start_s;
  r.detection_delay_s = r.evicted_s - failure_s;
  r.downtime_s = r.running_s - failure_s;
  return r;
}

KubernetesRecovery kubernetes_recovery(const KubernetesFailureProfile& profile, double failure_s, double start_s) {
  return kubernetes_recovery(profile, failure_s, start_s, failure_s);
}

}  // namespace vfo
