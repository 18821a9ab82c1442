#pragma once
#include <string>
#include <vector>

#include "vfo/model/ids.hpp"

namespace vfo {

// One decision of the controller. An intent, not a reservation: the backend carries it out and
// reports what happened in later snapshots.
struct Action {
  enum class Kind {
    deploy,        // start a VF of a new chain on `to` from its image
    cold_migrate,  // Algorithm 2: the VF on `from` is lost; start it anew on `to` from its image
    live_migrate,  // Algorithm 3: copy the running VF from `from` to `to` (pre-copy), then switch
  };
  Kind kind = Kind::deploy;
  FunctionRef function;
  NodeId from;  // unused for deploy
  NodeId to;
  bool operator==(const Action&) const = default;
};

const char* to_string(Action::Kind kind);

struct Plan {
  std::vector<Action> actions;
  // VFs that had to move but found no room this round; the controller tries again next round.
  std::vector<FunctionRef> unplaced;
  // For Controller::admit: the chain could not be placed whole, and why. Empty when placed.
  std::string rejected_because;
};

}  // namespace vfo
