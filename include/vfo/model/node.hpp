#pragma once
#include "vfo/model/ids.hpp"
#include "vfo/model/link.hpp"
#include "vfo/model/resources.hpp"

namespace vfo {

// An edge node: its capacity and the link that connects it to the edge network.
struct Node {
  NodeId id;
  Resources capacity;  // speed (instructions/s, Table 2's m) and RAM
  Link uplink;         // the node's access link (Table 2's W)
};

}  // namespace vfo
