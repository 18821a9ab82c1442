#pragma once
// Strong identifiers: a NodeId cannot be passed where a ChainId is expected.
#include <compare>
#include <cstdint>
#include <functional>

namespace vfo {

template <typename Tag>
struct Id {
  std::uint32_t value = 0;
  constexpr Id() = default;
  constexpr explicit Id(std::uint32_t v) : value(v) {}
  constexpr auto operator<=>(const Id&) const = default;
};

using NodeId = Id<struct NodeTag>;
using ChainId = Id<struct ChainTag>;

// One virtual function of one chain: the chain and the function's position in it.
struct FunctionRef {
  ChainId chain;
  std::uint32_t index = 0;
  constexpr auto operator<=>(const FunctionRef&) const = default;
};

}  // namespace vfo

template <typename Tag>
struct std::hash<vfo::Id<Tag>> {
  std::size_t operator()(vfo::Id<Tag> id) const noexcept { return std::hash<std::uint32_t>{}(id.value); }
};
