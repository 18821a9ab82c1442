#include "vfo/runtime/cluster_store.hpp"

#include <utility>

namespace vfo::runtime {

std::optional<StoredChain> ClusterStore::chain(std::uint32_t id) const {
  for (StoredChain& c : chains()) {
    if (c.id == id) return std::move(c);
  }
  return std::nullopt;
}

}  // namespace vfo::runtime
