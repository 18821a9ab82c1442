#include "vfo/scenario/sweep_spec.hpp"
#include "vfo/scenario/scenario_loader.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/text.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>

namespace vfo {

namespace {

constexpr const char* kCaseKey = "case";

// Letters, digits, '_', '-' and '.', not starting with '.': a figure's file name or a case's name.
bool plain_file_name(const std::string& name) {
  return !name.empty() && name.front() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

using report::FigureKind;
using report::FigureSpec;

// 1-based line of a node, or `fallback` if it has none (e.g. an empty value).
int line_of(const YAML::Node& node, int fallback) {
  return node.IsDefined() && node.Mark().line >= 0 ? node.Mark().line + 1 : fallback;
}

// A value as flow-style YAML text; plain scalars that YAML reads as booleans become "true"/"false".
std::string flow_text(const YAML::Node& node) {
  if (node.IsScalar()) {
    bool b = false;
    if (node.Tag() == "?" && YAML::convert<bool>::decode(node, b)) return b ? "true" : "false";
  }
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

std::optional<double> as_number(const std::string& text) {
  double value = 0;
  const char* begin = text.data() + (text.size() > 0 && text[0] == '+' ? 1 : 0);
  const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The grid's own text for a value given as `text`: the same text, else the same number (0.10 is 0.1); end() if
// neither is a value of the axis.
std::vector<std::string>::const_iterator find_value(const SweepAxis& axis, const std::string& text) {
  const auto match = std::find(axis.values.begin(), axis.values.end(), text);
  if (match != axis.values.end()) return match;
  const auto number = as_number(text);
  if (!number) return axis.values.end();
  return std::find_if(axis.values.begin(), axis.values.end(),
                      [&](const std::string& v) { return as_number(v) == number; });
}

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  SweepSpec parse(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      fail(e.mark.line + 1, fmt::format("invalid YAML: {}", e.msg), "a valid YAML document");
    }
    SweepSpec spec;
    spec.source_file = source_;
    if (!root.IsMap()) return spec;  // the scenario loader reports a file that is not a map
    YAML::Node sweep;
    for (auto it = root.begin(); it != root.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == "sweep") {
        sweep.reset(it->second);
        spec.line = line_of(it->first, 1);
      }
    }
    if (spec.line == 0 || sweep.IsNull()) return spec;
    if (!sweep.IsMap()) fail(line_of(sweep, spec.line), "sweep: not a map", "a map with replications, grid, figures");

    YAML::Node figures, cases;
    int figures_line = 0, cases_line = 0;
    for (auto it = sweep.begin(); it != sweep.end(); ++it) {
      const int line = line_of(it->first, spec.line);
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
      if (key == "replications") {
        spec.replications = positive_int(it->second, line, "sweep.replications");
      } else if (key == "grid") {
        read_grid(it->second, line, spec);
      } else if (key == "cases") {
        cases.reset(it->second);
        cases_line = line;
      } else if (key == "figures") {
        figures.reset(it->second);
        figures_line = line;
      } else {
        fail(line, fmt::format("sweep.{}: unknown key", key), "replications, cases, grid or figures");
      }
    }
    if (cases_line > 0) read_cases(cases, cases_line, spec);          // after the grid, whose keys it may not set
    if (figures_line > 0) read_figures(figures, figures_line, spec);  // after the grid, which it refers to
    return spec;
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what, const std::string& expected) const {
    std::string text = fmt::format("{}:{}: {} (expected {})", source_, std::max(line, 1), what, expected);
    std::replace(text.begin(), text.end(), '\n', ' ');
    throw InputError(text);
  }

  int positive_int(const YAML::Node& node, int line, const std::string& name) const {
    const int at = line_of(node, line);
    if (!node.IsScalar()) fail(at, fmt::format("{}: not a number", name), "an integer >= 1");
    const std::string& text = node.Scalar();
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 1000000) {
      fail(at, fmt::format("{}: '{}' is not a positive integer", name, text), "an integer >= 1");
    }
    return static_cast<int>(value);
  }

  std::string scalar_text(const YAML::Node& node, int line, const std::string& name,
                          const std::string& expected) const {
    if (!node.IsScalar() || node.Scalar().empty()) fail(line_of(node, line), name + ": not a text", expected);
    return node.Scalar();
  }

  // `cases:` becomes the first axis, key "case", one value per case.
  void read_cases(const YAML::Node& cases, int cases_line, SweepSpec& spec) const {
    const std::string expected =
        "a map from case names to maps of overrides, e.g. vfo-cold: {control.live_migration: false}";
    if (!cases.IsMap() || cases.size() == 0)
      fail(line_of(cases, cases_line), "sweep.cases: not a non-empty map", expected);
    if (spec.axis(kCaseKey) != nullptr) {
      fail(spec.axis(kCaseKey)->line, "sweep.grid.case: 'case' is the axis of sweep.cases", "another key");
    }
    SweepAxis axis;
    axis.key = kCaseKey;
    axis.line = cases_line;
    for (auto it = cases.begin(); it != cases.end(); ++it) {
      const int line = line_of(it->first, cases_line);
      const std::string name = it->first.IsScalar() ? it->first.Scalar() : "";
      if (!plain_file_name(name))
        fail(line, fmt::format("sweep.cases: '{}' is not a plain case name", name), "letters, digits, '_', '-', '.'");
      if (std::find(axis.values.begin(), axis.values.end(), name) != axis.values.end()) {
        fail(line, fmt::format("sweep.cases: '{}' is listed twice", name), "distinct case names");
      }
      const YAML::Node overrides = it->second;
      if (!overrides.IsMap() || overrides.size() == 0) {
        fail(line_of(overrides, line), fmt::format("sweep.cases.{}: not a non-empty map", name), expected);
      }
      std::vector<std::string> texts;
      for (auto o = overrides.begin(); o != overrides.end(); ++o) {
        const int key_line = line_of(o->first, line);
        const std::string key = o->first.IsScalar() ? o->first.Scalar() : "";
        if (key.empty() || key.find_first_of("= \t") != std::string::npos) {
          fail(key_line, fmt::format("sweep.cases.{}: '{}' is not a scenario key", name, key),
               "a dotted scenario key such as control.recovery");
        }
        for (const auto& grid_axis : spec.grid) {
          if (grid_axis.key == key || grid_axis.key.rfind(key + ".", 0) == 0 ||
              key.rfind(grid_axis.key + ".", 0) == 0) {
            fail(key_line,
                 fmt::format("sweep.cases.{}: {} is also varied by sweep.grid (line {})", name, key, grid_axis.line),
                 "a key that the grid does not vary");
          }
        }
        if (!o->second.IsDefined() || o->second.IsNull()) {
          fail(key_line, fmt::format("sweep.cases.{}: {} has no value", name, key), "a value such as true or 0.5");
        }
        texts.push_back(key + "=" + flow_text(o->second));
      }
      axis.values.push_back(name);
      axis.value_lines.push_back(line);
      axis.case_overrides.push_back(std::move(texts));
    }
    spec.grid.insert(spec.grid.begin(), std::move(axis));
  }

  void read_grid(const YAML::Node& grid, int grid_line, SweepSpec& spec) const {
    if (grid.IsNull()) return;
    if (!grid.IsMap()) {
      fail(line_of(grid, grid_line), "sweep.grid: not a map",
           "a map from scenario keys to lists of values, e.g. environment.nodes: [100, 500]");
    }
    for (auto it = grid.begin(); it != grid.end(); ++it) {
      SweepAxis axis;
      axis.line = line_of(it->first, grid_line);
      if (!it->first.IsScalar() || it->first.Scalar().empty()) {
        fail(axis.line, "sweep.grid: a key that is not a text", "a dotted scenario key such as environment.nodes");
      }
      axis.key = it->first.Scalar();
      const std::string name = "sweep.grid." + axis.key;
      if (axis.key.find_first_of("= \t") != std::string::npos || axis.key.front() == '.' || axis.key.back() == '.') {
        fail(axis.line, name + ": not a scenario key", "a dotted scenario key such as environment.nodes");
      }
      if (axis.key == "sweep" || axis.key.rfind("sweep.", 0) == 0) {
        fail(axis.line, name + ": the sweep cannot vary itself", "a scenario key such as environment.nodes");
      }
      if (const auto why = unknown_scenario_key(axis.key)) {
        fail(axis.line, "sweep.grid." + *why, "a dotted scenario key such as environment.nodes");
      }
      if (spec.axis(axis.key) != nullptr) {
        fail(axis.line, name + ": duplicate grid key", "each key once; list all its values in one list");
      }
      const YAML::Node values = it->second;
      if (!values.IsSequence()) {
        fail(line_of(values, axis.line), name + ": not a list", "a list of values, e.g. [100, 500]");
      }
      if (values.size() == 0) {
        fail(line_of(values, axis.line), name + ": empty list", "a list of at least one value, e.g. [100, 500]");
      }
      for (const auto& value : values) {
        const int line = line_of(value, axis.line);
        if (!value.IsDefined() || value.IsNull()) {
          fail(line, name + ": an empty value in the list", "a value such as 100, true or {mean: 8, stddev: 4}");
        }
        std::string text = flow_text(value);
        if (std::find(axis.values.begin(), axis.values.end(), text) != axis.values.end()) {
          fail(line, fmt::format("{}: '{}' is listed twice", name, text), "distinct values");
        }
        axis.values.push_back(std::move(text));
        axis.value_lines.push_back(line);
      }
      spec.grid.push_back(std::move(axis));
    }
  }

  // A figure key naming one grid key.
  std::string grid_key(const YAML::Node& node, int line, const SweepSpec& spec, const std::string& name) const {
    const std::string key = scalar_text(node, line, name, "a grid key");
    if (spec.axis(key) == nullptr) {
      fail(line_of(node, line), fmt::format("{}: '{}' is not a grid key", name, key),
           spec.grid.empty() ? "a key of sweep.grid, which is empty" : "one of " + join(spec.keys()));
    }
    return key;
  }

  // A figure key naming a list of grid keys (a single key is a list of one).
  std::vector<std::string> grid_keys(const YAML::Node& node, int line, const SweepSpec& spec,
                                     const std::string& name) const {
    if (node.IsScalar()) return {grid_key(node, line, spec, name)};
    if (!node.IsSequence()) fail(line_of(node, line), name + ": not a list", "a list of grid keys");
    std::vector<std::string> keys;
    for (const auto& item : node) keys.push_back(grid_key(item, line, spec, name));
    return keys;
  }

  void read_figures(const YAML::Node& figures, int figures_line, SweepSpec& spec) const {
    if (figures.IsNull()) return;
    if (!figures.IsSequence()) {
      fail(line_of(figures, figures_line), "sweep.figures: not a list",
           "a list of figures, e.g. - {kind: lines, file: fig7a, x: environment.nodes, y: downtime_pct}");
    }
    std::set<std::string> files;
    for (const auto& node : figures) {
      const int line = line_of(node, figures_line);
      FigureSpec figure = read_figure(node, line, spec);
      if (!files.insert(figure.file).second) {
        fail(line, fmt::format("sweep.figures: file '{}' is used twice", figure.file), "a distinct file per figure");
      }
      spec.figures.push_back(std::move(figure));
    }
  }

  FigureSpec read_figure(const YAML::Node& node, int line, const SweepSpec& spec) const {
    if (!node.IsMap()) {
      fail(line, "sweep.figures: an entry that is not a map",
           "a map such as {kind: lines, file: fig7a, x: environment.nodes, y: downtime_pct}");
    }
    std::map<std::string, std::pair<YAML::Node, int>> entries;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
      static const std::set<std::string> kKnown = {"kind",   "file",   "title", "x",      "y",      "value",  "stack",
                                                   "panels", "series", "where", "xlabel", "ylabel", "digits", "logx"};
      const int key_line = line_of(it->first, line);
      if (kKnown.count(key) == 0) {
        fail(key_line, fmt::format("sweep.figures: unknown key '{}'", key),
             "kind, file, title, x, y, value, stack, panels, series, where, xlabel, ylabel, digits or logx");
      }
      if (!entries.emplace(key, std::make_pair(it->second, key_line)).second) {
        fail(key_line, fmt::format("sweep.figures: key '{}' given twice", key), "each key once");
      }
    }
    auto has = [&](const char* key) { return entries.count(key) > 0; };
    auto get = [&](const char* key) -> const YAML::Node& { return entries.at(key).first; };
    auto at = [&](const char* key) { return entries.at(key).second; };

    FigureSpec figure;
    figure.source = fmt::format("{}:{}", source_, line);
    if (!has("file")) fail(line, "sweep.figures: a figure without `file`", "file: NAME, the base name of its outputs");
    figure.file = scalar_text(get("file"), at("file"), "file", "a base file name such as fig6_downtime");
    if (!plain_file_name(figure.file)) {
      fail(at("file"), fmt::format("file: '{}' is not a plain file name", figure.file),
           "letters, digits, '_', '-', '.' (no folder: figures go to OUT/figures)");
    }
    const std::string name = "figure " + figure.file;

    static const char* const kKinds = "heatmap, lines, bars or timeline";
    if (!has("kind")) fail(line, name + ": no `kind`", std::string("kind: ") + kKinds);
    const std::string kind = scalar_text(get("kind"), at("kind"), name + ": kind", kKinds);
    if (kind == "heatmap") {
      figure.kind = FigureKind::kHeatmap;
    } else if (kind == "lines") {
      figure.kind = FigureKind::kLines;
    } else if (kind == "bars") {
      figure.kind = FigureKind::kBars;
    } else if (kind == "timeline") {
      figure.kind = FigureKind::kTimeline;
    } else {
      fail(at("kind"), fmt::format("{}: kind '{}' is unknown", name, kind), kKinds);
    }
    const bool heatmap = figure.kind == FigureKind::kHeatmap;
    const bool timeline = figure.kind == FigureKind::kTimeline;
    const bool bars = figure.kind == FigureKind::kBars;

    auto require = [&](const char* key, const std::string& expected) {
      if (!has(key)) fail(line, fmt::format("{}: no `{}`", name, key), expected);
    };
    auto forbid = [&](const char* key, const std::string& expected) {
      if (has(key)) fail(at(key), fmt::format("{}: `{}` is not a key of a {} figure", name, key, kind), expected);
    };
    if (timeline) {
      forbid("x", "no x: a timeline's x axis is the time");
      forbid("panels", "series, to split a timeline");
      forbid("value", "y: the column of timeline.csv to plot");
      forbid("digits", "digits only on heatmaps");
      forbid("logx", "logx only on lines figures");
      require("y", "y: a column of the runs' timeline.csv, e.g. replicas");
    } else {
      require("x", "x: a grid key for the x axis");
      figure.x = grid_key(get("x"), at("x"), spec, name + ": x");
    }
    if (!bars) forbid("stack", "stack only on bars figures");
    if (bars) {
      require("stack", "stack: {label: metric, ...}, the segments bottom up");
      forbid("y", "stack: the metrics stacked in each bar");
      forbid("value", "stack: the metrics stacked in each bar");
      forbid("series", "panels, to split a bars figure");
      forbid("digits", "digits only on heatmaps");
      forbid("logx", "logx only on lines figures");
      figure.stack = read_stack(get("stack"), at("stack"), name);
    } else if (heatmap) {
      require("y", "y: a grid key for the y axis");
      require("value", "value: the metric that colours the cells, e.g. downtime_pct");
      forbid("series", "panels, to split a heatmap");
      forbid("logx", "logx only on lines figures");
      figure.y = grid_key(get("y"), at("y"), spec, name + ": y");
      figure.value = scalar_text(get("value"), at("value"), name + ": value", "a metric such as downtime_pct");
    } else {
      require("y", "y: the metric on the y axis, e.g. downtime_pct");
      forbid("value", "y: the metric to plot");
      forbid("digits", "digits only on heatmaps");
      if (has("logx")) {
        const std::string text = scalar_text(get("logx"), at("logx"), name + ": logx", "true or false");
        if (text != "true" && text != "false") {
          fail(at("logx"), fmt::format("{}: logx: '{}' is not true or false", name, text), "logx: true or false");
        }
        figure.logx = text == "true";
        for (const std::string& v : spec.axis(figure.x)->values) {
          char* end = nullptr;
          const double x = std::strtod(v.c_str(), &end);
          if (end == v.c_str() || *end != '\0' || !(x > 0)) {
            fail(at("logx"),
                 fmt::format("{}: logx needs every value of {} to be a number > 0, not '{}'", name, figure.x, v),
                 "logx: false, or positive numbers on the x axis");
          }
        }
      }
      figure.y = scalar_text(get("y"), at("y"), name + ": y",
                             timeline ? "a column of timeline.csv such as replicas" : "a metric such as downtime_pct");
    }
    if (has("panels")) figure.panels = grid_keys(get("panels"), at("panels"), spec, name + ": panels");
    if (has("series")) figure.series = grid_keys(get("series"), at("series"), spec, name + ": series");
    if (has("title")) figure.title = scalar_text(get("title"), at("title"), name + ": title", "a text");
    if (has("xlabel")) figure.xlabel = scalar_text(get("xlabel"), at("xlabel"), name + ": xlabel", "a text");
    if (has("ylabel")) figure.ylabel = scalar_text(get("ylabel"), at("ylabel"), name + ": ylabel", "a text");
    if (has("digits")) {
      const int digits = positive_int_or_zero(get("digits"), at("digits"), name + ": digits");
      figure.digits = digits;
    }
    if (has("where")) read_where(get("where"), at("where"), spec, name, figure);

    // Each grid key in one role; each varying grid key in some role.
    std::map<std::string, std::string> role_of;
    auto assign = [&](const std::string& key, const std::string& role, int role_line) {
      const auto [it, inserted] = role_of.emplace(key, role);
      if (!inserted) {
        fail(role_line, fmt::format("{}: {} is named in both {} and {}", name, key, it->second, role),
             "each grid key in one of x, y, panels, series, where");
      }
    };
    if (!timeline) assign(figure.x, "x", at("x"));
    if (heatmap) assign(figure.y, "y", at("y"));
    for (const auto& key : figure.panels) assign(key, "panels", at("panels"));
    for (const auto& key : figure.series) assign(key, "series", at("series"));
    for (const auto& [key, value] : figure.where) assign(key, "where", at("where"));
    for (const auto& axis : spec.grid) {
      if (axis.values.size() > 1 && role_of.count(axis.key) == 0) {
        fail(line,
             fmt::format("{}: grid key {} has {} values but the figure does not say which to show", name, axis.key,
                         axis.values.size()),
             heatmap || bars ? "it in panels, or one value in where: {" + axis.key + ": ...}"
             : timeline      ? "it in series, or one value in where: {" + axis.key + ": ...}"
                             : "it in series or panels, or one value in where: {" + axis.key + ": ...}");
      }
    }
    return figure;
  }

  // A bars figure's `stack`: a map of labels to metrics, bottom segment first.
  std::vector<std::pair<std::string, std::string>> read_stack(const YAML::Node& node, int line,
                                                              const std::string& name) const {
    const std::string expected = "a map of labels to metrics, e.g. {copy: live_phases_copy_s, downtime: ...}";
    if (!node.IsMap() || node.size() == 0)
      fail(line_of(node, line), name + ": stack is not a map of metrics", expected);
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const int at = line_of(it->first, line);
      const std::string label = scalar_text(it->first, at, name + ": stack", expected);
      const std::string metric = scalar_text(it->second, at, name + ": stack: " + label, "a metric");
      for (const auto& [seen, unused] : out) {
        if (seen == label) fail(at, fmt::format("{}: stack: label '{}' given twice", name, label), "each label once");
      }
      out.emplace_back(label, metric);
    }
    return out;
  }

  int positive_int_or_zero(const YAML::Node& node, int line, const std::string& name) const {
    const int at = line_of(node, line);
    const std::string text = node.IsScalar() ? node.Scalar() : "";
    int value = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 10) {
      fail(at, fmt::format("{}: '{}' is not an integer from 0 to 10", name, text), "an integer from 0 to 10");
    }
    return value;
  }

  void read_where(const YAML::Node& node, int line, const SweepSpec& spec, const std::string& name,
                  FigureSpec& figure) const {
    if (!node.IsMap()) {
      fail(line_of(node, line), name + ": where: not a map", "a map from grid keys to one of their values");
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = grid_key(it->first, line, spec, name + ": where");
      const SweepAxis& axis = *spec.axis(key);
      const int value_line = line_of(it->second, line);
      if (!it->second.IsDefined() || it->second.IsNull()) {
        fail(value_line, fmt::format("{}: where: {} has no value", name, key), "one of " + join(axis.values));
      }
      const std::string text = flow_text(it->second);
      const auto match = find_value(axis, text);
      if (match == axis.values.end()) {
        fail(value_line, fmt::format("{}: where: {}: '{}' is not a value of the grid", name, key, text),
             "one of " + join(axis.values));
      }
      figure.where.emplace_back(key, *match);
    }
  }

  std::string source_;
};

}  // namespace

std::size_t SweepSpec::points() const {
  std::size_t n = 1;
  for (const auto& axis : grid) n *= axis.values.size();
  return n;
}

std::vector<std::string> SweepSpec::keys() const {
  std::vector<std::string> out;
  for (const auto& axis : grid) out.push_back(axis.key);
  return out;
}

std::vector<std::size_t> SweepSpec::point(std::size_t index) const {
  std::vector<std::size_t> digits(grid.size(), 0);
  for (std::size_t i = grid.size(); i > 0; --i) {
    const std::size_t n = grid[i - 1].values.size();
    digits[i - 1] = index % n;
    index /= n;
  }
  return digits;
}

std::vector<std::string> SweepSpec::point_values(std::size_t index) const {
  const auto digits = point(index);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < grid.size(); ++i) out.push_back(grid[i].values[digits[i]]);
  return out;
}

std::vector<std::string> SweepSpec::value_overrides(std::size_t a, std::size_t value) const {
  const SweepAxis& axis = grid.at(a);
  if (!axis.case_overrides.empty()) return axis.case_overrides.at(value);
  return {axis.key + "=" + axis.values.at(value)};
}

std::vector<std::string> SweepSpec::point_overrides(std::size_t index) const {
  const auto digits = point(index);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    for (auto& o : value_overrides(i, digits[i])) out.push_back(std::move(o));
  }
  return out;
}

const SweepAxis* SweepSpec::axis(const std::string& key) const {
  for (const auto& a : grid) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

SweepSpec load_sweep_spec(const std::string& path) {
  return parse_sweep_spec(read_input_file(path, "a readable YAML scenario"), path);
}

SweepSpec parse_sweep_spec(const std::string& yaml_text, const std::string& source_name) {
  return Parser(source_name).parse(yaml_text);
}

void restrict_grid(SweepSpec& spec, const std::string& text) {
  const auto fail = [&](const std::string& what, const std::string& expected) {
    throw InputError(fmt::format("--grid {}: {} (expected {})", text, what, expected));
  };
  const auto equals = text.find('=');
  if (equals == std::string::npos) fail("no '='", "KEY=[VALUE, ...], e.g. environment.nodes=[100, 500]");
  const std::string key = trim(std::string_view(text).substr(0, equals));
  const auto it = std::find_if(spec.grid.begin(), spec.grid.end(), [&](const SweepAxis& a) { return a.key == key; });
  if (it == spec.grid.end()) {
    fail(fmt::format("'{}' is not a grid key", key),
         spec.grid.empty() ? "a key of sweep.grid, which is empty" : "one of " + join(spec.keys()));
  }
  SweepAxis& axis = *it;
  YAML::Node list;
  try {
    list = YAML::Load(text.substr(equals + 1));
  } catch (const YAML::Exception& e) {
    fail(fmt::format("invalid YAML ({})", e.msg), "a flow list such as [100, 500]");
  }
  std::vector<YAML::Node> items;
  if (list.IsSequence()) {
    for (const auto& item : list) items.push_back(item);
  } else {
    items.push_back(list);
  }
  std::vector<std::size_t> kept;  // indices into axis.values
  for (const auto& item : items) {
    const std::string value = item.IsDefined() && !item.IsNull() ? flow_text(item) : "";
    const auto match = find_value(axis, value);
    if (match == axis.values.end()) {
      fail(fmt::format("'{}' is not a value of {} ({}:{})", value, key, spec.source_file, axis.line),
           "some of " + join(axis.values));
    }
    const auto index = static_cast<std::size_t>(match - axis.values.begin());
    if (std::find(kept.begin(), kept.end(), index) != kept.end()) fail(fmt::format("'{}' twice", value), "each once");
    kept.push_back(index);
  }
  if (kept.empty()) fail("no value", "a non-empty list of values of " + key);
  std::sort(kept.begin(), kept.end());
  for (const auto& figure : spec.figures) {
    for (const auto& [where_key, where_value] : figure.where) {
      if (where_key != key) continue;
      const auto index = static_cast<std::size_t>(std::find(axis.values.begin(), axis.values.end(), where_value) -
                                                  axis.values.begin());
      if (std::find(kept.begin(), kept.end(), index) == kept.end()) {
        fail(fmt::format("figure {} ({}) shows only {}={}, which this leaves out", figure.file, figure.source, key,
                         where_value),
             "a list that keeps " + where_value);
      }
    }
  }
  SweepAxis restricted = axis;
  restricted.values.clear();
  restricted.value_lines.clear();
  restricted.case_overrides.clear();
  for (const auto index : kept) {
    restricted.values.push_back(axis.values[index]);
    restricted.value_lines.push_back(axis.value_lines[index]);
    if (!axis.case_overrides.empty()) restricted.case_overrides.push_back(axis.case_overrides[index]);
  }
  axis = std::move(restricted);
}

void check_figure_metrics(const SweepSpec& spec, const std::vector<std::string>& metrics) {
  for (const auto& figure : spec.figures) {
    if (figure.kind == FigureKind::kTimeline) continue;  // a column of timeline.csv, checked when drawn
    const char* role = figure.kind == FigureKind::kHeatmap ? "value" : figure.kind == FigureKind::kBars ? "stack" : "y";
    for (const std::string& metric : figure.metrics()) {
      if (std::find(metrics.begin(), metrics.end(), metric) != metrics.end()) continue;
      throw InputError(
          fmt::format("{}: figure {}: {}: '{}' is not a numeric metric of the runs' summary.json "
                      "(expected one of: {})",
                      figure.source, figure.file, role, metric, join(metrics)));
    }
  }
}

}  // namespace vfo
