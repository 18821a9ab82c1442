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
