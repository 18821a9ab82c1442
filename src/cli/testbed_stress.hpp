#pragma once
// Where a stress episode of `vfo experiment testbed` falls, given where the chain runs when it starts.
#include <cstddef>
#include <vector>

namespace vfo::cli {

// The node (index into hosts_chain) for an episode: among the nodes whose hosts_chain[n] == on_chain, those not
// `stressed` (all of them when every one is), the one at `pick` (in [0, 1)) of the way through in index order.
// When no node is of that class, any node, by `pick`. hosts_chain must not be empty; a missing stressed[n] is
// false.
std::size_t stress_target(const std::vector<bool>& hosts_chain, const std::vector<bool>& stressed, bool on_chain,
                          double pick);

}  // namespace vfo::cli
