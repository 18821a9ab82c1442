// Starts real vfo-agent processes on loopback for the runtime tests, each logging to the test's scratch folder.
#pragma once
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/processes.hpp"
#include "support/scratch.hpp"
#include "vfo/runtime/child_process.hpp"

namespace vfo::runtime {

using namespace std::chrono_literals;

struct Agent {
  std::unique_ptr<ChildProcess> process;
  std::string address;
};

// `extra` flags go to the agent; `prefix`, when given, runs it through that command (e.g. `ip netns exec NS`).
inline Agent start_agent(const std::filesystem::path& certs, const std::string& name,
                         const std::vector<std::string>& extra = {}, const std::vector<std::string>& prefix = {}) {
  Agent a;
  const auto logs = test::scratch_dir() / ("logs-" + name);
  std::filesystem::create_directories(logs);
  std::vector<std::string> argv = prefix;
  argv.push_back(VFO_AGENT_BINARY);
  for (const std::string& arg :
       {std::string("--name"), name, std::string("--certs"), certs.string(), std::string("--function-binary"),
        std::string(VFO_FUNCTION_BINARY), std::string("--log-dir"), logs.string()}) {
    argv.push_back(arg);
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  const std::string program = argv.front();
  argv.erase(argv.begin());
  a.process = std::make_unique<ChildProcess>(program, argv, (logs / "agent.log").string(),
                                             /*kill_with_parent_thread=*/true);
  const auto ready = a.process->read_line(20s);
  EXPECT_TRUE(ready.has_value()) << name << " did not start";
  if (ready) a.address = nlohmann::json::parse(*ready).value("address", "");
  return a;
}

// The pids of the processes whose parent is `parent` (from /proc/<pid>/stat): an agent's VFs.
inline std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const pid_t pid : test::all_processes()) {
    const auto stat = test::process_stat(pid);
    if (stat && stat->parent == parent) out.push_back(pid);
  }
  return out;
}

}  // namespace vfo::runtime
