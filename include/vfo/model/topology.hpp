#pragma once
#include <vector>

#include "vfo/model/link.hpp"
#include "vfo/model/node.hpp"

namespace vfo {

// The edge network as vfo models it: every node hangs on its own access link off one switch; the
// orchestrator (which also serves function images) has its own link. A transfer from a to b crosses
// a's uplink and b's uplink, so concurrent transfers share bandwidth where they share a link.
struct Topology {
  std::vector<Node> nodes;  // nodes[i].id == NodeId(i)
  Link orchestrator_link;
};

}  // namespace vfo
