#pragma once
// Why the exact placer's main model (exact_model.hpp) is infeasible, in words for PlacementResult::reason (private to
// src/placement/exact_*.cpp). Two steps, in this order:
//   necessary_conditions: cheap checks without a MILP, each a relaxation of one constraint family (a copy with no
//     node not avoided, a chain slower than 1/fps on its fastest nodes, a copy that fits on no node, more copies than
//     VF slots, more copies of a chain than distinct nodes, a copy whose traffic no link carries);
//   binding_families: for a model that passed them and proved infeasible, solves it again with one constraint family
//     dropped at a time (qos_time, capacity, max_functions_per_node, spread_chain, bandwidth, avoid, in that order,
//     kFamilies): the families whose removal makes the model feasible bind, the first one named first
//     ("capacity (also: qos_time): ...").
// Every reason starts with the name of the family it blames ("qos_time: ...", "combined: ...", "unknown: ...").
//
// Stateless; binding_families runs CBC within the shared deadline.
#include <optional>
#include <string>

#include "placement/exact_instance.hpp"

namespace vfo::exact {

// The first violated necessary condition of the main model for `split`, prefixed by its family, or nothing (which
// does not mean the model is feasible).
std::optional<std::string> necessary_conditions(const Instance& in, const Split& split);

// Names the binding families of the main model for `split`, which must be infeasible with every family of `in.on`,
// by dropping one at a time. When none binds alone: "combined: ..." (infeasible only together), or "unknown: ..."
// when the deadline ran out before a relaxation was decided.
std::string binding_families(const Instance& in, const Split& split, const Deadline& deadline);

}  // namespace vfo::exact
