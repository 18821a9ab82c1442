#pragma once
// What one figure of a sweep shows: plain data, filled by the sweep loader (vfo/scenario/sweep_spec.hpp) and
// read by the renderer (vfo/report/figure_script.hpp). Keys name columns of the aggregate table: the sweep's
// grid keys (as dotted scenario keys) and metric columns (a metric's mean is the column `m`, the half-width of
// its 95 % confidence interval `m_ci95`).
#include <string>
#include <utility>
#include <vector>

namespace vfo::report {

enum class FigureKind {
  kHeatmap,   // x and y are grid keys; the cell colour (and the printed number) is the mean of `value`, with its CI
  kLines,     // x is a grid key; y is a metric: its mean with error bars of its 95 % confidence interval
  kTimeline,  // x is the time; y is a column of the timeline.csv of each grid point's first replication
  kBars,      // x is a grid key; one bar per x value, stacked from `stack`'s metrics (their means, each with its CI)
};

struct FigureSpec {
  FigureKind kind = FigureKind::kLines;
  std::string file;   // base name of the outputs: <file>.dat, <file>.gp, <file>.svg, <file>.png
  std::string title;  // empty: the metric's name
  std::string x;      // grid key on the x axis (empty for a timeline)
  std::string y;      // heatmap: grid key on the y axis; lines: the metric plotted
  std::string value;  // heatmap only: the metric that colours the cells
  std::vector<std::pair<std::string, std::string>> stack;  // bars only: (label, metric), bottom segment first
  std::vector<std::string> panels;                         // grid keys: one panel per combination of their values
  std::vector<std::string> series;  // lines only: grid keys: one line per combination of their values
  std::vector<std::pair<std::string, std::string>> where;  // grid key = value text: only these rows are shown
  std::string xlabel;                                      // empty: the last segment of `x`
  std::string ylabel;                                      // empty: heatmap the last segment of `y`, lines the metric
  int digits = 2;                                          // heatmap: decimals of the number printed in each cell
  bool logx = false;   // lines only: a logarithmic x axis (every x value a number > 0)
  std::string source;  // "FILE:LINE" of the figure's definition, for messages; may be empty

  // The metric this figure reads (heatmap: value, lines: y; bars: the bottom segment's).
  const std::string& metric() const {
    return kind == FigureKind::kHeatmap ? value : kind == FigureKind::kBars ? stack.front().second : y;
  }
  // Every metric this figure reads (bars: one per segment; otherwise metric()).
  std::vector<std::string> metrics() const {
    if (kind != FigureKind::kBars) return {metric()};
    std::vector<std::string> out;
    for (const auto& segment : stack) out.push_back(segment.second);
    return out;
  }
};

}  // namespace vfo::report
