#include "vfo/scenario/generators.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "vfo/model/units.hpp"

namespace vfo {

double draw(const NormalSpec& spec, Rng& rng) {
  return std::max(spec.min, rng.normal(spec.mean, spec.stddev));
}

Topology generate_topology(const EnvironmentSpec& spec, Rng& rng) {
  Topology topology;
  topology.nodes.reserve(static_cast<std::size_t>(spec.nodes));
  const double latency_s = units::milliseconds(spec.link_latency_ms);
  for (int i = 0; i < spec.nodes; ++i) {
    Node node;
    node.id = NodeId(static_cast<std::uint32_t>(i));
    node.capacity.cpu_ips = draw(spec.node_speed_ips, rng);
    node.capacity.ram_bytes = units::megabytes(draw(spec.node_ram_mb, rng));
    node.uplink.bandwidth_bps = units::mbps_to_bytes_per_second(draw(spec.link_mbps, rng));
    node.uplink.latency_s = latency_s;
    topology.nodes.push_back(node);
  }
  topology.orchestrator_link.bandwidth_bps = units::mbps_to_bytes_per_second(spec.orchestrator_link_mbps);
  topology.orchestrator_link.latency_s = latency_s;
  return topology;
}

Chain generate_chain(ChainId id, const ChainSpec& spec, Rng& rng, int nodes) {
  Chain chain;
  chain.id = id;
  chain.fps = spec.fps;
  int count = 0;
  if (spec.functions_per_node > 0) {
    count = std::max(1, static_cast<int>(std::lround(spec.functions_per_node * nodes)));
  } else {
    const double n = std::floor(rng.normal(spec.functions.mean, spec.functions.stddev));
    count = static_cast<int>(std::max({1.0, spec.functions.min, n}));
  }
  chain.functions.reserve(static_cast<std::size_t>(count));
  for (int j = 0; j < count; ++j) {
    Function f;
    f.name = "vf" + std::to_string(j);
    f.load_ipf = draw(spec.load_ipf, rng);
    f.output_bytes_per_frame = draw(spec.output_bytes, rng);
    f.ram_bytes = units::megabytes(draw(spec.ram_mb, rng));
    f.state_bytes = units::megabytes(draw(spec.state_mb, rng));
    f.image_bytes = units::megabytes(draw(spec.image_mb, rng));
    f.dirty_rate_bps = units::megabytes(draw(spec.dirty_mb_per_s, rng));
    chain.functions.push_back(std::move(f));
  }
  return chain;
}

}  // namespace vfo
