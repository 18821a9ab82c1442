#include "cli/testbed_stress.hpp"

#include <algorithm>

namespace vfo::cli {
namespace {

std::size_t at_pick(const std::vector<std::size_t>& nodes, double pick) {
  const auto i = static_cast<std::size_t>(std::max(0.0, pick) * static_cast<double>(nodes.size()));
  return nodes[std::min(nodes.size() - 1, i)];
}

}  // namespace

std::size_t stress_target(const std::vector<bool>& hosts_chain, const std::vector<bool>& stressed, bool on_chain,
                          double pick) {
  std::vector<std::size_t> free, all;
  for (std::size_t n = 0; n < hosts_chain.size(); ++n) {
    if (hosts_chain[n] != on_chain) continue;
    all.push_back(n);
    if (n >= stressed.size() || !stressed[n]) free.push_back(n);
  }
  if (all.empty()) {
    for (std::size_t n = 0; n < hosts_chain.size(); ++n) all.push_back(n);
    return at_pick(all, pick);
  }
  return at_pick(free.empty() ? all : free, pick);
}

}  // namespace vfo::cli
