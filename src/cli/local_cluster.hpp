#pragma once
// A local edge cluster for `vfo demo`, `vfo experiment` and `vfo chaos soak`: the cluster's certificates, N
// vfo-agent processes on loopback (stderr in DIR/logs; they die with this process), the orchestrator's options to
// drive them in this process, or the orchestrator daemon that drives them from its own.
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/orchestrator.hpp"

namespace vfo::cli {

class LocalCluster {
 public:
  // Empties DIR, writes DIR/certs, starts node-1..node-N with `agent_args` added to each. Throws
  // CommandFailed naming the node and its log when an agent does not start.
  LocalCluster(const std::filesystem::path& dir, int nodes, const std::vector<std::string>& agent_args = {});

  ~LocalCluster();  // kills the orchestrator daemon, if it runs, before the agents

  // Store DIR/cluster.db, the orchestrator's identity, every agent by name and address.
  const runtime::OrchestratorOptions& orchestrator_options() const { return options_; }
  // node-(i+1)'s process.
  runtime::ChildProcess& agent(std::size_t i) { return *agents_.at(i); }
  // Starts node-(i+1) anew (after it was killed: an empty node) on the address it had, so that an orchestrator
  // that knew it finds it there. Throws CommandFailed when it does not start.
  void restart(std::size_t i);
  // Writes DIR/cluster.json as `vfo up` does (every agent, `settings` merged in: period_s, live) and starts the
  // orchestrator daemon (`vfo orchestrator --cluster DIR`) that acts on the cluster every period_s from then on,
  // in a process of its own that dies with this one; returns once it is ready. Its log: the K-th start's in
  // DIR/logs/orchestrator-K.log. `vfo status --cluster DIR` works on the cluster while it runs. Throws
  // CommandFailed with the daemon's last line when it does not start, std::logic_error when one runs.
  void start_orchestrator(const nlohmann::json& settings);
  // SIGKILLs the orchestrator daemon (whatever it is doing) and reaps it; nothing when none runs.
  void kill_orchestrator();
  // Whether the daemon runs (false once it has ended on its own: it is then reaped).
  bool orchestrator_running();
  // The log of the daemon's latest start.
  std::filesystem::path orchestrator_log() const;
  // The index of "node-K" (K - 1).
  static std::size_t index_of(const std::string& node) { return std::stoul(node.substr(5)) - 1; }

 private:
  // Starts node-(i+1) with agent_args_; its address.
  std::string start_agent(std::size_t i);

  std::filesystem::path dir_;
  std::vector<std::string> agent_args_;
  std::vector<std::unique_ptr<runtime::ChildProcess>> agents_;
  runtime::OrchestratorOptions options_;
  pid_t orchestrator_ = -1;
  int orchestrator_starts_ = 0;
};

// The last line of `file` that is not empty ("" when there is none or no file): a daemon's last word.
std::string last_line_of(const std::filesystem::path& file);

// The first line of the orchestrator daemon's log once it runs.
inline constexpr const char* kOrchestratorReadyLine = "orchestrator ready";

// Waits for the orchestrator daemon `pid` (a child of this process) to print its ready line as the first line of
// `log`: nullopt once it has, else why it has not (its last line if it ended, or that it did not within 60 s).
// `poll` is called between looks; it may throw to give up waiting.
std::optional<std::string> orchestrator_failure(pid_t pid, const std::filesystem::path& log,
                                                const std::function<void()>& poll = {});

}  // namespace vfo::cli
