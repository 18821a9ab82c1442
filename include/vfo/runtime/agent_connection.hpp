#pragma once
// What the orchestrator asks of one node's agent, whatever carries it: AgentClient speaks gRPC to a real
// vfo-agent; FakeAgent (vfo/runtime/fake_agent.hpp) keeps a node in memory, so the orchestrator's rounds, cold
// and live migration, reset mode and restarts run in a unit test without processes. The orchestrator holds
// one connection per node and knows no other kind.
//
// Contract of every call: it returns its answer, or nullopt / false with `error` (when given) set to one line
// that starts with the gRPC status code's name ("UNAVAILABLE: ...", "NOT_FOUND: ...", "DEADLINE_EXCEEDED:
// ..."), which callers may test (a stop answered NOT_FOUND means the VF is gone already). Calls may come from
// several threads at once (a live migration's worker beside the orchestrator's round).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vfo/runtime/function_spec.hpp"
#include "vfo/runtime/live_migration.hpp"

namespace vfo::runtime {

// How a VF sends and acknowledges: its epoch, the data endpoint of its downstream and the ack endpoint of its
// upstream (empty at the chain's ends).
struct VfWiring {
  std::uint64_t epoch = 0;
  std::string downstream;
  std::string upstream_ack;
  bool operator==(const VfWiring&) const = default;
};

struct NodeProbe {
  std::string node;
  double cpu_pct = 0;
  double ram_pct = 0;
  std::uint64_t ram_total_bytes = 0;
  std::vector<std::string> functions;      // the VFs it runs, alive
  std::vector<std::string> exited;         // VFs whose process ended since the last probe: "ID: exit code N", ...
  std::map<std::string, VfWiring> wiring;  // by VF id, the wiring each running VF last applied (none: never wired)
  // Set by the orchestrator, never by an agent: the node missed this probe's deadline, for the first time in a
  // row; the probe holds no reading (the orchestrator's grace for one late answer).
  bool late = false;
};

struct FunctionEndpoints {
  std::string data;
  std::string ack;
  std::string state;  // an incoming VF's live-migration endpoint
};

class AgentConnection {
 public:
  virtual ~AgentConnection() = default;

  // The node's state; nullopt when it did not answer within the probe's deadline (the node is taken for
  // failed). Each VF that ended is reported in `exited` by one probe only.
  virtual std::optional<NodeProbe> probe(std::string* error = nullptr) = 0;
  // Starts VF `id` (ALREADY_EXISTS when it runs there) and returns its endpoints; it sends nothing until wired.
  virtual std::optional<FunctionEndpoints> start_function(const std::string& id, const FunctionSpec& spec,
                                                          std::string* error = nullptr) = 0;
  // The target of a live migration: started, waiting for its state at FunctionEndpoints::state, which takes
  // only a source presenting `state_peer_key` (the public half of MigrationOrder::key; empty: the cluster's).
  virtual std::optional<FunctionEndpoints> start_incoming(const std::string& id, const FunctionSpec& spec,
                                                          const std::string& state_peer_key,
                                                          std::string* error = nullptr) = 0;
  // Live-migrates VF `id` to the incoming VF at order.target; returns when it is over (the report says how it
  // went). Its deadline is `deadline`, not the connection's (a migration on a slow link takes long).
  virtual std::optional<MigrationReport> migrate_out(const std::string& id, const MigrationOrder& order,
                                                     std::chrono::milliseconds deadline,
                                                     std::string* error = nullptr) = 0;
  // Loads the node for `duration_s` (vfo chaos stress).
  virtual bool stress(double cpu_pct, double ram_pct, double ramp_s, double duration_s,
                      std::string* error = nullptr) = 0;
  // VF `id` sends to `downstream` and acknowledges to `upstream_ack` from `epoch` on (NOT_FOUND when it does
  // not run there); the probe then reports this wiring.
  virtual bool rewire(const std::string& id, std::uint64_t epoch, const std::string& downstream,
                      const std::string& upstream_ack, std::string* error = nullptr) = 0;
  // Stops VF `id` (NOT_FOUND when it does not run there).
  virtual bool stop_function(const std::string& id, std::string* error = nullptr) = 0;
  // VF `id`'s host counters, as JSON.
  virtual std::optional<std::string> function_stats(const std::string& id, std::string* error = nullptr) = 0;
};

}  // namespace vfo::runtime
