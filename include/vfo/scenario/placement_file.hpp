#pragma once
// A placement problem from YAML, for `vfo place` (docs/cli.md): the nodes, the chains to place on them and
// which constraints are on. Units as in scenarios: Mbps, MB, ms, instructions. Every key is optional
// unless marked (required); an absent key takes the default shown.
//
//   seed: 1                  # seeds the generated parts (streams "topology" and "chains")
//   model:                   # PlacementModel (placement_problem.hpp); the defaults are the authors' model
//     max_functions_per_node: 1   # integer >= 0, 0 = no limit
//     qos_time: true
//     capacity: false
//     bandwidth: false            # true needs spread_chain: true
//     spread_chain: true
//     replication: false
//     max_replicas: 8             # integer in [1, 1000]
//   nodes:                   # (required) EITHER a non-empty list of nodes ...
//     - {id: 0,              # (required) integer >= 0, distinct
//        speed_ips: 1.0e+5,  # > 0, cpu_i (Table 2's mean)
//        ram_mb: 4096,       # RAM capacity
//        cpu_capacity_ips: 1.0e+5,   # CPU capacity, default speed_ips
//        used_cpu_ips: 0, used_ram_mb: 0, functions: 0,   # load already there that this problem does not place
//        link_mbps: 98, latency_ms: 5,   # free bandwidth and one-way latency of its access link
//        avoid: false}       # never a target for a VF that is not pinned
//   nodes: {count: 100, speed_ips: {mean: 1.0e+5, stddev: 1.0e+3}, ram_mb: 4096,
//           link_mbps: {mean: 98, stddev: 2.32}, latency_ms: 5}
//                            # ... OR a map: `count` nodes (ids 0..count-1) drawn as in Table 2 with
//                            # generate_topology (defaults: EnvironmentSpec's), from Rng(seed, "topology")
//   chains:                  # (required) EITHER a non-empty list of chains ...
//     - {id: 0,              # (required) integer >= 0, distinct
//        fps: 1,             # > 0
//        functions:          # (required) a non-empty list, in chain order
//          [{load_ipf: 1.0e+4, ram_mb: 64, output_bytes: 1.0e+5,   # Table 3's means; load_ipf > 0
//            pinned: 3}]}    # stays on node 3 (an id in nodes); default: free
//   chains: {count: 10, functions: {mean: 8, stddev: 4}, load_ipf: {mean: 1.0e+4, stddev: 1.0e+3},
//            output_bytes: {mean: 1.0e+5, stddev: 1.0e+4}, ram_mb: {mean: 64, stddev: 8}, fps: 1}
//                            # ... OR a map: `count` chains (ids 0..count-1, default count 1) drawn as in
//                            # Table 3 with generate_chain (defaults: ChainSpec's), from Rng(seed, "chains")
//
// A distribution ({mean, stddev, min}, or a number for a constant) is read as in scenarios (NormalSpec).
// The problem's nodes keep the file's order; capacity is what the file gives (no utilisation cap is applied).
//
// Every error is a vfo::InputError whose message is one line "FILE:LINE: what is wrong (what was expected)",
// e.g. "p.yaml:7: chains[0].functions[2].pinned: node 9 is not in nodes (expected one of 0, 1, 2)": invalid
// YAML, unknown keys (with "did you mean"), wrong types, values out of range, missing required keys, empty
// lists, duplicate ids, a pinned node that does not exist, bandwidth without spread_chain, a missing file.
#include <string>

#include "vfo/placement/placement_problem.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo {

// Reads and checks the placement problem in the YAML file at `path`.
PlacementProblem load_placement_problem(const std::string& path);

// The same from text already in memory; `source_name` stands for the file in messages.
PlacementProblem parse_placement_problem(const std::string& yaml_text, const std::string& source_name);

}  // namespace vfo
