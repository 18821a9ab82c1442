#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vfo/placement/placer.hpp"

namespace vfo {

// The placers by the names users give them: "best-fit", "exact", "heuristic", "auto".
std::vector<std::string> placer_names();

// The placer called `name`, or nullptr for an unknown name.
std::unique_ptr<Placer> make_placer(std::string_view name);

}  // namespace vfo
