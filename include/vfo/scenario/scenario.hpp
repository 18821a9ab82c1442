#pragma once
// A scenario: everything one simulation run needs, read from YAML (see scenario_loader.hpp).
// Defaults are the paper's values where it gives one (Tables 2 and 3); docs/model.md says where
// every other default comes from.
#include <cstdint>
#include <string>
#include <vector>

#include "vfo/control/control_policy.hpp"
#include "vfo/placement/placement_problem.hpp"

namespace vfo {

// A normal distribution N(mean, stddev); draws are clamped at `min` (so a speed is never negative).
struct NormalSpec {
  double mean = 0;
  double stddev = 0;
  double min = 0;
};

// The generic environment's background jobs (Results B; vfo/sim/workload_generator.hpp has the model).
struct JobsSpec {
  NormalSpec initial_jobs{8, 5, 0};     // k = floor(N(8, 5)) jobs on a node at time 0
  NormalSpec rate_per_hour{5, 2, 0.1};  // lambda = N(5, 2) job arrivals per hour
  NormalSpec cpu_ips{6e3, 3e3, 1e3};    // a job's CPU load
  NormalSpec ram_mb{256, 128, 16};      // a job's RAM
  double duration_mean_s = 5760;        // a job's duration: exponential with this mean
  double cpu_overcommit = 2;            // CPU admission may commit, x the node's speed
};

struct EnvironmentSpec {
  std::string kind = "dedicated";          // dedicated (Results A) | generic (Results B: background jobs)
  int nodes = 100;                         // g (Table 2)
  NormalSpec link_mbps{98, 2.32, 1};       // W (Table 2)
  double link_latency_ms = 5;              // one-way, node to switch
  double orchestrator_link_mbps = 1000;    // the orchestrator also serves function images
  NormalSpec node_speed_ips{1e5, 1e3, 1};  // m (Table 2)
  NormalSpec node_ram_mb{4096, 0, 1};      // a Raspberry Pi 4
  double p_leave = 0.1;                    // P(node fails suddenly) per probability window
  double p_overload = 0.1;                 // P(node exceeds K% of capacity) per probability window
  double probability_window_s = 3600;      // the time unit of p_leave and p_overload
  double node_recovery_s = 600;            // a failed node comes back, empty, after this long
  double overload_duration_s = 300;        // an overloaded node takes no VF for this long
  // Generic environment only: a node's P_leave is drawn from N(p_leave, p_leave_stddev) (the paper's
  // N(0.1, 0.005)), anew `leave_probe_delay_s` after each VF deployment on it; `p_overload` is unused
  // there (overloads come from the jobs).
  double p_leave_stddev = 0.005;
  double leave_probe_delay_s = 10;
  JobsSpec jobs;
};

struct ChainSpec {
  NormalSpec functions{8, 4, 1};         // n = floor(N(8, 4)), at least 1 (Table 3)
  NormalSpec load_ipf{1e4, 1e3, 1};      // instructions per frame (Table 3)
  NormalSpec output_bytes{1e5, 1e4, 0};  // bytes per frame (Table 3)
  NormalSpec ram_mb{64, 8, 1};
  NormalSpec state_mb{16, 4, 0};
  NormalSpec image_mb{50, 5, 1};
  NormalSpec dirty_mb_per_s{0.5, 0.1, 0};
  double fps = 1;
  // > 0: every chain has round(functions_per_node x nodes) VFs instead of drawing `functions` (the
  // paper's Fig. 9b sets j = n / 2).
  double functions_per_node = 0;
};

struct DemandSpec {
  std::string mode = "normal";  // low | normal | high | custom
  double rate_per_hour = 83;    // set from mode unless mode is custom (low 54, normal 83, high 118)
  double lifetime_s = 1800;     // how long a service runs once deployed
  int max_services = 0;         // > 0: no arrival after this many (0: no limit)
  // A chain that cannot be placed on arrival waits in a FIFO queue and is tried again every probing
  // round; it gives up when it has waited this long (0: it gives up at once). Its wait is downtime.
  double patience_s = 600;
};

struct PredictorSpec {
  // confusion: a predictor with known true- and false-positive rates (the dedicated study);
  // forecast: vfo's forecaster (src/forecast) on each node's probed CPU series (the generic study).
  // Default: confusion in the dedicated environment, forecast in the generic one (which allows only it).
  std::string kind = "confusion";
  double true_positive_rate = 0.8;      // confusion: P(alarm | the node overloads in the period it looks at)
  double false_positive_rate = 0.0001;  // confusion: P(alarm | it does not), per node and probing round
  // confusion: the period a round's alarm is about starts this many probing periods after the probe (the
  // paper: the model "predicts that an edge node will be overloaded in the next time period", the period
  // after the coming probe, so 1); 0 looks at the period up to the next probe.
  int lead_periods = 1;
  // forecast: the point model (ar: AR(6) least squares; ewma: alpha 0.3; ma: mean of the window;
  // persistence), fitted and calibrated before the run on the background load of `training_nodes` other
  // nodes over `training_hours`, probed every probing period; p_fail = P(committed CPU > cpu_threshold_pct
  // of the node's speed at some probe within the next `horizon_periods` probing periods).
  std::string method = "ar";
  int window = 12;
  int horizon_periods = 10;
  double cpu_threshold_pct = 100;
  int training_nodes = 200;
  double training_hours = 6;
  // forecast: a model folder written by `vfo forecast train` (e.g. an LSTM trained on traces that
  // `vfo sim --record-nodes` wrote), used instead of fitting `method`; its interval must be the probing
  // period. Relative paths are read from the working directory. Empty: fit `method` before the run.
  std::string model;
  // forecast, with `model`: guard it (forecast_guard.hpp): each node answers with whichever of the model and
  // its baselines has done best on it, persistence as the floor, p_fail recalibrated on what followed.
  bool guard = true;
  // forecast, with `model`: above 0, a cascade (model_forecaster.hpp) for large clusters: the model's baselines
  // screen every node, the network runs on the nodes where one of them (or the network itself, last time) gives
  // a p_fail of at least cascade_screen_p, and on every node at least once every cascade_refresh_rounds rounds.
  int cascade_refresh_rounds = 0;
  double cascade_screen_p = 0.05;
};

// A scenario's control block: the controller's policy (vfo/control/control_policy.hpp, with its defaults: the
// paper's) and what only the simulator models. Of the policy, recovery is read as follows (the simulator's rules
// are in docs/model.md, "Recovery modes in the simulator"):
//   cold (default): vfo's Algorithm 2, the lost VF alone is re-placed and restarted (a cold migration) at the
//     next probing round;
//   reset: the runtime's reset mode, every other VF of the chain is stopped too, and the next round re-places
//     and restarts the whole chain (each VF a cold migration);
//   kubernetes: the probes keep reporting the VF as running until Kubernetes' node lifecycle and taint-eviction
//     controllers would have evicted it (vfo/control/kubernetes_failure.hpp), then the next round re-places it
//     as in cold mode.
// Recovery is orthogonal to live_migration (which acts before a loss). The forecaster's horizon is one probing
// period (horizon_s is not a key of the block).
struct ControlSpec : ControlPolicy {
  double probe_timeout_s = 1;  // a node that has not answered by then is taken for failed
  double placement_s = 0.05;   // time the orchestrator takes to place a VF
  PredictorSpec predictor;
  // recovery kubernetes only (ignored otherwise): the control plane's timers (KubernetesFailureProfile):
  // default (before v1.32: grace 40 s, toleration 300 s), v1.32 (grace 50 s) or tuned (grace 20 s and
  // toleration kubernetes_toleration_s).
  std::string kubernetes_profile = "default";
  double kubernetes_toleration_s = 5;  // the tuned profile's tolerationSeconds, in [0, 10]
};

struct MigrationSpec {
  int max_rounds = 8;               // pre-copy round cap
  double stop_mb = 1;               // freeze when the dirty rest is at most this
  double start_s = 2;               // unpack and start a VF from its image
  double switch_s = 0.05;           // resume on the target after the last round
  int max_concurrent_per_node = 1;  // live migrations copying state out of one node at a time
  // How a live migration moves the state (vfo/migration/migration_protocol.hpp): pre-copy (the paper's),
  // stop-and-copy, post-copy-demand, post-copy-push or post-copy-prepaging.
  std::string protocol = "pre-copy";
  double page_kb = 4;                  // post-copy: what one page fault moves
  double working_set_fraction = 0.25;  // post-copy: the share of the state touched soon after resuming
  double prepaging_fraction = 0.5;     // post-copy-prepaging: the share of the working set sent first
};

// Kubernetes' HPA in the autoscaling study (vfo/control/hpa_policy.hpp has the model; defaults are Kubernetes').
struct HpaSpec {
  double target_utilisation = 0.7;  // averageUtilization / 100 of the CPU request
  double tolerance = 0.1;
  double sync_period_s = 15;
  double scale_down_window_s = 300;
  double metrics_window_s = 15;    // the metrics server's resolution: a pod's usage is its mean over this
  double cpu_request_share = 0.8;  // a pod's CPU request, as a share of a node's speed
  int min_replicas = 1;            // HPA cannot scale a Deployment to 0 (alpha gate HPAScaleToZero)
};

// The autoscaling study (the paper's Fig. 10): one chain whose requested fps changes every
// `change_every_s`, drawn uniformly among the whole numbers of [fps_min, fps_max] (0 for the first
// `idle_first_s`), scaled by vfo's autoscaler or by one HPA per VF. `policy: none` (the default) runs the
// services study instead (vfo/sim/simulation.hpp); vfo/sim/autoscaling_study.hpp has the model.
struct AutoscalingSpec {
  std::string policy = "none";                        // none | vfo | hpa
  std::vector<double> load_ipf = {2000, 6000, 2000};  // the chain's VFs: instructions per frame
  double fps_min = 5;
  double fps_max = 20;
  double change_every_s = 300;
  double idle_first_s = 300;
  int max_replicas_per_vf = 8;
  double image_mb = 50;       // what a new replica pulls over its node's link before it starts
  double sample_every_s = 5;  // timeline.csv's step
  HpaSpec hpa;
};

struct Scenario {
  std::string name = "unnamed";
  std::string source_file;  // where it was read from, for messages
  std::uint64_t seed = 1;
  double duration_s = 3600;
  EnvironmentSpec environment;
  ChainSpec chains;
  DemandSpec demand;
  ControlSpec control;
  MigrationSpec migration;
  AutoscalingSpec autoscaling;
};

}  // namespace vfo
