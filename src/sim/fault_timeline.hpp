#pragma once
// The dedicated environment's node behaviour (Results A of the paper), drawn before the run:
// each node fails suddenly (P_leave) and overloads (P_overload) as two Poisson processes whose rates
// make P the probability of at least one event per probability window:
//   rate = -ln(1 - P) / window.
// Drawing the whole timeline first keeps the run deterministic whatever the controller does.
#include <cstdint>
#include <vector>

#include "vfo/model/ids.hpp"

namespace vfo::sim {

struct NodeEvent {
  enum class Kind { leave, overload };
  double time_s = 0;
  Kind kind = Kind::leave;
  NodeId node;
};

// Rate (events/s) of a Poisson process with P(at least one event in `window_s`) = p. p = 1 gives +inf.
double rate_for_probability(double p, double window_s);

// Every event of every node in [0, duration_s), sorted by time (ties by node, then kind).
std::vector<NodeEvent> draw_node_events(int nodes, double p_leave, double p_overload, double window_s,
                                        double duration_s, std::uint64_t seed);

}  // namespace vfo::sim
