#include "vfo/report/figure_script.hpp"

#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include "vfo/util/input_error.hpp"

namespace vfo::report {

namespace {

constexpr int kPanelWidth = 560;  // pixels per panel
constexpr int kPanelHeight = 420;
constexpr int kTitleHeight = 40;  // a multiplot's overall title
// YlOrRd (ColorBrewer): light cells low, dark cells high; cells darker than kDarkFrom get white numbers.
constexpr const char* kPalette = "(0 '#ffffcc', 0.25 '#fed976', 0.5 '#fd8d3c', 0.75 '#e31a1c', 1 '#800026')";
constexpr double kDarkFrom = 0.62;
// A heatmap cell shows its mean above its centre and the CI (smaller) below, this far from it (cell height 1).
constexpr double kCiLabelShift = 0.15;
// A lines figure without panels draws at most this many series in one panel; more get a panel each.
constexpr std::size_t kMostSeriesInOnePanel = 4;

// A string in the .dat file: double quotes, which gnuplot cannot escape there, become single quotes.
std::string dat_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) out += (c == '"') ? '\'' : (c == '\n' || c == '\r') ? ' ' : c;
  return out + "\"";
}

// A number in the .dat or .gp file.
std::string num(double value) {
  return format_number(value);
}

bool ends_with(const std::string& text, std::string_view end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

// A share of time in percent, in [0, 100] by its nature (downtime_pct).
bool is_time_share(const std::string& metric) {
  return ends_with(metric, "downtime_pct");
}

bool is_byte_metric(const std::string& metric) {
  return metric == "bytes" || ends_with(metric, "_bytes");
}

class Figure {
 public:
  Figure(const CsvTable& table, const FigureSpec& spec) : table_(table), spec_(spec) {}

  FigureScript build() {
    select_rows();
    x_ = column(spec_.x, "x");
    if (spec_.kind == FigureKind::kHeatmap) y_ = column(spec_.y, "y");
    for (const auto& key : spec_.panels) panel_keys_.push_back(column(key, "panels"));
    panel_names_ = spec_.panels;
    for (const auto& key : spec_.series) series_keys_.push_back(column(key, "series"));
    if (spec_.kind == FigureKind::kBars && spec_.stack.empty()) fail("a bars figure without `stack`");
    for (const std::string& metric : spec_.metrics()) {
      segments_.push_back({metric_column(metric), table_.column_index(metric + "_ci95")});
    }
    mean_ = segments_.front().mean;
    ci_ = segments_.front().ci;
    xs_ = distinct(x_);
    if (spec_.kind == FigureKind::kHeatmap) ys_ = distinct(*y_);
    choose_unit();
    if (spec_.kind == FigureKind::kLines && spec_.panels.empty() && !series_keys_.empty()) {
      // Many lines with their error bars hide one another: each series gets a panel of its own instead.
      bool complete = true;
      if (combinations(series_keys_, &complete).size() > kMostSeriesInOnePanel) {
        panel_keys_ = std::move(series_keys_);
        panel_names_ = spec_.series;
        series_keys_.clear();
        series_as_panels_ = true;
      }
    }
    make_panels();
    if (spec_.kind == FigureKind::kHeatmap) return heatmap();
    return spec_.kind == FigureKind::kBars ? bars() : lines();
  }

 private:
  struct Panel {
    std::string title;
    std::vector<std::size_t> rows;
  };
  // A metric the figure reads: its mean's column and, if the table has one, its CI's.
  struct Segment {
    std::size_t mean;
    std::optional<std::size_t> ci;
  };

  [[noreturn]] void fail(const std::string& what) const {
    const std::string where = spec_.source.empty() ? "" : spec_.source + ": ";
    throw InputError(fmt::format("{}figure {}: {}", where, spec_.file, what));
  }

  std::string column_list() const {
    std::string out;
    for (const auto& c : table_.columns()) out += (out.empty() ? "" : ", ") + c;
    return out;
  }

  std::size_t column(const std::string& name, const char* role) const {
    const auto index = table_.column_index(name);
    if (!index) fail(fmt::format("{}: no column '{}' in the results (expected one of: {})", role, name, column_list()));
    return *index;
  }

  std::size_t metric_column(const std::string& name) const {
    const auto index = column(name, spec_.kind == FigureKind::kHeatmap ? "value" : "y");
    for (const auto& row : table_.rows()) {
      if (!row[index].empty() && !parse_number(row[index])) {
        fail(fmt::format("metric '{}' is not numeric ('{}')", name, row[index]));
      }
    }
    return index;
  }

  void select_rows() {
    std::vector<std::pair<std::size_t, std::string>> filters;
    for (const auto& [key, value] : spec_.where) filters.emplace_back(column(key, "where"), value);
    for (std::size_t r = 0; r < table_.size(); ++r) {
      const auto& row = table_.rows()[r];
      if (std::all_of(filters.begin(), filters.end(), [&](const auto& f) { return row[f.first] == f.second; })) {
        rows_.push_back(r);
      }
    }
    if (rows_.empty()) fail("no results left after `where` (expected values that occur in the grid)");
  }

  // Values of a column over the selected rows, in order of first appearance.
  std::vector<std::string> distinct(std::size_t col) const {
    std::vector<std::string> out;
    for (auto r : rows_) {
      const auto& v = table_.rows()[r][col];
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return out;
  }

  // Every combination of the keys' values (last key fastest), with the selected rows that have it; a
  // combination with no row is left out. `complete` tells whether none was left out.
  std::vector<std::pair<std::vector<std::string>, std::vector<std::size_t>>> combinations(
      const std::vector<std::size_t>& keys, bool* complete) const {
    std::vector<std::vector<std::string>> values;
    for (auto k : keys) values.push_back(distinct(k));
    std::vector<std::pair<std::vector<std::string>, std::vector<std::size_t>>> out;
    std::vector<std::size_t> digit(keys.size(), 0);
    *complete = true;
    while (true) {
      std::vector<std::string> combo;
      for (std::size_t i = 0; i < keys.size(); ++i) combo.push_back(values[i][digit[i]]);
      std::vector<std::size_t> rows;
      for (auto r : rows_) {
        bool match = true;
        for (std::size_t i = 0; i < keys.size() && match; ++i) match = table_.rows()[r][keys[i]] == combo[i];
        if (match) rows.push_back(r);
      }
      if (rows.empty()) {
        *complete = false;
      } else {
        out.emplace_back(std::move(combo), std::move(rows));
      }
      std::size_t i = keys.size();
      while (i > 0 && ++digit[i - 1] == values[i - 1].size()) digit[--i] = 0;
      if (i == 0) break;
    }
    return out;
  }

  std::string combo_title(const std::vector<std::string>& names, const std::vector<std::string>& values) const {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
      out += fmt::format("{}{}={}", i ? ", " : "", key_label(names[i]), value_label(values[i]));
    }
    return out;
  }

  void make_panels() {
    bool complete = true;
    for (auto& [combo, rows] : combinations(panel_keys_, &complete)) {
      panels_.push_back({combo_title(panel_names_, combo), std::move(rows)});
    }
    const std::size_t n = panels_.size();
    if (!spec_.panels.empty() && complete) {  // the panels the spec names: a grid of their values
      cols_ = distinct(panel_keys_.back()).size();
    } else {
      cols_ = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(n))));
    }
    rows_of_panels_ = (n + cols_ - 1) / cols_;
  }

  // Byte metrics are drawn in the decimal unit that puts the largest mean shown in [1, 1000).
  void choose_unit() {
    const auto metrics = spec_.metrics();
    if (!std::all_of(metrics.begin(), metrics.end(), is_byte_metric)) return;
    double largest = 0;
    for (auto r : rows_) {
      for (const Segment& segment : segments_) {
        const auto v = parse_number(table_.rows()[r][segment.mean]);
        if (v && std::isfinite(*v)) largest = std::max(largest, std::abs(*v));
      }
    }
    static const std::pair<double, const char*> kUnits[] = {{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}};
    unit_ = "bytes";
    for (const auto& [divisor, name] : kUnits) {
      if (largest >= divisor) {
        divisor_ = divisor;
        unit_ = name;
        break;
      }
    }
  }
  // " (GB)" after a label, when the figure's values are in a unit it chose.
  std::string unit_suffix() const { return unit_.empty() ? "" : " (" + unit_ + ")"; }

  std::optional<double> mean_of(std::size_t row, std::size_t column) const {
    const auto v = parse_number(table_.rows()[row][column]);
    if (!v) return v;
    return *v / divisor_;
  }
  std::optional<double> mean_of(std::size_t row) const { return mean_of(row, mean_); }
  // The half-width of the mean's 95 % CI, or nullopt when the table has none for this row (n < 2).
  std::optional<double> ci_of(std::size_t row, const std::optional<std::size_t>& column) const {
    if (!column) return std::nullopt;
    const auto ci = parse_number(table_.rows()[row][*column]);
    if (!ci || !std::isfinite(*ci)) return std::nullopt;
    return *ci / divisor_;
  }
  std::optional<double> ci_of(std::size_t row) const { return ci_of(row, ci_); }

  std::string title() const { return spec_.title.empty() ? spec_.metric() : spec_.title; }

  std::string script(const std::string& kind, const std::string& body) const {
    const bool multi = panels_.size() > 1;
    const std::size_t width = kPanelWidth * cols_;
    const std::size_t height = kPanelHeight * rows_of_panels_ + (multi ? kTitleHeight : 0);
    return svg_and_png_script(spec_.file, kind, width, height, body);
  }

  // The commands shared by both kinds before the panels: reset, multiplot.
  // The figure's title; a heatmap's says the unit of its cells.
  std::string full_title() const {
    return title() + (spec_.kind == FigureKind::kHeatmap ? unit_suffix() : std::string());
  }
  std::string begin_body() const {
    std::string out = "reset\n";
    if (panels_.size() > 1) {
      out += fmt::format("set multiplot layout {},{} title {} font ',14'\n", rows_of_panels_, cols_,
                         gp_string(full_title()));
    }
    return out;
  }
  std::string end_body() const { return panels_.size() > 1 ? "unset multiplot\n" : ""; }
  std::string panel_title(const Panel& panel) const { return panels_.size() > 1 ? panel.title : full_title(); }
  // The y axis of a lines or bars figure: the label given, else the metric, and the unit.
  std::string y_label() const {
    return gp_string((spec_.ylabel.empty() ? spec_.metric() : spec_.ylabel) + unit_suffix());
  }

  std::string tics(const char* axis, const std::vector<std::string>& values) const {
    std::string out = fmt::format("set {}tics (", axis);
    for (std::size_t i = 0; i < values.size(); ++i) {
      out += fmt::format("{}{} {}", i ? ", " : "", gp_string(value_label(values[i])), i);
    }
    return out + ") scale 0\n";
  }

  // The x axis of lines or bars over categories (x values that are not numbers): one tic per value, slanted
  // when the names are wider than their slots (about 60 characters share the axis).
  std::string category_axis() const {
    std::string out = fmt::format("set xrange [-0.5:{}]\n", num(static_cast<double>(xs_.size()) - 0.5));
    out += tics("x", xs_);
    std::size_t longest = 0;
    for (const std::string& x : xs_) longest = std::max(longest, x.size());
    if (longest * xs_.size() > 60) out += "set xtics rotate by -30\n";
    return out;
  }

  std::string label(const std::string& given, const std::string& fallback) const {
    return gp_string(given.empty() ? fallback : given);
  }

  FigureScript heatmap() {
    struct Cell {
      std::size_t xi, yi;
      double value;
      std::optional<double> ci;
    };
    std::vector<std::vector<Cell>> cells(panels_.size());
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (std::size_t p = 0; p < panels_.size(); ++p) {
      std::map<std::pair<std::size_t, std::size_t>, std::size_t> seen;
      for (auto r : panels_[p].rows) {
        const auto& row = table_.rows()[r];
        const std::size_t xi = std::find(xs_.begin(), xs_.end(), row[x_]) - xs_.begin();
        const std::size_t yi = std::find(ys_.begin(), ys_.end(), row[*y_]) - ys_.begin();
        if (!seen.emplace(std::make_pair(xi, yi), r).second) {
          fail(fmt::format("several results for {}={}, {}={} (name the grid key that differs in panels or where)",
                           spec_.x, row[x_], spec_.y, row[*y_]));
        }
        const auto value = mean_of(r);
        if (!value || !std::isfinite(*value)) continue;
        cells[p].push_back({xi, yi, *value, ci_of(r)});
        lo = std::min(lo, *value);
        hi = std::max(hi, *value);
      }
    }
    if (!std::isfinite(lo)) fail(fmt::format("metric '{}' has no value to show", spec_.metric()));
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
      lo -= 0.5;
      hi += 0.5;
    }

    std::string data = fmt::format("# vfo figure '{}': heatmap of {} over {} (x) and {} (y)\n", spec_.file,
                                   spec_.metric(), spec_.x, spec_.y);
    data +=
        "# columns: x index, y index, mean, printed mean, printed 95 % CI half-width ('' when undefined), text "
        "colour; one block (index) per panel\n";
    std::vector<std::size_t> block_of_panel;
    std::size_t blocks = 0;
    for (std::size_t p = 0; p < panels_.size(); ++p) {
      if (cells[p].empty()) {
        block_of_panel.push_back(SIZE_MAX);
        continue;
      }
      if (blocks > 0) data += "\n\n";
      block_of_panel.push_back(blocks++);
      data +=
          fmt::format("# index {}: {}\n", block_of_panel.back(), panels_[p].title.empty() ? "all" : panels_[p].title);
      for (const auto& c : cells[p]) {
        const bool dark = (c.value - lo) / (hi - lo) > kDarkFrom;
        data += fmt::format(
            "{} {} {} {} {} {}\n", c.xi, c.yi, num(c.value), dat_string(fmt::format("{:.{}f}", c.value, spec_.digits)),
            dat_string(c.ci ? fmt::format("±{:.{}f}", *c.ci, spec_.digits) : ""), dark ? "0xffffff" : "0x000000");
      }
    }

    std::string body = begin_body();
    body += fmt::format("set palette defined {}\n", kPalette);
    body += fmt::format("set cbrange [{}:{}]\n", num(lo), num(hi));
    body += fmt::format("set xrange [-0.5:{}]\n", num(static_cast<double>(xs_.size()) - 0.5));
    body += fmt::format("set yrange [-0.5:{}]\n", num(static_cast<double>(ys_.size()) - 0.5));
    body += tics("x", xs_);
    body += tics("y", ys_);
    body += fmt::format("set xlabel {}\n", label(spec_.xlabel, key_label(spec_.x)));
    body += fmt::format("set ylabel {}\n", label(spec_.ylabel, key_label(spec_.y)));
    body += "set tics nomirror\nunset key\n";
    const std::string dat = gp_string(spec_.file + ".dat");
    for (std::size_t p = 0; p < panels_.size(); ++p) {
      if (block_of_panel[p] == SIZE_MAX) {  // no finite value in this panel: leave its place empty
        body += "set multiplot next\n";
        continue;
      }
      body += fmt::format("set title {}\n", gp_string(panel_title(panels_[p])));
      body += fmt::format(
          "plot {} index {} using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid 1.0 noborder fillcolor palette, "
          "\\\n"
          "     '' index {} using 1:($2+{}):4:6 with labels textcolor rgb variable, \\\n"
          "     '' index {} using 1:($2-{}):5:6 with labels font ',9' textcolor rgb variable\n",
          dat, block_of_panel[p], block_of_panel[p], num(kCiLabelShift), block_of_panel[p], num(kCiLabelShift));
    }
    body += end_body();
    return {data, script("heatmap", body)};
  }

  FigureScript lines() {
    bool numeric_x = true;
    std::vector<double> x_values;
    for (const auto& v : xs_) {
      const auto n = parse_number(v);
      if (!n || v == "true" || v == "false") {
        numeric_x = false;
        break;
      }
      x_values.push_back(*n);
    }
    // The series, over all panels, so that a series has the same colour in each.
    bool complete = true;
    std::vector<std::vector<std::string>> series;
    for (auto& [combo, rows] : combinations(series_keys_, &complete)) series.push_back(combo);

    // A metric whose means are all >= 0 is a quantity that cannot be negative: its bars stop at 0. A share of
    // time in percent (a downtime) cannot pass 100 either.
    const bool share = is_time_share(spec_.metric());
    bool non_negative = true;
    for (const auto& panel : panels_) {
      for (auto r : panel.rows) {
        const auto mean = mean_of(r);
        if (mean && std::isfinite(*mean) && *mean < 0) non_negative = false;
      }
    }

    std::string data =
        fmt::format("# vfo figure '{}': {} (mean, 95 % CI) over {}\n", spec_.file, spec_.metric(), spec_.x);
    data += numeric_x ? "# columns: x, mean, low, high" : "# columns: x index, mean, low, high";
    data += share          ? " (the 95 % CI, cut to [0, 100]; the mean where undefined), x as text"
            : non_negative ? " (the 95 % CI, cut at 0; the mean where undefined), x as text"
                           : " (the 95 % CI; the mean where undefined), x as text";
    data += "; one block (index) per panel and series\n";
    std::size_t blocks = 0;
    double y_lo = std::numeric_limits<double>::infinity();
    double y_hi = -y_lo;
    std::vector<std::string> panel_plots;
    for (std::size_t panel_index = 0; panel_index < panels_.size(); ++panel_index) {
      const Panel& panel = panels_[panel_index];
      std::vector<std::string> parts;
      for (std::size_t s = 0; s < series.size(); ++s) {
        struct Point {
          std::size_t xi;
          double mean, low, high;
        };
        std::vector<Point> points;
        std::map<std::size_t, std::size_t> seen;
        for (auto r : panel.rows) {
          const auto& row = table_.rows()[r];
          bool in_series = true;
          for (std::size_t k = 0; k < series_keys_.size() && in_series; ++k) {
            in_series = row[series_keys_[k]] == series[s][k];
          }
          if (!in_series) continue;
          const std::size_t xi = std::find(xs_.begin(), xs_.end(), row[x_]) - xs_.begin();
          if (!seen.emplace(xi, r).second) {
            fail(fmt::format(
                "several results for {}={}{}{} (name the grid key that differs in panels, series or where)", spec_.x,
                row[x_], series_keys_.empty() ? "" : " in series ", combo_title(spec_.series, series[s])));
          }
          const auto mean = mean_of(r);
          if (!mean || !std::isfinite(*mean)) continue;
          const double ci = ci_of(r).value_or(0);  // no bar where the CI is undefined
          const double low = non_negative ? std::max(0.0, *mean - ci) : *mean - ci;
          const double high = share ? std::min(100.0, *mean + ci) : *mean + ci;
          points.push_back({xi, *mean, low, high});
          y_lo = std::min(y_lo, low);
          y_hi = std::max(y_hi, high);
        }
        if (points.empty()) continue;
        if (numeric_x) {
          std::stable_sort(points.begin(), points.end(),
                           [&](const Point& a, const Point& b) { return x_values[a.xi] < x_values[b.xi]; });
        }
        if (blocks > 0) data += "\n\n";
        const std::string name = series_keys_.empty() ? spec_.metric() : combo_title(spec_.series, series[s]);
        data += fmt::format("# index {}: {}{}{}\n", blocks, panel.title, panel.title.empty() ? "" : "; ", name);
        for (const auto& pt : points) {
          const std::string x = numeric_x ? num(x_values[pt.xi]) : std::to_string(pt.xi);
          data += fmt::format("{} {} {} {} {}\n", x, num(pt.mean), num(pt.low), num(pt.high),
                              dat_string(value_label(xs_[pt.xi])));
        }
        parts.push_back(fmt::format(
            "{} index {} using 1:2:3:4 with yerrorlines linecolor rgb '{}' linewidth 2 pointtype 7 title {}",
            parts.empty() ? gp_string(spec_.file + ".dat") : "''", blocks,
            series_colour(series_as_panels_ ? panel_index : s), series_keys_.empty() ? "''" : gp_string(name)));
        ++blocks;
      }
      std::string plot = fmt::format("set title {}\n", gp_string(panel_title(panel)));
      if (parts.empty()) {
        fail(fmt::format("metric '{}' has no value to show in panel '{}'", spec_.metric(), panel.title));
      }
      plot += "plot ";
      for (std::size_t i = 0; i < parts.size(); ++i) plot += (i ? ", \\\n     " : "") + parts[i];
      panel_plots.push_back(plot + "\n");
    }

    std::string body = begin_body();
    body += "set grid\nset tics nomirror\n";
    if (numeric_x) {
      body += "set xtics (";
      for (std::size_t i = 0; i < xs_.size(); ++i)
        body += fmt::format("{}{} {}", i ? ", " : "", gp_string(xs_[i]), num(x_values[i]));
      body += ")\n";
      body += "set offsets graph 0.05, graph 0.05, graph 0.05, 0\n";
      if (spec_.logx) body += "set logscale x\n";
    } else {
      body += category_axis();
      body += "set offsets 0, 0, graph 0.05, 0\n";
    }
    if (panels_.size() > 1) {  // one y scale for all panels, so that they compare at a glance
      if (non_negative) y_lo = 0;
      const double pad = y_hi > y_lo ? 0.05 * (y_hi - y_lo) : 1.0;
      body += fmt::format("set yrange [{}:{}]\n", num(non_negative ? 0 : y_lo - pad), num(y_hi + pad));
    } else if (non_negative) {
      body += "set yrange [0:*]\n";
    }
    body += fmt::format("set xlabel {}\n", label(spec_.xlabel, key_label(spec_.x)));
    body += fmt::format("set ylabel {}\n", y_label());
    body += series_keys_.empty() ? "unset key\n" : "set key below height 1\n";
    for (const auto& p : panel_plots) body += p;
    body += end_body();
    return {data, script("lines", body)};
  }

  // One bar per x value and panel: the segments' means stacked bottom up, each with an error bar of its own 95 %
  // CI at its top (cut at the segment's bottom). A segment without a value counts 0; an x with none is left out.
  FigureScript bars() {
    constexpr double kHalfWidth = 0.3;
    const std::size_t n = spec_.stack.size();
    std::string data = fmt::format("# vfo figure '{}': stacked means of {} over {}\n", spec_.file,
                                   fmt::format("{}", fmt::join(spec_.metrics(), ", ")), spec_.x);
    data +=
        "# columns: x index, then per segment (bottom up): its bottom, its top, its CI's low, its CI's high; x as "
        "text; one block (index) per panel\n";
    double top = 0;
    std::vector<std::size_t> block_of_panel;
    std::size_t blocks = 0;
    for (const auto& panel : panels_) {
      std::map<std::size_t, std::size_t> row_at;
      for (auto r : panel.rows) {
        const auto& row = table_.rows()[r];
        const std::size_t xi = std::find(xs_.begin(), xs_.end(), row[x_]) - xs_.begin();
        if (!row_at.emplace(xi, r).second) {
          fail(fmt::format("several results for {}={} (name the grid key that differs in panels or where)", spec_.x,
                           row[x_]));
        }
      }
      std::string block;
      for (const auto& [xi, r] : row_at) {
        std::string line = std::to_string(xi);
        double bottom = 0;
        bool any = false;
        for (const Segment& segment : segments_) {
          const auto mean = mean_of(r, segment.mean);
          const double value = mean && std::isfinite(*mean) ? std::max(0.0, *mean) : 0.0;
          any = any || (mean && std::isfinite(*mean));
          const double ci = ci_of(r, segment.ci).value_or(0);
          const double high = bottom + value;
          line += fmt::format(" {} {} {} {}", num(bottom), num(high), num(std::max(bottom, high - ci)), num(high + ci));
          top = std::max(top, high + ci);
          bottom = high;
        }
        if (any) block += line + " " + dat_string(value_label(xs_[xi])) + "\n";
      }
      if (block.empty()) {
        block_of_panel.push_back(SIZE_MAX);
        continue;
      }
      if (blocks > 0) data += "\n\n";
      data += fmt::format("# index {}: {}\n", blocks, panel.title.empty() ? "all" : panel.title) + block;
      block_of_panel.push_back(blocks++);
    }
    if (blocks == 0) fail(fmt::format("metrics {} have no value to show", fmt::join(spec_.metrics(), ", ")));

    std::string body = begin_body();
    body += "set grid ytics\nset tics nomirror\n";
    body += category_axis();
    body += fmt::format("set yrange [0:{}]\n", num(top > 0 ? 1.05 * top : 1));
    body += fmt::format("set xlabel {}\n", label(spec_.xlabel, key_label(spec_.x)));
    body += fmt::format("set ylabel {}\n", y_label());
    body += "set key below height 1\nset style fill solid 0.85 noborder\n";
    const std::string dat = gp_string(spec_.file + ".dat");
    for (std::size_t p = 0; p < panels_.size(); ++p) {
      if (block_of_panel[p] == SIZE_MAX) {
        body += "set multiplot next\n";
        continue;
      }
      body += fmt::format("set title {}\nplot ", gp_string(panel_title(panels_[p])));
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t c = 2 + 4 * k;  // the segment's bottom column
        body += fmt::format(
            "{} index {} using 1:((${}+${})/2):({}):((${}-${})/2) with boxxyerror linecolor rgb '{}' title {}, \\\n",
            k == 0 ? dat : "     ''", block_of_panel[p], c, c + 1, num(kHalfWidth), c + 1, c, series_colour(k),
            gp_string(spec_.stack[k].first));
      }
      for (std::size_t k = 0; k < n; ++k) {  // each segment's CI: a vector from its low to its high, capped
        const std::size_t c = 2 + 4 * k;
        body += fmt::format(
            "     '' index {} using 1:{}:(0):(${}-${}) with vectors heads size screen 0.008,90 linecolor rgb 'black' "
            "notitle{}",
            block_of_panel[p], c + 2, c + 3, c + 2, k + 1 < n ? ", \\\n" : "\n");
      }
    }
    body += end_body();
    return {data, script("bars", body)};
  }

  const CsvTable& table_;
  const FigureSpec& spec_;
  std::vector<std::size_t> rows_;  // selected by `where`
  std::size_t x_ = 0;
  std::optional<std::size_t> y_;
  std::vector<std::size_t> panel_keys_, series_keys_;
  std::vector<std::string> panel_names_;  // the grid keys of panel_keys_
  bool series_as_panels_ = false;         // the spec's series drawn one per panel (each in its series colour)
  std::vector<Segment> segments_;         // the metrics read: one, or a bars figure's stack
  std::size_t mean_ = 0;                  // the first segment's
  std::optional<std::size_t> ci_;
  double divisor_ = 1;  // the values shown are the table's divided by this (a unit chosen for byte metrics)
  std::string unit_;    // what the values shown count ("GB"), or empty: the metric's own unit
  std::vector<std::string> xs_, ys_;
  std::vector<Panel> panels_;
  std::size_t cols_ = 1, rows_of_panels_ = 1;
};

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write", path.string()));
}

}  // namespace

std::string series_colour(std::size_t index) {
  // Okabe and Ito's colour-blind-safe palette, without its yellow (too faint on white).
  static const char* const kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                         "#E69F00", "#56B4E9", "#000000", "#999999"};
  return kColours[index % std::size(kColours)];
}

std::string key_label(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

std::string value_label(const std::string& value) {
  if (value == "true") return "on";
  if (value == "false") return "off";
  return value;
}

FigureScript make_figure_script(const CsvTable& aggregate, const FigureSpec& spec) {
  return Figure(aggregate, spec).build();
}

FigureFiles write_figure_script(const CsvTable& aggregate, const FigureSpec& spec, const std::filesystem::path& dir) {
  const FigureScript figure = make_figure_script(aggregate, spec);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: cannot create directory ({})", dir.string(), ec.message()));
  FigureFiles files{dir / (spec.file + ".dat"), dir / (spec.file + ".gp"), dir / (spec.file + ".svg"),
                    dir / (spec.file + ".png")};
  write_text(files.dat, figure.data);
  write_text(files.gp, figure.script);
  return files;
}

std::string gp_string(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "'";
}

std::string svg_and_png_script(const std::string& file, const std::string& kind, std::size_t width, std::size_t height,
                               const std::string& body) {
  std::string out;
  out += fmt::format("# vfo figure '{}' ({}): reads {}.dat, writes {}.svg and {}.png in this folder.\n", file, kind,
                     file, file, file);
  out += fmt::format("# Re-render: gnuplot {}.gp\n", file);
  out += fmt::format("set terminal svg size {},{} dynamic noenhanced font 'Sans,12' background rgb 'white'\n", width,
                     height);
  out += fmt::format("set output {}\n", gp_string(file + ".svg"));
  out += body;
  out += "set output\n";
  out += "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n";
  out += fmt::format("  set terminal pngcairo size {},{} noenhanced font 'Sans,10' background rgb 'white'\n", width,
                     height);
  out += "} else {\n";
  out += fmt::format("  set terminal png size {},{} noenhanced background rgb 'white'\n", width, height);
  out += "}\n";
  out += fmt::format("set output {}\n", gp_string(file + ".png"));
  out += body;
  out += "set output\n";
  return out;
}

}  // namespace vfo::report
