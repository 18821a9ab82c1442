#pragma once
// Random edge environments (Table 2) and chains (Table 3), drawn from a seeded stream.
#include "vfo/model/chain.hpp"
#include "vfo/model/topology.hpp"
#include "vfo/scenario/scenario.hpp"
#include "vfo/util/random.hpp"

namespace vfo {

// One draw of N(mean, stddev), clamped below at spec.min.
double draw(const NormalSpec& spec, Rng& rng);

// g nodes with speed m ~ N(1e5, 1e3) instructions/s and link capacity W ~ N(98, 2.32) Mbps (Table 2).
Topology generate_topology(const EnvironmentSpec& spec, Rng& rng);

// A chain of n = max(1, floor(N(8, 4))) VFs with load ~ N(1e4, 1e3) instructions/frame and output
// ~ N(1e5, 1e4) bytes/frame (Table 3), plus the RAM, state, image and dirty rate of the spec. When
// spec.functions_per_node > 0, n = max(1, round(functions_per_node x nodes)) instead, with no draw.
Chain generate_chain(ChainId id, const ChainSpec& spec, Rng& rng, int nodes = 0);

}  // namespace vfo
