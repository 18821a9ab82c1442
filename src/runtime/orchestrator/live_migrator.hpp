#pragma once
// The orchestrator's live migrations in flight (Algorithm 3 on real agents): one worker thread per migration
// runs the source agent's MigrateOut (the pre-copy; the VF keeps running), then calls `switch_over` under
// the orchestrator's `acting` lock (one cluster-changing operation at a time) to rewire the chain through the
// target and stop the source, then watches for the target's first frame. A failed copy stops the incoming VF instead.
// Private to the orchestrator.
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/util/mutex.hpp"

namespace vfo::runtime {

struct LiveMigrationJob {
  LiveMigrationRecord record;  // chain, index, function, from, to, p_fail, node_cpu_pct, decided_ns
  std::string function_id;     // on both agents
  std::size_t from = 0;        // agent indices
  std::size_t to = 0;
  AgentConnection* source = nullptr;
  AgentConnection* target = nullptr;
  FunctionEndpoints target_endpoints;
  MigrationOrder order;
  std::chrono::milliseconds deadline{600'000};
};

// What switching a chain over to the target did.
struct SwitchOutcome {
  bool switched = false;  // the store names the target and the chain's epoch moved on (else nothing changed)
  std::string problems;   // what failed: why it did not switch, or rewires that failed after it did
};

class LiveMigrator {
 public:
  // `switch_over(job)` runs under `mutex` once the target has restored. When the copy failed or it did not
  // switch, the incoming VF is stopped.
  LiveMigrator(Mutex& mutex, std::function<SwitchOutcome(const LiveMigrationJob&)> switch_over);
  ~LiveMigrator();  // waits for the workers

  void start(LiveMigrationJob job);
  // Where VF (chain, index) is going, while its migration is in flight.
  std::optional<std::size_t> moving_to(std::uint32_t chain, std::uint32_t index);
  // The migrations over, in the order they ended; `wait` first waits for every worker.
  std::vector<LiveMigrationRecord> records(bool wait);

 private:
  struct Worker {
    LiveMigrationJob job;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  void run(Worker& worker);
  void reap(bool wait);

  Mutex& orchestrator_mutex_;
  std::function<SwitchOutcome(const LiveMigrationJob&)> switch_over_;
  std::mutex mutex_;  // guards workers_ and records_
  std::list<Worker> workers_;
  std::vector<LiveMigrationRecord> records_;
};

}  // namespace vfo::runtime
