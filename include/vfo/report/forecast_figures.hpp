#pragma once
// The figures of `vfo forecast eval`, as gnuplot input next to each other in one folder (<file>.dat,
// <file>.gp; run_gnuplot in gnuplot.hpp renders <file>.svg and <file>.png).
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vfo/report/figure_script.hpp"

namespace vfo::report {

// One series as a forecaster saw it: what happened and what each method predicted for the same steps.
struct PredictedSeries {
  std::string name;
  double interval_s = 0;
  std::vector<double> actual;
  std::vector<std::pair<std::string, std::vector<double>>> predicted;  // method, one value per actual reading
};

// One panel per series (stacked): the actual readings (black) and each method's predictions (series_colour's
// hues, in order) against time in hours, and the overload `threshold` (CPU %) as a dashed line when given.
// Throws std::invalid_argument when there is no series or a prediction's length differs from actual's,
// std::runtime_error when a file cannot be written.
FigureFiles write_prediction_figure(const std::vector<PredictedSeries>& series, const std::string& title,
                                    const std::filesystem::path& dir, const std::string& file,
                                    std::optional<double> threshold = std::nullopt);

// A point of a reliability diagram: the mean predicted probability of a bin and how often the event happened.
struct ReliabilityPoint {
  double mean_probability = 0;
  double observed_frequency = 0;
  std::size_t count = 0;
};

// Observed frequency against mean predicted probability (bins with no example are left out), with the diagonal
// of perfect calibration; each point is labelled with its example count.
FigureFiles write_reliability_figure(const std::vector<ReliabilityPoint>& points, const std::string& title,
                                     const std::filesystem::path& dir, const std::string& file);

// One method's precision-recall curve: (recall, precision) points, from the highest alarm threshold down.
struct PrecisionRecallCurve {
  std::string method;
  std::vector<std::pair<double, double>> points;
};

// Precision against recall, one line per method (a method without points is left out of the plot but keeps
// its data block empty). Throws std::invalid_argument when there is no curve, std::runtime_error when a file
// cannot be written.
FigureFiles write_precision_recall_figure(const std::vector<PrecisionRecallCurve>& curves, const std::string& title,
                                          const std::filesystem::path& dir, const std::string& file);

}  // namespace vfo::report
