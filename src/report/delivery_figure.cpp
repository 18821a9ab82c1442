#include "vfo/report/delivery_figure.hpp"

#include <fmt/format.h>

#include "vfo/report/csv_table.hpp"
#include "vfo/util/file_io.hpp"

namespace vfo::report {

FigureFiles write_delivery_figure(const std::vector<DeliverySeries>& series, const std::vector<DeliveryMarker>& markers,
                                  const std::string& title, const std::filesystem::path& dir, const std::string& file,
                                  const std::string& ylabel) {
  std::string data;
  for (const DeliverySeries& s : series) {
    data += "# " + s.label + "\n";
    for (const auto& [t, fps] : s.points) data += format_number(t) + " " + format_number(fps) + "\n";
    data += "\n\n";
  }
  std::string body = "reset\n";
  body += fmt::format("set title {}\nset grid\nset key below\n", gp_string(title));
  body += fmt::format("set xlabel 'time (s)'\nset ylabel {}\nset yrange [0:*]\n", gp_string(ylabel));
  for (const DeliveryMarker& m : markers) {
    body += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead dt 2 lc rgb 'red'\n", format_number(m.at_s));
    if (!m.label.empty()) {
      body += fmt::format("set label {} at {},graph 0.95 offset 0.5,0 tc rgb 'red'\n", gp_string(m.label),
                          format_number(m.at_s));
    }
  }
  body += "plot ";
  for (std::size_t k = 0; k < series.size(); ++k) {
    body += fmt::format("{}'{}.dat' index {} using 1:2 with lines lw 2 title {}", k ? ", " : "", file, k,
                        gp_string(series[k].label));
  }
  body += "\n";
  std::filesystem::create_directories(dir);
  FigureFiles files{dir / (file + ".dat"), dir / (file + ".gp"), dir / (file + ".svg"), dir / (file + ".png")};
  write_file_atomically(files.dat, data);
  write_file_atomically(files.gp, svg_and_png_script(file, "delivery", 900, 420, body));
  return files;
}

}  // namespace vfo::report
