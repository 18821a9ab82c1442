#pragma once
#include <vector>

#include "vfo/model/function.hpp"
#include "vfo/model/ids.hpp"

namespace vfo {

// A virtual function chain: frames flow through `functions` in order at `fps` frames per second.
struct Chain {
  ChainId id;
  std::vector<Function> functions;
  double fps = 1;
};

}  // namespace vfo
