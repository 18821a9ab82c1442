#pragma once
// A chain manifest: the chain `vfo deploy` runs on the local edge cluster, in YAML. Units as in
// scenarios (MB, MB/s). Every key is optional unless marked (required).
//
//   name: pedestrian-detection     # (required) letters, digits, '-', '_'
//   fps: 15                        # > 0, the chain's frame rate
//   functions:                     # (required) in chain order: a source first, a sink last, compute between
//     - {name: camera, kind: source, payload_bytes: 50000}
//     - {name: detect, kind: compute, instructions: 1000000,  # real work per frame; also its load_ipf
//        state_mb: 16, dirty_mb_per_s: 0.5, ram_mb: 64, image_mb: 50}
//     - {name: display, kind: sink}
//
// A function of `kind: exec` is the user's own program, built on the VF SDK (vfo/sdk/vfo_sdk.h), at any place of
// the chain (its place makes it the source, a compute stage or the sink):
//     - name: detect
//       kind: exec
//       command: [python3, examples/pedestrian/detect.py]  # (required) run in the agent's --exec-root folder
//       env: {DETECT_SCALE: "1.05"}                         # added to its environment
//       cpus: 1.5                                            # at most 1.5 cores (its own cgroup)
//       memory_mb: 512                                       # at most 512 MB (its own cgroup)
//       instructions: 5000000                                # its load per frame, for placement, as a compute's
//
// `name` of a function defaults to "vf<i>" and is unique in the chain. Ranges (what a VF can run with):
// fps in (0, 1000], payload_bytes <= 64 MiB (kManifestMaxPayloadBytes, the data plane's frame limit),
// instructions <= 1e11 per frame, state_mb <= 16384, dirty_mb_per_s <= 10000, ram_mb and image_mb <= 1048576;
// exec only: command a non-empty list of at most 256 strings, env names of letters, digits and '_', cpus in
// (0, 1024], memory_mb in (0, 1048576].
// Every error is a vfo::InputError "FILE:LINE: what is wrong (what was expected)".
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vfo/model/chain.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo {

// The largest payload a frame may carry: the data plane refuses larger frames (runtime/frame.hpp checks that its
// limit is this one).
inline constexpr std::uint64_t kManifestMaxPayloadBytes = 64u << 20;

struct ManifestFunction {
  std::string name;
  std::string kind;                        // source | compute | sink | exec
  std::uint64_t payload_bytes = 50'000;    // source: bytes per frame
  std::uint64_t instructions = 1'000'000;  // compute: operations per frame (its load, instructions per frame)
  double state_mb = 16;                    // compute: state the VF keeps (moved by live migration)
  double dirty_mb_per_s = 0.5;             // compute: state rewritten per second
  double ram_mb = 64;
  double image_mb = 50;
  // exec: the program and its arguments, what its environment gets, and its limits (0: none).
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  double cpus = 0;
  double memory_mb = 0;
};

// A function's role by its place in a chain of `count`: "source" first, "sink" last, "compute" between.
std::string chain_role(std::size_t index, std::size_t count);

struct ChainManifest {
  std::string name;
  double fps = 15;
  std::vector<ManifestFunction> functions;
  std::string source_file;
};

ChainManifest load_chain_manifest(const std::string& path);
ChainManifest parse_chain_manifest(const std::string& yaml_text, const std::string& source_name);

// The chain as the controller places it: each VF's load is its instructions per frame (1 for a source or a
// sink: they do no work to speak of), RAM, state, image, dirty rate, and the source's payload as its
// output (the built-in VFs pass it on; the sink's output is 0).
Chain manifest_chain(const ChainManifest& manifest, ChainId id);

}  // namespace vfo
