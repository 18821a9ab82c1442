#pragma once
// Builds the SimGrid platform of a Topology: a star zone where each node has its own split-duplex
// access link (so a node's uploads and downloads do not share bandwidth, but two uploads from it do),
// and the orchestrator hangs off the same switch with its own link.
#include <simgrid/s4u.hpp>

#include <vector>

#include "vfo/model/topology.hpp"

namespace vfo::sim {

struct Platform {
  simgrid::s4u::Host* orchestrator = nullptr;
  std::vector<simgrid::s4u::Host*> nodes;  // nodes[i] is NodeId(i)
};

// Must be called once, after the engine is created and before it runs.
Platform build_platform(const Topology& topology);

}  // namespace vfo::sim
