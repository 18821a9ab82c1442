#pragma once
// A local edge cluster for `vfo demo` and `vfo experiment`: the cluster's certificates, N vfo-agent processes
// on loopback (stderr in DIR/logs; they die with this process), and the orchestrator's options to drive them.
#include <filesystem>
#include <memory>
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

  // Store DIR/cluster.db, the orchestrator's identity, every agent by name and address.
  const runtime::OrchestratorOptions& orchestrator_options() const { return options_; }
  // node-(i+1)'s process.
  runtime::ChildProcess& agent(std::size_t i) { return *agents_.at(i); }
  // Starts node-(i+1) anew (after it was killed: an empty node), on a new port: orchestrator_options() has its
  // new address, for a new Orchestrator on the same store. Throws CommandFailed when it does not start.
  void restart(std::size_t i);
  // The index of "node-K" (K - 1).
  static std::size_t index_of(const std::string& node) { return std::stoul(node.substr(5)) - 1; }

 private:
  // Starts node-(i+1) with agent_args_; its address.
  std::string start_agent(std::size_t i);

  std::filesystem::path dir_;
  std::vector<std::string> agent_args_;
  std::vector<std::unique_ptr<runtime::ChildProcess>> agents_;
  runtime::OrchestratorOptions options_;
};

}  // namespace vfo::cli
