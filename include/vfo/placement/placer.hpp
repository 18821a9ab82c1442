#pragma once
#include <string_view>

#include "vfo/placement/placement_problem.hpp"
#include "vfo/placement/placement_result.hpp"

namespace vfo {

struct SolveLimits {
  double time_limit_s = 10;  // wall time; an exact solve stops with status time_limit
  // Whether an infeasible answer may take extra solves to name the constraints that bind (the exact placer
  // relaxes one family at a time). False: the reason is what the solve itself found, which is enough for a
  // caller that only needs to know there is no placement (the controller, every round).
  bool diagnose = true;
};

// Decides where VFs run. Implementations are stateless and thread-compatible: `place` reads the
// problem and returns a decision, an intent that the caller may or may not carry out. Every answer
// with a placement satisfies every constraint that is on (check_placement verifies it).
class Placer {
 public:
  virtual ~Placer() = default;
  virtual PlacementResult place(const PlacementProblem& problem, const SolveLimits& limits = {}) const = 0;
  virtual std::string_view name() const = 0;
};

}  // namespace vfo
