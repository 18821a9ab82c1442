#pragma once
// The `sweep:` section of a scenario YAML: which scenario keys to vary, how many replications of each grid
// point to run, and which figures to draw from the results. The scenario loader ignores this section; `vfo
// sweep` reads it with load_sweep_spec. Schema (every key optional; a file without `sweep:` is one grid point):
//
//   sweep:
//     replications: 3                      # runs per grid point, integer >= 1 (default 1)
//     grid:                                # ordered: dotted scenario key -> non-empty list of distinct values
//       environment.nodes: [100, 500]      # values are YAML scalars, flow maps or lists
//       control.live_migration: [true, false]
//     cases:                               # optional named variants, each a map of overrides; they form the
//       vfo-cold: {control.live_migration: false}      # first axis, key "case" (a figure names it like any
//       reset: {control.recovery: reset}               # grid key); a case may not set a key the grid varies
//     figures:                             # see vfo/report/figure_spec.hpp
//       - {kind: heatmap, file: fig6_downtime, x: environment.p_leave, y: environment.p_overload,
//          value: downtime_pct, panels: [environment.nodes, control.live_migration], title: "Downtime (%)",
//          digits: 2, xlabel: ..., ylabel: ..., where: {demand.mode: normal}}
//       - {kind: lines, file: fig7a_downtime, x: environment.nodes, y: downtime_pct,
//          series: [demand.mode, control.live_migration], where: {environment.p_leave: 0.1}}
//       - {kind: lines, file: fig8a, x: control.k, y: downtime_pct, logx: true}  # a log x axis (values > 0)
//       - {kind: timeline, file: fig10a, y: replicas, series: [case]}  # a column of each point's first
//                                                                       # replication's timeline.csv over time
//
// A figure names grid keys in x (and y for a heatmap), panels, series (lines only) and where; each grid key
// with more than one value must appear in exactly one of these, so that every cell or point of the figure is
// one grid point. `where` values must be values of the grid. The metric (heatmap `value`, lines `y`) is checked
// against the first run's summary (check_figure_metrics). Every error is a vfo::InputError "FILE:LINE: what
// (expected ...)".
#include <cstddef>
#include <string>
#include <vector>

#include "vfo/report/figure_spec.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo {

struct SweepAxis {
  std::string key;                  // dotted scenario key, e.g. "environment.nodes"; "case" for sweep.cases
  std::vector<std::string> values;  // each value as flow-style YAML text; booleans as "true"/"false"
  std::vector<int> value_lines;     // 1-based line of each value
  int line = 0;                     // 1-based line of the key
  // The axis of sweep.cases (key "case", values the case names): per value, the overrides it stands for
  // ("KEY=VALUE"). Empty for a grid key.
  std::vector<std::vector<std::string>> case_overrides;
};

struct SweepSpec {
  std::string source_file;
  int line = 0;  // of `sweep:`; 0 when the file has none
  int replications = 1;
  std::vector<SweepAxis> grid;              // in file order
  std::vector<report::FigureSpec> figures;  // each with source "FILE:LINE"

  // Number of grid points: the product of the axes' value counts (1 for an empty grid).
  std::size_t points() const;

  // The grid keys, in file order.
  std::vector<std::string> keys() const;

  // Grid point `index` (0 <= index < points()) as one value index per axis: the cartesian product in file
  // order, the last key varying fastest.
  std::vector<std::size_t> point(std::size_t index) const;

  // The values of grid point `index`, one per axis (YAML text).
  std::vector<std::string> point_values(std::size_t index) const;

  // The overrides that value `value` of axis `a` stands for: "key=VALUE", or a case's overrides.
  std::vector<std::string> value_overrides(std::size_t a, std::size_t value) const;

  // The overrides of grid point `index`, axis after axis, as passed to load_scenario or `vfo sim --set`.
  std::vector<std::string> point_overrides(std::size_t index) const;

  // The axis named `key`, or nullptr.
  const SweepAxis* axis(const std::string& key) const;
};

// Reads the sweep section of the scenario file at `path`.
SweepSpec load_sweep_spec(const std::string& path);

// The same from text already in memory; `source_name` stands for the file in messages.
SweepSpec parse_sweep_spec(const std::string& yaml_text, const std::string& source_name);

// Restricts one axis to some of its values, as `vfo sweep --grid KEY=[V, ...]` does: `text` is "KEY=LIST", LIST
// a YAML flow list (or a single value) of values of the axis KEY (the grid's text, or the same number: 0.10 is
// 0.1; a case's name for the axis "case"). The kept values stay in the file's order. Throws an InputError
// "--grid TEXT: what (expected ...)" when KEY is not an axis, a value is not one of its values or is given
// twice, the list is empty, or a figure's `where` shows a value that is left out.
void restrict_grid(SweepSpec& spec, const std::string& text);

// Checks that every figure's metric is one of `metrics` (the numeric metrics of a run's summary); throws an
// InputError at the figure's line otherwise.
void check_figure_metrics(const SweepSpec& spec, const std::vector<std::string>& metrics);

}  // namespace vfo
