#pragma once
#include <string_view>

#include "vfo/placement/placement_problem.hpp"

namespace vfo {

// Decides where VFs run. Implementations are stateless and thread-compatible: `place` reads the
// problem and returns a decision, an intent that the caller may or may not carry out.
class Placer {
 public:
  virtual ~Placer() = default;
  virtual Placement place(const PlacementProblem& problem) const = 0;
  virtual std::string_view name() const = 0;
};

}  // namespace vfo
