#include "vfo/report/forecast_figures.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "vfo/report/csv_table.hpp"
#include "vfo/util/file_io.hpp"

namespace vfo::report {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kWidth = 900;
constexpr std::size_t kPanelHeight = 260;

FigureFiles write_files(const fs::path& dir, const std::string& file, const std::string& data,
                        const std::string& script) {
  fs::create_directories(dir);
  FigureFiles files{dir / (file + ".dat"), dir / (file + ".gp"), dir / (file + ".svg"), dir / (file + ".png")};
  write_file_atomically(files.dat, data);
  write_file_atomically(files.gp, script);
  return files;
}

}  // namespace

FigureFiles write_prediction_figure(const std::vector<PredictedSeries>& series, const std::string& title,
                                    const fs::path& dir, const std::string& file, std::optional<double> threshold) {
  if (series.empty()) throw std::invalid_argument("write_prediction_figure: no series");
  std::string data;
  for (const PredictedSeries& s : series) {
    data += fmt::format("# {}\n", s.name);
    for (const auto& [method, values] : s.predicted) {
      if (values.size() != s.actual.size()) {
        throw std::invalid_argument("write_prediction_figure: " + method + " has a prediction per reading missing");
      }
    }
    for (std::size_t i = 0; i < s.actual.size(); ++i) {
      data += format_number(i * s.interval_s / 3600.0) + " " + format_number(s.actual[i]);
      for (const auto& [method, values] : s.predicted) data += " " + format_number(values[i]);
      data += "\n";
    }
    data += "\n\n";  // next gnuplot index
  }

  std::string body = "reset\n";
  body += fmt::format("set multiplot layout {},1 title {} font ',14'\n", series.size(), gp_string(title));
  body += "set key outside right top\nset grid\nset xlabel 'time (h)'\nset ylabel 'CPU (%)'\n";
  for (std::size_t k = 0; k < series.size(); ++k) {
    const PredictedSeries& s = series[k];
    body += fmt::format("set title {}\n", gp_string(s.name));
    body += fmt::format("plot '{}.dat' index {} using 1:2 with lines lw 2 lc rgb 'black' title 'actual'", file, k);
    for (std::size_t m = 0; m < s.predicted.size(); ++m) {
      body += fmt::format(", '' index {} using 1:{} with lines lw 1.5 lc rgb '{}' title {}", k, m + 3, series_colour(m),
                          gp_string(s.predicted[m].first));
    }
    if (threshold) {
      body += fmt::format(", {} with lines dt 2 lw 1.5 lc rgb '#C00000' title 'overload threshold'",
                          format_number(*threshold));
    }
    body += "\n";
  }
  body += "unset multiplot\n";
  return write_files(dir, file, data,
                     svg_and_png_script(file, "predictions", kWidth, kPanelHeight * series.size() + 40, body));
}

FigureFiles write_reliability_figure(const std::vector<ReliabilityPoint>& points, const std::string& title,
                                     const fs::path& dir, const std::string& file) {
  std::string data = "# mean_probability observed_frequency count\n";
  for (const ReliabilityPoint& p : points) {
    if (p.count == 0) continue;
    data += fmt::format("{} {} {}\n", format_number(p.mean_probability), format_number(p.observed_frequency), p.count);
  }
  std::string body = "reset\n";
  body += fmt::format("set title {}\n", gp_string(title));
  body +=
      "set xrange [0:1]\nset yrange [0:1]\nset size square\nset grid\nset key left top\n"
      "set xlabel 'predicted p_fail (bin mean)'\nset ylabel 'observed overload frequency'\n";
  body += fmt::format(
      "plot x with lines dt 2 lc rgb 'gray' title 'perfect calibration', "
      "'{0}.dat' using 1:2 with linespoints pt 7 lw 2 lc rgb '#0072B2' title 'model', "
      "'{0}.dat' using 1:2:(sprintf('%d', $3)) with labels offset 0,1 font ',8' notitle\n",
      file);
  return write_files(dir, file, data, svg_and_png_script(file, "reliability", 560, 560, body));
}

FigureFiles write_precision_recall_figure(const std::vector<PrecisionRecallCurve>& curves, const std::string& title,
                                          const fs::path& dir, const std::string& file) {
  if (curves.empty()) throw std::invalid_argument("write_precision_recall_figure: no curve");
  std::string data;
  std::vector<std::string> plots;
  for (std::size_t c = 0; c < curves.size(); ++c) {
    data += fmt::format("# {}: recall precision\n", curves[c].method);
    for (const auto& [recall, precision] : curves[c].points) {
      data += fmt::format("{} {}\n", format_number(recall), format_number(precision));
    }
    data += "\n\n";
    if (!curves[c].points.empty()) {
      plots.push_back(fmt::format("'{}.dat' index {} using 1:2 with lines lw 2 lc rgb '{}' title {}", file, c,
                                  series_colour(c), gp_string(curves[c].method)));
    }
  }
  std::string body = "reset\n";
  body += fmt::format("set title {}\n", gp_string(title));
  body +=
      "set xrange [0:1]\nset yrange [0:1]\nset size square\nset grid\nset key right top\n"
      "set xlabel 'recall (overloads alarmed)'\nset ylabel 'precision (alarms followed by an overload)'\n";
  body += plots.empty() ? "plot 2 notitle\n" : "plot " + fmt::format("{}", fmt::join(plots, ", ")) + "\n";
  return write_files(dir, file, data, svg_and_png_script(file, "precision-recall", 560, 560, body));
}

}  // namespace vfo::report
