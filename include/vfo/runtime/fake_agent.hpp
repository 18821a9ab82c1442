#pragma once
// Edge nodes in memory, for tests of the orchestrator (as LevelDB's memenv is an Env in memory). A FakeAgent
// keeps what a vfo-agent would report (the VFs it runs, their wiring, what ended, its load) and answers the
// AgentConnection calls as the real one does, error codes included, without a process or a socket. A test
// plays the node's life on it: kill() (the node dies with its VFs), hang() (a SIGSTOP-ed agent: nothing
// answers, its VFs run on), restart(), end() (a VF's process exits), set_load(), refuse_starts(). Endpoints are
// names ("fake://NODE/ID/data/N"), one set per instance started, so a test can tell instances apart.
//
// FakeAgentCluster holds the nodes and connects the orchestrator to them (OrchestratorOptions::connect). A live
// migration's migrate_out finds its target through the cluster by the state endpoint and checks the one-time
// key, as the real state socket does. Thread-safe: the orchestrator's migration workers call in beside it.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vfo/runtime/agent_connection.hpp"

namespace vfo::runtime {

class FakeAgentCluster;

class FakeAgent {
 public:
  FakeAgent(FakeAgentCluster& cluster, std::string name);

  // The node's life.
  void kill();     // the node dies: it answers nothing and its VFs are gone
  void hang();     // the agent stops answering; its VFs run on (a stopped process, a partitioned node)
  void resume();   // after hang(): it answers again, with the VFs it had
  void restart();  // after kill(): it answers again, running nothing
  // VF `id`'s process ends with `how` ("exit code 1", "killed by signal 9"): the next probe reports it once.
  void end(const std::string& id, const std::string& how = "exit code 1");
  void set_load(double cpu_pct, double ram_pct);
  // Every start (plain or incoming) fails with `error` ("INTERNAL: ...") until called with "".
  void refuse_starts(const std::string& error);
  // While held, a migrate_out from this node blocks (the pre-copy goes on) until release_migrations().
  void hold_migrations();
  void release_migrations();
  // While held, a start (plain or incoming) blocks before it answers (a slow agent) until release_starts().
  void hold_starts();
  void release_starts();
  // How many starts are blocked by hold_starts() now.
  int starts_held() const;

  // What it does now.
  const std::string& name() const { return name_; }
  bool runs(const std::string& id) const;
  std::vector<std::string> functions() const;
  std::optional<VfWiring> wiring(const std::string& id) const;
  // How many instances of `id` were started here (plain and incoming), ever.
  int starts(const std::string& id) const;
  // Every call that reached it, in order: "probe", "start ID", "incoming ID", "rewire ID EPOCH", "stop ID",
  // "migrate ID", "stress", "stats ID"; a call while it answers nothing is listed with " (no answer)".
  std::vector<std::string> calls() const;

  // The AgentConnection calls, as a connection forwards them.
  std::optional<NodeProbe> probe(std::string* error);
  std::optional<FunctionEndpoints> start(const std::string& id, const FunctionSpec& spec, bool incoming,
                                         const std::string& state_peer_key, std::string* error);
  std::optional<MigrationReport> migrate_out(const std::string& id, const MigrationOrder& order, std::string* error);
  bool stress(std::string* error);
  bool rewire(const std::string& id, const VfWiring& wiring, std::string* error);
  bool stop(const std::string& id, std::string* error);
  std::optional<std::string> stats(const std::string& id, std::string* error);
  // The target side of a migration: restores incoming VF `id` at `state_endpoint` when `public_key` is the one
  // it takes; the error otherwise.
  std::optional<std::string> restore(const std::string& id, const std::string& state_endpoint,
                                     const std::string& public_key, std::int64_t restored_ns);

 private:
  struct Vf {
    FunctionSpec spec;
    FunctionEndpoints endpoints;
    std::optional<VfWiring> wiring;
    bool incoming = false;  // waiting for its state
    std::string state_peer_key;
    std::int64_t restored_ns = 0;
  };
  bool answers(const std::string& call, std::string* error);  // with mutex_ held: logs the call
  // With mutex_ held: VF `id`, or nullptr with `error` set to NOT_FOUND as the real agent's.
  Vf* running(const std::string& id, std::string* error);

  FakeAgentCluster& cluster_;
  const std::string name_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  bool up_ = true;
  bool hung_ = false;
  bool holding_ = false;
  bool holding_starts_ = false;
  int starts_waiting_ = 0;
  double cpu_pct_ = 10;
  double ram_pct_ = 10;
  std::string start_error_;
  std::map<std::string, Vf> vfs_;
  std::vector<std::string> exited_;
  std::map<std::string, int> starts_;
  std::vector<std::string> calls_;
  std::uint64_t instances_ = 0;
};

class FakeAgentCluster {
 public:
  explicit FakeAgentCluster(const std::vector<std::string>& nodes);
  FakeAgent& node(const std::string& name);
  // The nodes' names with a "fake://NAME" address, for OrchestratorOptions::agents.
  std::vector<std::pair<std::string, std::string>> addresses() const;
  // A connection to node `name` (for OrchestratorOptions::connect); throws std::out_of_range for another name.
  std::unique_ptr<AgentConnection> connect(const std::string& name);
  // Which node's VF has state endpoint `endpoint`, or nullptr.
  FakeAgent* owner_of_endpoint(const std::string& endpoint);

 private:
  FakeAgent* find(const std::string& name);  // nullptr for a name it does not have

  std::vector<std::unique_ptr<FakeAgent>> nodes_;
};

}  // namespace vfo::runtime
