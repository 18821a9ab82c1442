#pragma once
// The orchestrator of the runtime: the same controller as the simulator (src/control) driving real
// agents. deploy() places a chain (Controller::admit) and starts and wires its VFs; round() is one pass of
// Algorithm 1: probe every agent within a deadline, report each VF running or lost, and carry out the
// controller's cold migrations (Algorithm 2): start the VF anew on its new node, rewire the chain with a new
// epoch (its upstream replays what was not delivered), and store the new wiring. Everything it must not
// forget is in the ClusterStore: a new Orchestrator on the same store resumes without restarting healthy VFs.
//
// With live migration on (Algorithm 3), each round also feeds every node's probed CPU and RAM to the forecaster
// (a trained model when Live::model names one, else TrendForecaster); the controller moves the VFs of a node whose
// p_fail >= K. For each, round() starts an incoming VF on the target and returns; a worker thread runs the pre-copy
// (the source keeps running), then at once rewires the chain with a new epoch and stops the source. Until then the VF
// is reported `moving` and the controller leaves it alone. Not thread-safe: one thread calls its public functions (its
// migration workers synchronise with it).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfo/control/control_policy.hpp"
#include "vfo/control/plan.hpp"
#include "vfo/forecast/forecast_model.hpp"
#include "vfo/model/cluster_snapshot.hpp"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/cluster_store.hpp"
#include "vfo/runtime/live_migration.hpp"
#include "vfo/scenario/chain_manifest.hpp"

namespace vfo::runtime {

struct AgentAddress {
  std::string name;
  std::string address;  // host:port of its gRPC service
};

struct OrchestratorOptions {
  std::filesystem::path store;  // the SQLite file, unless open_store is set
  // How it opens its store. Empty: a SqliteStore on `store`. The daemon opens an etcd store through it, fenced by
  // its leadership (vfo/runtime/etcd_store.hpp).
  std::function<std::unique_ptr<ClusterStore>()> open_store;
  Identity identity;  // the orchestrator's certificate
  std::vector<AgentAddress> agents;
  std::chrono::milliseconds probe_deadline{1000};  // a node that has not answered by then is taken for failed
  // How it reaches each agent. Empty: over gRPC, an AgentClient with `identity`, `probe_deadline` and the
  // agent's name as the name its certificate must carry. A test connects it to FakeAgents instead
  // (vfo/runtime/fake_agent.hpp).
  std::function<std::unique_ptr<AgentConnection>(const AgentAddress&)> connect;
  double node_cpu_ips = 1e9;  // the placer's model of each node's speed (the agents do not measure it)
  // The controller's policy (vfo/control/control_policy.hpp): the same code and defaults as the simulator's,
  // except where a local cluster differs from the paper's studies: probing every second with a 10 s horizon,
  // several VFs per node (a few agents host a chain of more VFs), best-fit placement, and live migration only
  // when asked. recovery cold: Algorithm 2, only the lost VF is started anew; reset: the baseline, the whole
  // chain is stopped and placed and started anew (its source too, which starts its frames from 1 again); live
  // migration works the same in both. Recovery::kubernetes is the simulator's model of another orchestrator:
  // the constructor refuses it.
  ControlPolicy control{.recovery = Recovery::cold,
                        .live_migration = false,
                        .probing_period_s = 1,
                        .horizon_s = 10,
                        .max_functions_per_node = 0,
                        .placer = "best-fit"};
  // How a chain placed whole (a deploy, a reset) starts its VFs: one after another (false), or all at once, one
  // call per VF in its own thread (true), as a container orchestrator starts a deployment's pods.
  bool concurrent_starts = false;

  // Called after each round's controller decision with the snapshot it read and the plan it returned, under the
  // orchestrator's lock (it must not call the orchestrator): for tests and traces. Unset: nothing is called.
  std::function<void(const ClusterSnapshot&, const Plan&)> on_round;

  // Live migration, when control.live_migration is on: the trend forecaster reads each node every probing
  // period (control.probing_period_s) and looks control.horizon_s ahead.
  struct Live {
    double cpu_threshold_pct = 90;  // a node above this is overloaded
    double ram_threshold_pct = 90;
    // A trained model (vfo forecast train) instead of the trend forecaster: it reads each node's mean over the
    // probing rounds of one of its intervals, so its interval must be a whole number of probing periods; its own
    // calibration's thresholds and horizon hold, not the two above. Guarded (the simulator's default): each
    // node answers with the model or one of its baselines, whichever has done best there, persistence the floor.
    std::shared_ptr<const ForecastModel> model;
    bool guard = true;
    MigrationOrder order;                         // rounds, threshold, verify, stall timeout (the target is filled in)
    std::chrono::milliseconds deadline{600'000};  // for one migration, from its order to the target's restore
  } live;
};

// One live migration, as the orchestrator saw it. Times are steady-clock nanoseconds.
struct LiveMigrationRecord {
  std::uint32_t chain = 0;
  std::uint32_t index = 0;
  std::string function;     // the VF's name in its manifest
  std::string from, to;     // nodes
  double p_fail = 0;        // the source node's, when the round decided
  double node_cpu_pct = 0;  // the source node's reading then
  std::int64_t decided_ns = 0;
  std::int64_t switched_ns = 0;     // the chain was rewired through the target
  std::int64_t first_frame_ns = 0;  // the target processed its first frame (0: not seen within 5 s)
  MigrationReport report;           // the source's account: rounds, freeze, restore
  std::string error;                // empty when it worked (the chain runs through the target)
  std::string warnings;             // it worked, but some VFs' rewires failed (they are lost or retried)
  // Freeze to the first frame processed on the target (the downtime); negative when not known.
  double downtime_s() const {
    return first_frame_ns > 0 && report.freeze_ns > 0 ? static_cast<double>(first_frame_ns - report.freeze_ns) / 1e9
                                                      : -1;
  }
};

// What one round saw and did.
struct RoundReport {
  // Taken for failed: the agent refused the connection (nothing listens: it is gone), or it missed the probe's
  // deadline a second time in a row.
  std::vector<std::string> failed_nodes;
  // Missed the probe's deadline for the first time in a row ("NODE: DEADLINE_EXCEEDED: ..."): not taken for
  // failed yet (a busy machine answers late now and then); its VFs count as running, as its last answer said,
  // and nothing new is placed on it or moved from it this round.
  std::vector<std::string> late_nodes;
  // Among the failed nodes, those taken for failed for their certificate ("NODE: PERMISSION_DENIED: its
  // certificate is revoked ..."): the agent answers, but the cluster no longer trusts it.
  std::vector<std::string> refused_nodes;
  int lost = 0;      // VFs reported lost
  int migrated = 0;  // cold migrations carried out (started elsewhere and stored)
  // Each cold migration: "NAME (ID) from NODE to NODE, epoch E".
  std::vector<std::string> cold_migrations;
  int reset_chains = 0;  // chains re-established whole (reset mode)
  int live_started = 0;  // live migrations started (they finish in the background)
  // Each live migration started: "NAME (ID) from NODE to NODE".
  std::vector<std::string> live_migrations;
  int deployed = 0;                 // chains added with add_chain and placed in this round
  std::vector<std::string> errors;  // actions that could not be carried out (retried next round)
  // VFs whose process ended on a node that still answers ("NODE: ID: exit code N" or "...: killed by signal N"),
  // reported by the agents since the round before; they are lost and recovered as any lost VF.
  std::vector<std::string> exited;
  // Instances stopped because the store places them elsewhere or not at all ("NODE: ID"): a node taken for dead
  // came back with the VFs that were started anew elsewhere.
  std::vector<std::string> stale_stopped;
  // Running VFs sent the stored wiring again because their agent reported another or none ("NODE: ID").
  std::vector<std::string> rewired;
  // Chains a predecessor left in the store, rewired whole at a new epoch by this orchestrator's first round that
  // found all their VFs running ("NAME (chain ID) at epoch E"): whatever the predecessor was doing when it ended
  // (a live migration, a rewiring) is fenced off.
  std::vector<std::string> taken_over;
  // Why the store cannot be trusted (unreadable, impossible rows, older than what the agents run); the round
  // then did nothing else. Empty when the store is sound.
  std::string store_problem;
};

struct VfStatus {
  std::string name;
  std::string node;
  bool running = false;
};
struct ChainStatus {
  std::uint32_t id = 0;
  std::string name;
  std::uint64_t epoch = 0;
  std::vector<VfStatus> functions;
  // Why the last attempt to place, start or wire it failed, else which VF is not running and why ("" when the
  // chain is whole).
  std::string reason;
};

// How long a probe waits for a node's answer when nodes are probed every `probe_period_s`: the period, within
// 0.1 s and 2 s. A node that has not answered by then is taken for failed. A dead agent's connection is refused at
// once, whatever the deadline; it is for a hung node, and a shorter one takes a node of a busy machine, whose
// answer is late, for a dead one (its VFs are then moved for nothing).
std::chrono::milliseconds probe_deadline_for(double probe_period_s);

// How many probing rounds a trained model's interval spans: interval_s / probe_period_s when that is a whole
// number (within 1 %) of at least 1, else nullopt (the model cannot be fed at this probing period).
std::optional<int> model_rounds(double model_interval_s, double probe_period_s);

// The records as CSV, one row per migration, with a header: chain, vf, from, to, p_fail, node_cpu_pct,
// precopy_rounds, precopy_bytes, final_bytes, prepare_s (decision to the copy's start: the incoming VF
// started), copy_s (the copy's start to the freeze), freeze_s (freeze to restored),
// downtime_s (freeze to the first frame on the target), total_s (decision to switch), ok, error (or, when ok,
// the warnings).
std::string live_migrations_csv(const std::vector<LiveMigrationRecord>& records);

class Orchestrator {
 public:
  explicit Orchestrator(OrchestratorOptions options);
  ~Orchestrator();

  // Places and starts the chain, wires it (epoch 1) and stores it; its id. Throws std::runtime_error with one
  // line when it cannot be placed or a VF cannot be started (what was started is stopped again).
  std::uint32_t deploy(const ChainManifest& manifest, const std::string& manifest_yaml);
  // Stores the chain as desired, to be placed by the next round(); its id. Throws std::runtime_error when a
  // chain of that name exists.
  std::uint32_t add_chain(const ChainManifest& manifest, const std::string& manifest_yaml);
  RoundReport round();
  std::vector<ChainStatus> status();
  // Why the store's rows cannot be trusted now, or nullopt. Only the store is read: whether it agrees with what
  // the agents run is the rounds' check (RoundReport::store_problem), as another process may be placing a
  // chain meanwhile.
  std::optional<std::string> store_problem();
  // A VF's host counters (JSON), through its agent.
  std::optional<std::string> function_stats(std::uint32_t chain, std::uint32_t index);
  // The live migrations over so far (ok or not), in the order they ended; `wait` first waits for those in
  // flight. Thread-safe.
  std::vector<LiveMigrationRecord> live_migrations(bool wait = false);
  // Each node's last probe reading (CPU and RAM percent and the VFs it runs; negative: it did not answer) and
  // p_fail (0 without live migration), by node name, from the last round.
  struct NodeView {
    std::string node;
    double cpu_pct = -1;
    double ram_pct = -1;
    int functions = -1;
    double p_fail = 0;
    // Why it did not answer (probe_nodes() only): the probe's error line, "PERMISSION_DENIED: its certificate is
    // revoked ..." for a node the cluster no longer trusts.
    std::string problem;
    bool answered() const { return functions >= 0; }
  };
  std::vector<NodeView> last_nodes() const;
  // Every node as a probe now finds it, with the p_fail of this orchestrator's last round (0 before one).
  std::vector<NodeView> probe_nodes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
