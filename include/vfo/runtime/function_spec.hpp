#pragma once
// What an agent may start: a VF of a registered kind with its parameters, or (kind exec) the user's own program
// built on the VF SDK, which an agent runs only when its operator allowed it (vfo-agent --exec-root).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vfo::runtime {

struct FunctionSpec {
  std::string kind;  // source | compute | sink | exec
  double fps = 15;
  std::uint64_t payload_bytes = 1000;
  std::uint64_t instructions = 100'000;
  std::uint64_t state_bytes = 1 << 20;
  std::uint64_t dirty_bytes = 4096;
  // exec: the program and its arguments (run in the agent's exec root), what its environment gets, its role in
  // the chain (source | compute | sink) and its limits (0: none), enforced by a cgroup of its own.
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  std::string role;
  double cpus = 0;
  std::uint64_t memory_bytes = 0;
};

// The kinds `vfo-function` runs.
const std::vector<std::string>& registered_kinds();
bool is_registered_kind(const std::string& kind);
// Why an exec spec cannot run anywhere (an empty command, an unknown role, a bad limit), or "" when it can.
std::string exec_spec_problem(const FunctionSpec& spec);

// The command-line arguments of `vfo-function` for `spec` (argv[1...]).
std::vector<std::string> function_arguments(const FunctionSpec& spec);

}  // namespace vfo::runtime
