#include "vfo/runtime/function_spec.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vfo::runtime {

const std::vector<std::string>& registered_kinds() {
  static const std::vector<std::string> kinds = {"source", "compute", "sink"};
  return kinds;
}

bool is_registered_kind(const std::string& kind) {
  const auto& kinds = registered_kinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string exec_spec_problem(const FunctionSpec& spec) {
  if (spec.command.empty() || spec.command[0].empty()) return "spec.command: empty (expected the program to run)";
  if (spec.role != "source" && spec.role != "compute" && spec.role != "sink") {
    return "spec.role: '" + spec.role + "' (expected source, compute or sink)";
  }
  if (!(spec.cpus >= 0) || spec.cpus > 1024) return "spec.cpus: expected 0 (no limit) to 1024 cores";
  for (const auto& [name, value] : spec.env) {
    if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos ||
        value.find('\0') != std::string::npos) {
      return "spec.env: '" + name + "' is not a variable name";
    }
  }
  return "";
}

std::vector<std::string> function_arguments(const FunctionSpec& spec) {
  return {spec.kind,
          "--fps",
          fmt::format("{}", spec.fps),
          "--payload-bytes",
          std::to_string(spec.payload_bytes),
          "--instructions",
          std::to_string(spec.instructions),
          "--state-bytes",
          std::to_string(spec.state_bytes),
          "--dirty-bytes",
          std::to_string(spec.dirty_bytes)};
}

}  // namespace vfo::runtime
