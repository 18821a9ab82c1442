#pragma once
// A scenario: everything one simulation run needs, read from YAML (see scenario_loader.hpp).
// Defaults are the paper's values where it gives one (Tables 2 and 3); docs/model.md says where
// every other default comes from.
#include <cstdint>
#include <string>

namespace vfo {

// A normal distribution N(mean, stddev); draws are clamped at `min` (so a speed is never negative).
struct NormalSpec {
  double mean = 0;
  double stddev = 0;
  double min = 0;
};

struct EnvironmentSpec {
  std::string kind = "dedicated";          // only "dedicated" so far (Results A)
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
};

struct DemandSpec {
  std::string mode = "normal";  // low | normal | high | custom
  double rate_per_hour = 83;    // set from mode unless mode is custom (low 54, normal 83, high 118)
  double lifetime_s = 1800;     // how long a service runs once deployed
};

struct PredictorSpec {
  std::string kind = "confusion";      // a predictor with known true- and false-positive rates
  double true_positive_rate = 0.8;     // P(alarm | the node overloads within the horizon)
  double false_positive_rate = 0.001;  // P(alarm | it does not), per node and probing round
};

struct ControlSpec {
  double probing_period_s = 30;  // Algorithm 1's sleep
  double probe_timeout_s = 1;    // a node that has not answered by then is taken for failed
  bool live_migration = true;    // false: cold migrations only (the paper's first scenario)
  double k = 0.5;                // live-migrate when p_fail >= k
  double utilisation_cap = 0.8;  // the placer fills a node's CPU and RAM up to this fraction
  double placement_s = 0.05;     // time the orchestrator takes to place a VF
  std::string placer = "best-fit";
  PredictorSpec predictor;
};

struct MigrationSpec {
  int max_rounds = 8;               // pre-copy round cap
  double stop_mb = 1;               // freeze when the dirty rest is at most this
  double start_s = 2;               // unpack and start a VF from its image
  double switch_s = 0.05;           // resume on the target after the last round
  int max_concurrent_per_node = 1;  // live migrations copying state out of one node at a time
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
};

}  // namespace vfo
