// The options of an orchestrator on fake agents (vfo/runtime/fake_agent.hpp): a fresh store in the test's scratch
// folder, every node of `cluster`, connected in memory. The cluster must outlive the orchestrator.
#pragma once

#include <filesystem>
#include <string>

#include "support/scratch.hpp"
#include "vfo/runtime/fake_agent.hpp"
#include "vfo/runtime/orchestrator.hpp"

namespace vfo::test {

inline runtime::OrchestratorOptions fake_agent_options(runtime::FakeAgentCluster& cluster, const std::string& store) {
  const std::filesystem::path dir = fresh_dir(store);
  std::filesystem::create_directories(dir);
  runtime::OrchestratorOptions o;
  o.store = dir / "cluster.db";
  for (const auto& [name, address] : cluster.addresses()) o.agents.push_back({name, address});
  o.connect = [&cluster](const runtime::AgentAddress& a) { return cluster.connect(a.name); };
  return o;
}

}  // namespace vfo::test
