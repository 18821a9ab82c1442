#pragma once
// The runtime demo's figure: frames delivered per second at the sink over time, one line per recovery mode,
// with the moment a node was killed marked.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "vfo/report/figure_script.hpp"

namespace vfo::report {

struct DeliverySeries {
  std::string label;                              // e.g. "cold migration"
  std::vector<std::pair<double, double>> points;  // (time s, frames delivered per second)
};

// Writes dir/<file>.dat and dir/<file>.gp (SVG and PNG when rendered); throws std::runtime_error if a file
// cannot be written.
FigureFiles write_delivery_figure(const std::vector<DeliverySeries>& series, double kill_at_s, const std::string& title,
                                  const std::filesystem::path& dir, const std::string& file);

}  // namespace vfo::report
