#include "vfo/report/delivery_figure.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "vfo/report/csv_table.hpp"
#include "vfo/util/file_io.hpp"

namespace vfo::report {
namespace {

constexpr const char* kSpanColour = "#d9d9d9";

// The series' value at time t: its last point at or before t (its first when t precedes every point).
double value_at(const DeliverySeries& s, double t) {
  const auto after = std::upper_bound(s.points.begin(), s.points.end(), t,
                                      [](double time, const std::pair<double, double>& p) { return time < p.first; });
  return after == s.points.begin() ? s.points.front().second : std::prev(after)->second;
}

}  // namespace

FigureFiles write_delivery_figure(const std::vector<DeliverySeries>& series, const std::vector<DeliveryMarker>& markers,
                                  const std::string& title, const std::filesystem::path& dir, const std::string& file,
                                  const DeliveryLayout& layout) {
  // Blocks: each series' points (index 2k) and its events (index 2k + 1).
  std::string data = "# per series: its points (time s, value), then its events (time s, value of the line then)\n";
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const DeliverySeries& s : series) {
    data += "# " + s.label + "\n";
    for (const auto& [t, v] : s.points) {
      data += format_number(t) + " " + format_number(v) + "\n";
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    data += "\n\n# " + s.label + ": " + (s.events_label.empty() ? "events" : s.events_label) + "\n";
    if (!s.points.empty()) {
      for (const double t : s.events_s) data += format_number(t) + " " + format_number(value_at(s, t)) + "\n";
    }
    if (s.events_s.empty() || s.points.empty()) data += "NaN NaN\n";  // an empty block would end the file for gnuplot
    data += "\n\n";
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  const double range = hi > lo ? hi - lo : std::max(1.0, std::abs(hi));
  const double bottom = lo >= 0 && lo <= 0.1 * range ? 0 : lo - 0.08 * range;
  const double top = hi + 0.08 * range;

  const bool panels = layout.panel_per_series && series.size() > 1;
  std::string body = "reset\n";
  if (panels) {
    body += fmt::format("set multiplot layout {},1 title {} font ',14'\n", series.size(), gp_string(title));
  } else {
    body += fmt::format("set title {}\n", gp_string(title));
  }
  body += "set grid\nset key below\nset xlabel 'time (s)'\n";
  body += fmt::format("set ylabel {}\nset yrange [{}:{}]\n", gp_string(layout.ylabel), format_number(bottom),
                      format_number(top));
  for (const DeliveryMarker& m : markers) {
    body += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead dt 2 lc rgb 'red'\n", format_number(m.at_s));
    if (!m.label.empty()) {
      body += fmt::format("set label {} at {},graph 0.95 offset 0.5,0 tc rgb 'red'\n", gp_string(m.label),
                          format_number(m.at_s));
    }
  }
  // One plot command for a set of series: shaded periods behind (as a key entry when there are any), the lines,
  // then their events.
  auto plot = [&](std::size_t from, std::size_t to) {
    std::string out;
    bool any_span = false;
    for (std::size_t k = from; k < to; ++k) {
      for (const auto& [a, b] : series[k].spans) {
        any_span = true;
        out += fmt::format("set object rect from {},graph 0 to {},graph 1 fc rgb '{}' fs solid 1.0 noborder behind\n",
                           format_number(a), format_number(b), kSpanColour);
      }
    }
    if (panels) out += fmt::format("set title {}\n", gp_string(series[from].label));
    std::vector<std::string> parts;
    if (any_span) {
      parts.push_back(fmt::format("NaN with boxes fs solid 1.0 noborder fc rgb '{}' title {}", kSpanColour,
                                  gp_string(layout.spans_label.empty() ? "periods" : layout.spans_label)));
    }
    for (std::size_t k = from; k < to; ++k) {
      parts.push_back(fmt::format("'{}.dat' index {} using 1:2 with lines lw 2 lc rgb '{}' title {}", file, 2 * k,
                                  series_colour(k), gp_string(series[k].label)));
    }
    for (std::size_t k = from; k < to; ++k) {
      if (series[k].events_s.empty()) continue;
      const std::string name = series[k].events_label.empty() ? "events" : series[k].events_label;
      parts.push_back(fmt::format("'{}.dat' index {} using 1:2 with points pt 9 ps 1.6 lc rgb '{}' title {}", file,
                                  2 * k + 1, series_colour(k),
                                  gp_string(panels || series.size() == 1 ? name : series[k].label + ": " + name)));
    }
    out += "plot " + fmt::format("{}", fmt::join(parts, ", \\\n     ")) + "\n";
    if (any_span) out += "unset object\n";
    return out;
  };
  if (series.empty()) {
    body += "plot NaN notitle\n";
  } else if (panels) {
    for (std::size_t k = 0; k < series.size(); ++k) body += plot(k, k + 1);
    body += "unset multiplot\n";
  } else {
    body += plot(0, series.size());
  }
  std::filesystem::create_directories(dir);
  FigureFiles files{dir / (file + ".dat"), dir / (file + ".gp"), dir / (file + ".svg"), dir / (file + ".png")};
  write_file_atomically(files.dat, data);
  const std::size_t height = panels ? 300 * series.size() + 80 : 420;
  write_file_atomically(files.gp, svg_and_png_script(file, "delivery", 900, height, body));
  return files;
}

}  // namespace vfo::report
