#pragma once
// The runtime demo's figure: frames delivered per second at the sink over time, one line per recovery mode,
// with moments marked (a node killed, say).
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

// A moment to mark with a dashed vertical line, e.g. {20, "node killed"}.
struct DeliveryMarker {
  double at_s = 0;
  std::string label;
};

// Writes dir/<file>.dat and dir/<file>.gp (SVG and PNG when rendered); throws std::runtime_error if a file
// cannot be written. `ylabel` names what the series measure.
FigureFiles write_delivery_figure(const std::vector<DeliverySeries>& series, const std::vector<DeliveryMarker>& markers,
                                  const std::string& title, const std::filesystem::path& dir, const std::string& file,
                                  const std::string& ylabel = "frames delivered per second");

}  // namespace vfo::report
