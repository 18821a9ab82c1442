#pragma once
// How Kubernetes replaces the pod of a node that stops answering (crash, power or network loss), as a
// timeline: the failure-handling baseline. Pure arithmetic on the control plane's timers:
//
//   failure ── heartbeats stop. The kubelet renews its node Lease every 10 s (a quarter of the lease's 40 s);
//   │          the node lifecycle controller, in its pass every node-monitor-period (5 s), takes the time it
//   │          *sees* a renewal as the node's probe time (heartbeat_seen_s below).
//   not_ready ─ the first pass more than node-monitor-grace-period after that probe time (40 s; 50 s from
//   │          v1.32) sets the node's Ready condition to Unknown and marks its pods NotReady (their endpoints
//   │          stop receiving traffic).
//   tainted ── the next pass (one node-monitor-period later) taints the node node.kubernetes.io/unreachable
//   │          :NoExecute, the pass acting on the condition it observed at its start (Unknown only from then).
//   evicted ── the taint-eviction controller deletes each pod once its toleration of that taint runs out:
//   │          tolerationSeconds 300 in every pod that states none (admission plugin DefaultTolerationSeconds).
//   │          The deleted pod no longer counts for its ReplicaSet, which creates a replacement at once:
//   │          this is when the loss reaches a rescheduler.
//   running ── the replacement is scheduled, its image pulled if absent, its container started (start_s,
//              the caller's: in the simulator, a placement and an image transfer).
//
// Heartbeats matter: the grace period runs from the last renewal seen, not from the failure, so detection
// lands up to one renewal interval (10 s) earlier or up to one monitor period (5 s) later than
// failure + grace. heartbeat_seen_s defaults to the failure time, the case the bound (downtime >=
// grace + toleration) describes. Modelled for one failed node: with several in a zone, taints are rate-limited
// (--node-eviction-rate 0.1 node/s), and a zone whose nodes are all NotReady is not tainted at all.
// docs: /tmp/k8s-model-section.md (merged into docs/ by the lead) gives each number's source.

namespace vfo {

struct KubernetesFailureProfile {
  // kube-controller-manager --node-monitor-grace-period: > node_lease_renew_interval_s (else a healthy node
  // would go NotReady between two renewals).
  double node_monitor_grace_period_s = 40;
  // kube-controller-manager --node-monitor-period: the node lifecycle controller's pass; the taint comes one
  // pass after the NotReady mark. > 0.
  double node_monitor_period_s = 5;
  // kubelet: the Lease's renewal interval (0.25 x nodeLeaseDurationSeconds 40). > 0.
  double node_lease_renew_interval_s = 10;
  // tolerationSeconds of node.kubernetes.io/unreachable:NoExecute (kube-apiserver
  // --default-unreachable-toleration-seconds, or the pod's own toleration). >= 0; 0 evicts at the taint.
  double toleration_seconds = 300;

  // Kubernetes' defaults before v1.32: grace 40 s, monitor pass 5 s, toleration 300 s.
  static KubernetesFailureProfile default_profile();
  // The defaults from v1.32 on (kubernetes/kubernetes#126287): grace 50 s.
  static KubernetesFailureProfile v1_32_profile();
  // A cluster tuned for fast failover: grace 20 s (two lease renewals), monitor pass 5 s, and the pods'
  // toleration `toleration_s`, in [0, 10] (else std::invalid_argument naming toleration_seconds).
  static KubernetesFailureProfile tuned_profile(double toleration_s = 5);
};

// Throws std::invalid_argument naming the first field out of range.
void validate(const KubernetesFailureProfile& profile);

// The replacement of one pod of a failed node; times absolute, in the caller's clock.
struct KubernetesRecovery {
  double failure_s = 0;
  double heartbeat_seen_s = 0;   // the probe time the grace period runs from
  double not_ready_s = 0;        // node Ready=Unknown, its pods marked NotReady
  double tainted_s = 0;          // node.kubernetes.io/unreachable:NoExecute
  double evicted_s = 0;          // pod deleted; its ReplicaSet creates the replacement
  double running_s = 0;          // the replacement runs elsewhere
  double detection_delay_s = 0;  // evicted_s - failure_s: until a rescheduler is told the pod is lost
  double downtime_s = 0;         // running_s - failure_s
};

// The timeline of a failure at `failure_s` (finite) whose replacement takes `start_s` (finite, >= 0) to run
// once created. `heartbeat_seen_s` is when the node lifecycle controller last saw the node's lease renewed: in
// [failure_s - node_lease_renew_interval_s, failure_s + node_monitor_period_s] (a renewal just before the
// failure may be seen in the pass after it). not_ready_s = heartbeat_seen_s + grace rounded up to a whole
// number of monitor passes; tainted_s = not_ready_s + node_monitor_period_s; evicted_s = tainted_s +
// toleration_seconds; running_s = evicted_s + start_s. Throws std::invalid_argument on a bad profile or input.
KubernetesRecovery kubernetes_recovery(const KubernetesFailureProfile& profile, double failure_s, double start_s,
                                       double heartbeat_seen_s);
// The same with heartbeat_seen_s = failure_s: detection_delay_s = grace (whole passes) + pass + toleration.
KubernetesRecovery kubernetes_recovery(const KubernetesFailureProfile& profile, double failure_s, double start_s);

}  // namespace vfo
