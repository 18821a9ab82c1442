#pragma once
// A figure of quantities over time (frames delivered per second at the sink, replicas): one line per series,
// in one panel or one panel each, with moments marked (a node killed), periods shaded (a node under stress)
// and events on a series' line (its migrations).
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "vfo/report/figure_script.hpp"

namespace vfo::report {

struct DeliverySeries {
  std::string label;                              // e.g. "cold migration"
  std::vector<std::pair<double, double>> points;  // (time s, value), in time order
  // Periods shaded behind the series' panel (panel_per_series only): (from s, to s).
  std::vector<std::pair<double, double>> spans;
  // Moments drawn as triangles on the series' line, at its value then (the point before or at it).
  std::vector<double> events_s;
  std::string events_label;  // the key's name for them, e.g. "live migration"
};

// A moment to mark with a dashed vertical line in every panel, e.g. {20, "node killed"}.
struct DeliveryMarker {
  double at_s = 0;
  std::string label;
};

struct DeliveryLayout {
  std::string ylabel = "frames delivered per second";  // what the series measure
  bool panel_per_series = false;                       // one panel per series (stacked), sharing the y range
  std::string spans_label;                             // the key's name for the shaded periods
};

// Writes dir/<file>.dat and dir/<file>.gp (SVG and PNG when rendered); throws std::runtime_error if a file
// cannot be written. The y axis fits the data (from its lowest to its highest value, with a margin; 0 stays in
// view when the data come within a tenth of their range of it); series take series_colour's hues in order.
FigureFiles write_delivery_figure(const std::vector<DeliverySeries>& series, const std::vector<DeliveryMarker>& markers,
                                  const std::string& title, const std::filesystem::path& dir, const std::string& file,
                                  const DeliveryLayout& layout = {});

}  // namespace vfo::report
