#pragma once
// The autoscaling study (the paper's Fig. 10): one chain whose requested frame rate changes over
// time, kept at it by vfo's autoscaler (vfo/control/chain_autoscaler.hpp) or by Kubernetes' HPA, one per VF
// (vfo/control/hpa_policy.hpp). The scenario's `autoscaling:` section (vfo/scenario/scenario.hpp) sets it up.
//
// The model, in steps of one second from 0 to duration_s:
//  - demand: requested fps 0 until idle_first_s, then a new draw every change_every_s (Rng stream
//    "autoscaling/fps"), uniform among the whole numbers of [fps_min, fps_max] (a real number when there is
//    none);
//  - nodes: every replica runs on a node of speed environment.node_speed_ips.mean;
//  - a new replica serves start_delay_s after it was asked for: control.placement_s, its image
//    (autoscaling.image_mb) over a node link (environment.link_mbps.mean), and migration.start_s. A removed
//    replica goes at once (those still starting first);
//  - throughput: the chain delivers min(requested, min_j ready_j x speed / l_j) fps (0 while a VF has no
//    ready replica): each replica may use its whole node;
//  - the control loop (vfo's or the HPA's) acts every period from a phase drawn in [0, period) (stream
//    "autoscaling/phase"): it was not started in step with the user's changes of demand;
//  - vfo: at every probing round (control.probing_period_s) the autoscaler reads the requested fps
//    (a QoS request the orchestrator is given) and sets every VF's count to minimal_replicas' (capacity at
//    control.utilisation_cap);
//  - HPA: every VF's Deployment runs hpa.min_replicas ready pods at t = 0; at every sync (hpa.sync_period_s)
//    VF j's HPA reads the mean, over the last
//    hpa.metrics_window_s, of its ready pods' CPU use over their request (hpa.cpu_request_share x speed),
//    each pod's use being its share of the delivered frames' work, at most its node; pods still starting are
//    reported unready. The HPA never sees the requested fps;
//  - cost: the environment cost rate chain_cost_per_s of the ready replicas at the delivered fps (a starting
//    replica executes nothing).
// Deterministic: the same scenario (seed included) gives the same result.
#include <string>
#include <vector>

#include "vfo/scenario/scenario.hpp"
#include "vfo/sim/simulation.hpp"

namespace vfo {

// The chain at one sampled instant.
struct AutoscalingSample {
  double time_s = 0;
  double requested_fps = 0;
  double delivered_fps = 0;
  int replicas = 0;  // deployed: ready or starting
  int ready = 0;
  double cost_per_s = 0;
  bool demand_met = true;            // delivered == requested
  std::vector<int> replicas_per_vf;  // deployed, in chain order
};

struct AutoscalingResult {
  std::string scenario;
  std::string policy;
  std::uint64_t seed = 0;
  double duration_s = 0;
  double start_delay_s = 0;
  double mean_requested_fps = 0;
  double mean_delivered_fps = 0;
  double fps_shortfall_pct = 0;  // 100 x (1 - delivered frames / requested frames)
  double demand_met_pct = 0;     // of the seconds with demand > 0: delivered == requested
  double qos_met_pct = 0;        // of the same seconds: the ready replicas meet vfo's time and capacity rules
  double mean_replicas = 0;      // deployed, over the run
  double mean_ready = 0;
  double idle_replicas = 0;  // mean deployed while the demand is 0 (the zero-demand footprint)
  double mean_cost_per_s = 0;
  double total_cost = 0;
  int demand_changes = 0;    // blocks of demand > 0 whose fps differs from the block before
  int changes_followed = 0;  // of those, the ones met before the next change
  double mean_follow_s = 0;  // from a change to the first second its demand is met (followed ones)
  double max_follow_s = 0;
  int scale_actions = 0;                   // decisions that changed some VF's count
  std::vector<AutoscalingSample> samples;  // every autoscaling.sample_every_s
};

// Runs the study of `scenario` (its autoscaling.policy must be vfo or hpa). Throws InputError when the
// section cannot be run (policy none, a chain whose load or speed the policies refuse).
AutoscalingResult run_autoscaling_study(const Scenario& scenario, const ProgressFn& progress = {});

// The requested fps after the idle start: block i covers [idle_first_s + i x change_every_s, + change_every_s),
// as many blocks as reach into duration_s.
std::vector<double> requested_fps_blocks(const Scenario& scenario);

}  // namespace vfo
