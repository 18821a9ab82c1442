#pragma once
#include <vector>

#include "vfo/model/ids.hpp"
#include "vfo/model/resources.hpp"
#include "vfo/model/status.hpp"

namespace vfo {

// A node that may take VFs, and what it has left for them (already net of the utilisation cap and
// of everything placed or reserved there).
struct CandidateNode {
  NodeId node;
  Resources free;
};

// Where to put a group of VFs (a whole new chain, or the VFs that must move in one round).
// Contract: the VFs of one problem go to pairwise distinct nodes (a chain is spread over nodes), and
// only to `candidates`; the caller leaves out nodes that must be avoided (failed, at risk, or already
// holding another VF of the same chain).
struct PlacementProblem {
  std::vector<Resources> functions;
  std::vector<CandidateNode> candidates;
};

// nodes[j] hosts functions[j] when status is ok; otherwise status says which VF did not fit and why.
struct Placement {
  Status status;
  std::vector<NodeId> nodes;
};

}  // namespace vfo
