#pragma once
// What an agent may start: a VF of a registered kind with its parameters (never an arbitrary command).
#include <cstdint>
#include <string>
#include <vector>

namespace vfo::runtime {

struct FunctionSpec {
  std::string kind;  // source | compute | sink
  double fps = 15;
  std::uint64_t payload_bytes = 1000;
  std::uint64_t instructions = 100'000;
  std::uint64_t state_bytes = 1 << 20;
  std::uint64_t dirty_bytes = 4096;
};

// The kinds `vfo-function` runs.
const std::vector<std::string>& registered_kinds();
bool is_registered_kind(const std::string& kind);

// The command-line arguments of `vfo-function` for `spec` (argv[1...]).
std::vector<std::string> function_arguments(const FunctionSpec& spec);

}  // namespace vfo::runtime
