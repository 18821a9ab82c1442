#include "platform.hpp"

#include <string>

namespace vfo::sim {

namespace sg4 = simgrid::s4u;

namespace {

sg4::Host* add_host(sg4::NetZone* zone, const std::string& name, double speed, const Link& link) {
  sg4::Host* host = zone->create_host(name, speed);
  sg4::SplitDuplexLink* access = zone->create_split_duplex_link(name + "-link", link.bandwidth_bps);
  access->set_latency(link.latency_s);
  access->seal();
  zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                  {sg4::LinkInRoute(access, sg4::LinkInRoute::Direction::UP)}, true);
  return host;
}

}  // namespace

Platform build_platform(const Topology& topology) {
  sg4::NetZone* zone = sg4::create_star_zone("edge");
  Platform platform;
  platform.orchestrator = add_host(zone, "orchestrator", 1e9, topology.orchestrator_link);
  platform.nodes.reserve(topology.nodes.size());
  for (const Node& node : topology.nodes) {
    platform.nodes.push_back(
        add_host(zone, "node-" + std::to_string(node.id.value), node.capacity.cpu_ips, node.uplink));
  }
  zone->seal();
  return platform;
}

}  // namespace vfo::sim
