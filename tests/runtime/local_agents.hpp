// Starts real vfo-agent processes on loopback for the runtime tests, each logging to the test's scratch folder.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/scratch.hpp"
#include "vfo/runtime/child_process.hpp"

namespace vfo::runtime {

using namespace std::chrono_literals;

struct Agent {
  std::unique_ptr<ChildProcess> process;
  std::string address;
};

inline Agent start_agent(const std::filesystem::path& certs, const std::string& name) {
  Agent a;
  const auto logs = test::scratch_dir() / ("logs-" + name);
  std::filesystem::create_directories(logs);
  a.process = std::make_unique<ChildProcess>(
      VFO_AGENT_BINARY,
      std::vector<std::string>{"--name", name, "--certs", certs.string(), "--function-binary", VFO_FUNCTION_BINARY,
                               "--log-dir", logs.string()},
      (logs / "agent.log").string(), /*kill_with_parent_thread=*/true);
  const auto ready = a.process->read_line(20s);
  EXPECT_TRUE(ready.has_value()) << name << " did not start";
  if (ready) a.address = nlohmann::json::parse(*ready).value("address", "");
  return a;
}

}  // namespace vfo::runtime
