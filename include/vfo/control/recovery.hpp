#pragma once
// What follows the loss of a VF: one policy for both bodies, named in a scenario's control.recovery and by
// the runtime's orchestrator, parsed once where it is read (docs/model.md, "Recovery modes in the simulator").
#include <string>
#include <utility>
#include <vector>

namespace vfo {

enum class Recovery {
  cold,        // vfo's Algorithm 2: the lost VF alone is re-placed and started anew at the next round
  reset,       // the rest of its chain is stopped too; the next round re-places and starts the whole chain
  kubernetes,  // a VF lost with its node is reported running until Kubernetes would evict it, then as in cold
};

// Each mode's name, in the order of the enum.
inline const std::vector<std::pair<std::string, Recovery>>& recovery_names() {
  static const std::vector<std::pair<std::string, Recovery>> names = {
      {"cold", Recovery::cold}, {"reset", Recovery::reset}, {"kubernetes", Recovery::kubernetes}};
  return names;
}

inline const std::string& recovery_name(Recovery r) {
  return recovery_names().at(static_cast<std::size_t>(r)).first;
}

}  // namespace vfo
