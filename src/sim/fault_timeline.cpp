#include "fault_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "vfo/util/random.hpp"

namespace vfo::sim {

double rate_for_probability(double p, double window_s) {
  if (p <= 0) return 0;
  if (p >= 1) return std::numeric_limits<double>::infinity();
  return -std::log1p(-p) / window_s;
}

std::vector<NodeEvent> draw_node_events(int nodes, double p_leave, double p_overload, double window_s,
                                        double duration_s, std::uint64_t seed) {
  std::vector<NodeEvent> events;
  const double rates[2] = {rate_for_probability(p_leave, window_s), rate_for_probability(p_overload, window_s)};
  const NodeEvent::Kind kinds[2] = {NodeEvent::Kind::leave, NodeEvent::Kind::overload};
  for (int k = 0; k < 2; ++k) {
    if (rates[k] <= 0) continue;
    Rng rng(seed, k == 0 ? "leave" : "overload");
    for (int i = 0; i < nodes; ++i) {
      const NodeId node(static_cast<std::uint32_t>(i));
      if (std::isinf(rates[k])) {  // P = 1: at the start of every window
        for (double t = 0; t < duration_s; t += window_s) events.push_back({t, kinds[k], node});
        continue;
      }
      for (double t = rng.exponential(rates[k]); t < duration_s; t += rng.exponential(rates[k])) {
        events.push_back({t, kinds[k], node});
      }
    }
  }
  std::sort(events.begin(), events.end(), [](const NodeEvent& a, const NodeEvent& b) {
    return std::tie(a.time_s, a.node, a.kind) < std::tie(b.time_s, b.node, b.kind);
  });
  return events;
}

}  // namespace vfo::sim
