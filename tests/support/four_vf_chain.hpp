// The chain the orchestrator's tests deploy, on real agents (tests/runtime) and on fakes (tests/unit/runtime):
// a source, two compute VFs with 1 MB of state each, a sink, at 50 fps.
#pragma once

namespace vfo::test {

inline constexpr const char* kFourVfChain = R"(name: ped
fps: 50
functions:
  - {name: camera, kind: source, payload_bytes: 2000}
  - {name: detect, kind: compute, instructions: 100000, state_mb: 1}
  - {name: track, kind: compute, instructions: 50000, state_mb: 1}
  - {name: display, kind: sink}
)";

}  // namespace vfo::test
