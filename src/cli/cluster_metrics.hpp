#pragma once
// What the orchestrator daemon tells Prometheus: counters of its rounds (probes answered and not, VFs lost, cold
// and live migrations with the live ones' downtime) and gauges of the cluster now (chains by state, each node's
// VFs, CPU, RAM and p_fail, each chain's epoch, each VF's frames delivered, replayed and dropped), as the text
// exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). A VF's frame counters
// are its host's: a VF started anew (a cold migration) counts from 0 again, which Prometheus reads as a counter
// reset.
//
// Thread safety: record_round() and render() may be called from different threads at once.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vfo/runtime/orchestrator.hpp"
#include "vfo/util/mutex.hpp"

namespace vfo::cli {

// The cluster as a scrape finds it: the orchestrator's status and each VF's host counters.
struct ClusterScrape {
  std::vector<runtime::ChainStatus> chains;
  // By (chain id, VF index): the VF's host counters (function_stats' JSON); absent when it did not answer.
  std::map<std::pair<std::uint32_t, std::uint32_t>, nlohmann::json> vf_stats;
};

class ClusterMetrics {
 public:
  // After each round: its report, the orchestrator's node views after it (last_nodes()), and every live
  // migration over so far (live_migrations(), in the order they ended; those seen before are not counted again).
  void record_round(const runtime::RoundReport& report, const std::vector<runtime::Orchestrator::NodeView>& nodes,
                    const std::vector<runtime::LiveMigrationRecord>& live);
  // The exposition: what the rounds counted and the last nodes' gauges, with `now`'s chains and VFs.
  std::string render(const ClusterScrape& now) const;

 private:
  struct Node {
    std::uint64_t probes_answered = 0;
    std::uint64_t probes_failed = 0;
    std::uint64_t probes_late = 0;  // missed the deadline once: graced, not failed
    runtime::Orchestrator::NodeView last;
  };
  mutable Mutex mutex_;
  std::uint64_t rounds_ VFO_GUARDED_BY(mutex_) = 0;
  std::uint64_t lost_ VFO_GUARDED_BY(mutex_) = 0;
  std::uint64_t cold_ VFO_GUARDED_BY(mutex_) = 0;
  std::uint64_t live_ok_ VFO_GUARDED_BY(mutex_) = 0;
  std::uint64_t live_failed_ VFO_GUARDED_BY(mutex_) = 0;
  std::uint64_t live_seen_ VFO_GUARDED_BY(mutex_) = 0;
  double live_downtime_sum_s_ VFO_GUARDED_BY(mutex_) = 0;
  std::uint64_t live_downtime_count_ VFO_GUARDED_BY(mutex_) = 0;
  std::map<std::string, Node> nodes_ VFO_GUARDED_BY(mutex_);
};

}  // namespace vfo::cli
