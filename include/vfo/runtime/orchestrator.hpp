#pragma once
// The orchestrator of the runtime (issue 6): the same controller as the simulator (src/control) driving real
// agents. deploy() places a chain (Controller::admit) and starts and wires its VFs; round() is one pass of
// Algorithm 1: probe every agent within a deadline, report each VF running or lost, and carry out the
// controller's cold migrations (Algorithm 2): start the VF anew on its new node, rewire the chain with a new
// epoch (its upstream replays what was not delivered), and store the new wiring. Everything it must not
// forget is in the ClusterStore: a new Orchestrator on the same store resumes without restarting healthy VFs.
// Not thread-safe.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfo/runtime/agent.hpp"
#include "vfo/scenario/chain_manifest.hpp"

namespace vfo::runtime {

struct AgentAddress {
  std::string name;
  std::string address;  // host:port of its gRPC service
};

struct OrchestratorOptions {
  std::filesystem::path store;  // the SQLite file
  Identity identity;            // the orchestrator's certificate
  std::vector<AgentAddress> agents;
  std::chrono::milliseconds probe_deadline{1000};  // a node that has not answered by then is taken for failed
  double node_cpu_ips = 1e9;  // the placer's model of each node's speed (the agents do not measure it)
  std::string placer = "best-fit";
  // cold: Algorithm 2, only the lost VF is started anew; reset: the baseline, the whole chain is stopped and
  // placed and started anew (its source too, which starts its frames from 1 again).
  enum class Recovery { cold, reset } recovery = Recovery::cold;
};

// What one round saw and did.
struct RoundReport {
  std::vector<std::string> failed_nodes;  // did not answer the probe
  int lost = 0;                           // VFs reported lost
  int migrated = 0;                       // cold migrations carried out
  int reset_chains = 0;                   // chains re-established whole (reset mode)
  int deployed = 0;                       // chains added with add_chain and placed in this round
  std::vector<std::string> errors;        // actions that could not be carried out (retried next round)
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
};

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
  // A VF's host counters (JSON), through its agent.
  std::optional<std::string> function_stats(std::uint32_t chain, std::uint32_t index);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
