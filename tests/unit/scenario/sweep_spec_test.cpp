#include "vfo/scenario/sweep_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vfo {
namespace {

using report::FigureKind;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The message of the InputError that parsing `yaml` throws, or "" if it parses.
std::string error_of(const std::string& yaml) {
  try {
    parse_sweep_spec(yaml, "s.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* const kGrid = R"(name: grid
seed: 5
sweep:
  replications: 3
  grid:
    environment.nodes: [100, 500]
    environment.p_leave: [0.0, 0.1, 0.2]
    control.live_migration: [true, false]
)";

TEST(SweepSpec, ReadsReplicationsAndGridInFileOrder) {
  const SweepSpec spec = parse_sweep_spec(kGrid, "s.yaml");
  EXPECT_EQ(spec.source_file, "s.yaml");
  EXPECT_EQ(spec.line, 3);
  EXPECT_EQ(spec.replications, 3);
  ASSERT_EQ(spec.grid.size(), 3u);
  EXPECT_EQ(spec.keys(),
            (std::vector<std::string>{"environment.nodes", "environment.p_leave", "control.live_migration"}));
  EXPECT_EQ(spec.grid[0].values, (std::vector<std::string>{"100", "500"}));
  EXPECT_EQ(spec.grid[1].values, (std::vector<std::string>{"0.0", "0.1", "0.2"}));  // the file's text
  EXPECT_EQ(spec.grid[2].values, (std::vector<std::string>{"true", "false"}));
  EXPECT_EQ(spec.grid[1].line, 7);
  EXPECT_EQ(spec.grid[1].value_lines, (std::vector<int>{7, 7, 7}));
  EXPECT_TRUE(spec.figures.empty());
}

TEST(SweepSpec, ValuesAreFlowYamlAndBooleansCanonical) {
  const SweepSpec spec = parse_sweep_spec(R"(sweep:
  grid:
    chains.functions:
      - {mean: 8, stddev: 4}
      - {mean: 16, stddev: 2}
    control.live_migration: [yes, Off]
    demand.mode: [low, "high"]
)",
                                          "s.yaml");
  ASSERT_EQ(spec.grid.size(), 3u);
  EXPECT_EQ(spec.grid[0].values, (std::vector<std::string>{"{mean: 8, stddev: 4}", "{mean: 16, stddev: 2}"}));
  EXPECT_EQ(spec.grid[0].value_lines, (std::vector<int>{4, 5}));
  EXPECT_EQ(spec.grid[1].values, (std::vector<std::string>{"true", "false"}));
  EXPECT_EQ(spec.grid[2].values, (std::vector<std::string>{"low", "high"}));
  EXPECT_EQ(spec.point_overrides(0)[0], "chains.functions={mean: 8, stddev: 4}");
}

TEST(SweepSpec, FileWithoutSweepIsOnePoint) {
  const SweepSpec spec = parse_sweep_spec("name: x\nseed: 3\n", "s.yaml");
  EXPECT_EQ(spec.line, 0);
  EXPECT_EQ(spec.replications, 1);
  EXPECT_EQ(spec.points(), 1u);
  EXPECT_TRUE(spec.point_overrides(0).empty());
  EXPECT_TRUE(spec.point(0).empty());
}

TEST(SweepGrid, CartesianProductLastKeyFastest) {
  const SweepSpec spec = parse_sweep_spec(kGrid, "s.yaml");
  ASSERT_EQ(spec.points(), 12u);  // 2 x 3 x 2
  EXPECT_EQ(spec.point(0), (std::vector<std::size_t>{0, 0, 0}));
  EXPECT_EQ(spec.point(1), (std::vector<std::size_t>{0, 0, 1}));
  EXPECT_EQ(spec.point(2), (std::vector<std::size_t>{0, 1, 0}));
  EXPECT_EQ(spec.point(5), (std::vector<std::size_t>{0, 2, 1}));
  EXPECT_EQ(spec.point(6), (std::vector<std::size_t>{1, 0, 0}));
  EXPECT_EQ(spec.point(11), (std::vector<std::size_t>{1, 2, 1}));
  EXPECT_EQ(spec.point_values(7), (std::vector<std::string>{"500", "0.0", "false"}));
  EXPECT_EQ(spec.point_overrides(3), (std::vector<std::string>{"environment.nodes=100", "environment.p_leave=0.1",
                                                               "control.live_migration=false"}));
  // Every point once.
  std::set<std::vector<std::size_t>> seen;
  for (std::size_t p = 0; p < spec.points(); ++p) seen.insert(spec.point(p));
  EXPECT_EQ(seen.size(), 12u);
}

const char* const kFigures = R"yaml(sweep:
  grid:
    environment.nodes: [100, 500]
    environment.p_leave: [0.0, 0.1]
    environment.p_overload: [0.0, 0.1]
    control.live_migration: [true, false]
  figures:
    - {kind: heatmap, file: fig6_downtime, x: environment.p_leave, y: environment.p_overload, value: downtime_pct,
       panels: [environment.nodes, control.live_migration], title: "Downtime (%)", digits: 1}
    - kind: lines
      file: fig7a_downtime
      x: environment.nodes
      y: downtime_pct
      series: control.live_migration
      where: {environment.p_leave: 0.10, environment.p_overload: 0.1}
      ylabel: downtime (%)
)yaml";

TEST(SweepSpec, ReadsFigures) {
  const SweepSpec spec = parse_sweep_spec(kFigures, "s.yaml");
  ASSERT_EQ(spec.figures.size(), 2u);
  const auto& heat = spec.figures[0];
  EXPECT_EQ(heat.kind, FigureKind::kHeatmap);
  EXPECT_EQ(heat.file, "fig6_downtime");
  EXPECT_EQ(heat.x, "environment.p_leave");
  EXPECT_EQ(heat.y, "environment.p_overload");
  EXPECT_EQ(heat.value, "downtime_pct");
  EXPECT_EQ(heat.metric(), "downtime_pct");
  EXPECT_EQ(heat.panels, (std::vector<std::string>{"environment.nodes", "control.live_migration"}));
  EXPECT_EQ(heat.title, "Downtime (%)");
  EXPECT_EQ(heat.digits, 1);
  EXPECT_EQ(heat.source, "s.yaml:8");
  const auto& lines = spec.figures[1];
  EXPECT_EQ(lines.kind, FigureKind::kLines);
  EXPECT_EQ(lines.y, "downtime_pct");
  EXPECT_EQ(lines.metric(), "downtime_pct");
  EXPECT_EQ(lines.series, (std::vector<std::string>{"control.live_migration"}));
  // where values are the grid's own text: 0.10 in the figure is the grid's 0.1.
  EXPECT_EQ(lines.where, (std::vector<std::pair<std::string, std::string>>{{"environment.p_leave", "0.1"},
                                                                           {"environment.p_overload", "0.1"}}));
  EXPECT_EQ(lines.ylabel, "downtime (%)");
  EXPECT_EQ(lines.source, "s.yaml:10");
}

TEST(SweepSpec, ErrorsNameFileAndLine) {
  EXPECT_THAT(error_of("sweep:\n  replication: 3\n"), AllOf(StartsWith("s.yaml:2: sweep.replication: unknown key"),
                                                            HasSubstr("replications, cases, grid or figures")));
  EXPECT_THAT(error_of("sweep:\n  replications: 0\n"), StartsWith("s.yaml:2: sweep.replications: '0'"));
  EXPECT_THAT(error_of("sweep:\n  replications: two\n"), StartsWith("s.yaml:2: sweep.replications: 'two'"));
  EXPECT_THAT(error_of("sweep: [1, 2]\n"), StartsWith("s.yaml:1: sweep: not a map"));
  EXPECT_THAT(error_of("sweep:\n  grid:\n    environment.nodes: []\n"),
              StartsWith("s.yaml:3: sweep.grid.environment.nodes: empty list (expected"));
  EXPECT_THAT(error_of("sweep:\n  grid:\n    environment.nodes: 100\n"),
              StartsWith("s.yaml:3: sweep.grid.environment.nodes: not a list"));
  EXPECT_THAT(error_of("sweep:\n  grid:\n    environment.nodes:\n      - 100\n      - 100\n"),
              StartsWith("s.yaml:5: sweep.grid.environment.nodes: '100' is listed twice"));
  EXPECT_THAT(error_of("sweep:\n  grid: [1]\n"), StartsWith("s.yaml:2: sweep.grid: not a map"));
  EXPECT_THAT(error_of("sweep:\n  grid:\n    sweep.replications: [1, 2]\n"),
              StartsWith("s.yaml:3: sweep.grid.sweep.replications: the sweep cannot vary itself"));
  EXPECT_THAT(error_of("sweep:\n  grid:\n    seed: [1]\n  figures: {kind: lines}\n"),
              StartsWith("s.yaml:4: sweep.figures: not a list"));
  // A grid key is a scenario key, checked before any figure names it.
  EXPECT_THAT(error_of("sweep:\n  grid:\n    environment.nodez: [100]\n  figures:\n    - {kind: lines, file: f, "
                       "x: environment.nodes, y: downtime_pct}\n"),
              StartsWith("s.yaml:3: sweep.grid.environment.nodez: unknown key, did you mean nodes?"));
  EXPECT_THAT(
      error_of("sweep:\n  grid:\n    environment.nodes.mean: [1]\n"),
      StartsWith("s.yaml:3: sweep.grid.environment.nodes.mean: unknown key, environment.nodes has no sub-keys"));
  EXPECT_EQ(error_of("sweep:\n  grid:\n    environment.link_mbps.mean: [50, 98]\n"), "");  // a distribution's field
  EXPECT_THAT(error_of("name: [unclosed\n"), StartsWith("s.yaml:"));
}

// A sweep with two grid keys and one figure given by `figure` (a flow map), on line 5.
std::string with_figure(const std::string& figure) {
  return "sweep:\n  grid:\n    environment.nodes: [100, 500]\n  figures:\n    - " + figure + "\n";
}

TEST(SweepSpec, ABarsFigureStacksNamedMetricsInOrder) {
  const SweepSpec spec = parse_sweep_spec(
      with_figure("{kind: bars, file: b, x: environment.nodes, stack: {copy: copy_s, down: downtime_s}}"), "s.yaml");
  ASSERT_EQ(spec.figures.size(), 1U);
  const report::FigureSpec& bars = spec.figures[0];
  EXPECT_EQ(bars.kind, FigureKind::kBars);
  EXPECT_EQ(bars.stack, (std::vector<std::pair<std::string, std::string>>{{"copy", "copy_s"}, {"down", "downtime_s"}}));
  EXPECT_EQ(bars.metrics(), (std::vector<std::string>{"copy_s", "downtime_s"}));
  EXPECT_THAT(error_of(with_figure("{kind: bars, file: b, x: environment.nodes}")),
              StartsWith("s.yaml:5: figure b: no `stack`"));
  EXPECT_THAT(error_of(with_figure("{kind: bars, file: b, x: environment.nodes, stack: [a, b]}")),
              StartsWith("s.yaml:5: figure b: stack is not a map of metrics"));
  EXPECT_THAT(error_of(with_figure("{kind: bars, file: b, x: environment.nodes, y: d, stack: {a: d}}")),
              StartsWith("s.yaml:5: figure b: `y` is not a key of a bars figure"));
  EXPECT_THAT(error_of(with_figure("{kind: lines, file: b, x: environment.nodes, y: d, stack: {a: d}}")),
              StartsWith("s.yaml:5: figure b: `stack` is not a key of a lines figure"));
  EXPECT_THAT(error_of(with_figure("{kind: bars, file: b, x: environment.nodes, stack: {a: d, a: e}}")),
              StartsWith("s.yaml:5: figure b: stack: label 'a' given twice"));
  std::string checked;
  try {
    check_figure_metrics(spec, {"copy_s"});
  } catch (const InputError& e) {
    checked = e.what();
  }
  EXPECT_THAT(checked, HasSubstr("figure b: stack: 'downtime_s' is not a numeric metric"));
}

TEST(SweepSpec, FigureErrorsNameFileAndLine) {
  EXPECT_THAT(error_of(with_figure("{kind: lines, file: f, x: environment.p_leave, y: downtime_pct}")),
              AllOf(StartsWith("s.yaml:5: figure f: x: 'environment.p_leave' is not a grid key"),
                    HasSubstr("(expected one of environment.nodes)")));
  EXPECT_THAT(error_of(with_figure("{kind: pie, file: f, x: environment.nodes, y: downtime_pct}")),
              StartsWith("s.yaml:5: figure f: kind 'pie' is unknown (expected heatmap, lines, bars or timeline)"));
  EXPECT_THAT(error_of(with_figure("{kind: lines, file: f, x: environment.nodes, y: d, colour: red}")),
              StartsWith("s.yaml:5: sweep.figures: unknown key 'colour'"));
  EXPECT_THAT(error_of(with_figure("{kind: lines, x: environment.nodes, y: d}")),
              StartsWith("s.yaml:5: sweep.figures: a figure without `file`"));
  EXPECT_THAT(error_of(with_figure("{kind: lines, file: ../f, x: environment.nodes, y: d}")),
              StartsWith("s.yaml:5: file: '../f' is not a plain file name"));
  EXPECT_THAT(error_of(with_figure("{kind: heatmap, file: f, x: environment.nodes, y: environment.nodes, value: d}")),
              StartsWith("s.yaml:5: figure f: environment.nodes is named in both x and y"));
  EXPECT_THAT(error_of(with_figure("{kind: heatmap, file: f, x: environment.nodes, y: environment.nodes}")),
              StartsWith("s.yaml:5: figure f: no `value`"));
  EXPECT_THAT(error_of(with_figure("{kind: lines, file: f, x: environment.nodes, y: d, value: d}")),
              StartsWith("s.yaml:5: figure f: `value` is not a key of a lines figure"));
  EXPECT_THAT(error_of(with_figure("{kind: lines, file: f, x: environment.nodes, y: d, digits: 2}")),
              StartsWith("s.yaml:5: figure f: `digits` is not a key of a lines figure"));
  EXPECT_THAT(error_of(with_figure("{kind: lines, file: f, x: environment.nodes, y: d, logx: maybe}")),
              StartsWith("s.yaml:5: figure f: logx: 'maybe' is not true or false (expected logx: true or false)"));
  EXPECT_THAT(error_of(with_figure("{kind: heatmap, file: f, x: environment.nodes, y: environment.nodes, value: d, "
                                   "logx: true}")),
              StartsWith("s.yaml:5: figure f: `logx` is not a key of a heatmap figure"));
  EXPECT_THAT(error_of("sweep:\n  grid:\n    control.k: [0, 0.5]\n  figures:\n"
                       "    - {kind: lines, file: f, x: control.k, y: d, logx: true}\n"),
              StartsWith("s.yaml:5: figure f: logx needs every value of control.k to be a number > 0, not '0'"));
  EXPECT_EQ(error_of("sweep:\n  grid:\n    control.k: [0.01, 0.5]\n  figures:\n"
                     "    - {kind: lines, file: f, x: control.k, y: d, logx: true}\n"),
            "");
  EXPECT_THAT(
      error_of(with_figure("{kind: lines, file: f, x: environment.nodes, y: d, where: {environment.nodes: 100}}")),
      StartsWith("s.yaml:5: figure f: environment.nodes is named in both x and where"));
  // The figure's own entry lines, for figures written as block maps.
  EXPECT_THAT(error_of("sweep:\n  grid:\n    environment.nodes: [100, 500]\n  figures:\n    - kind: lines\n"
                       "      file: f\n      x: environment.nodes\n      y: d\n      series: [control.k]\n"),
              StartsWith("s.yaml:9: figure f: series: 'control.k' is not a grid key"));
  EXPECT_THAT(error_of("sweep:\n  grid:\n    environment.nodes: [100, 500]\n  figures:\n"
                       "    - {kind: lines, file: f, x: environment.nodes, y: d}\n"
                       "    - {kind: lines, file: f, x: environment.nodes, y: e}\n"),
              StartsWith("s.yaml:6: sweep.figures: file 'f' is used twice"));
}

TEST(SweepSpec, FigureMustSayWhichValueOfEveryVaryingKey) {
  const std::string grid =
      "sweep:\n  grid:\n    environment.nodes: [100, 500]\n    environment.p_leave: [0.0, 0.1]\n"
      "    demand.mode: [normal]\n  figures:\n";
  // p_leave varies and is not named: an error; demand.mode has one value: fine unnamed.
  EXPECT_THAT(error_of(grid + "    - {kind: lines, file: f, x: environment.nodes, y: d}\n"),
              AllOf(StartsWith("s.yaml:7: figure f: grid key environment.p_leave has 2 values but the figure does "
                               "not say which to show"),
                    HasSubstr("where: {environment.p_leave: ...}")));
  EXPECT_EQ(error_of(grid + "    - {kind: lines, file: f, x: environment.nodes, y: d, series: environment.p_leave}\n"),
            "");
  EXPECT_THAT(
      error_of(grid + "    - {kind: lines, file: f, x: environment.nodes, y: d, where: {environment.p_leave: 0.5}}\n"),
      AllOf(StartsWith("s.yaml:7: figure f: where: environment.p_leave: '0.5' is not a value of the grid"),
            HasSubstr("(expected one of 0.0, 0.1)")));
  EXPECT_EQ(
      error_of(grid + "    - {kind: lines, file: f, x: environment.nodes, y: d, where: {environment.p_leave: 0}}\n"),
      "");
}

TEST(SweepSpec, FigureMetricsAreCheckedAgainstASummary) {
  const SweepSpec spec = parse_sweep_spec(kFigures, "s.yaml");
  EXPECT_NO_THROW(check_figure_metrics(spec, {"nodes", "downtime_pct", "migrations_cold"}));
  try {
    check_figure_metrics(spec, {"nodes", "downtime"});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "s.yaml:8: figure fig6_downtime: value: 'downtime_pct' is not a numeric metric of the runs' "
                 "summary.json (expected one of: nodes, downtime)");
  }
}

}  // namespace
}  // namespace vfo

namespace vfo {
namespace {

const char* const kCases = R"(name: cases
sweep:
  cases:
    cold: {control.live_migration: false}
    live: {control.live_migration: true, control.k: 0.2}
  grid:
    environment.p_leave: [0.1, 0.2]
  figures:
    - {kind: lines, file: by_case, x: environment.p_leave, y: downtime_pct, series: [case]}
    - {kind: timeline, file: over_time, y: replicas, series: case, where: {environment.p_leave: 0.1}}
)";

TEST(SweepCases, AreTheFirstAxisAndStandForTheirOverrides) {
  const SweepSpec spec = parse_sweep_spec(kCases, "s.yaml");
  EXPECT_EQ(spec.keys(), (std::vector<std::string>{"case", "environment.p_leave"}));
  EXPECT_EQ(spec.grid[0].values, (std::vector<std::string>{"cold", "live"}));
  EXPECT_EQ(spec.grid[0].value_lines, (std::vector<int>{4, 5}));
  EXPECT_EQ(spec.points(), 4u);
  EXPECT_EQ(spec.point_values(3), (std::vector<std::string>{"live", "0.2"}));
  EXPECT_EQ(spec.point_overrides(3),
            (std::vector<std::string>{"control.live_migration=true", "control.k=0.2", "environment.p_leave=0.2"}));
  EXPECT_EQ(spec.value_overrides(0, 0), (std::vector<std::string>{"control.live_migration=false"}));
  ASSERT_EQ(spec.figures.size(), 2u);
  EXPECT_EQ(spec.figures[0].series, (std::vector<std::string>{"case"}));
  EXPECT_EQ(spec.figures[1].kind, FigureKind::kTimeline);
  EXPECT_TRUE(spec.figures[1].x.empty());
  EXPECT_EQ(spec.figures[1].y, "replicas");
  check_figure_metrics(spec, {"downtime_pct"});  // a timeline's y is a column of timeline.csv, not a metric
}

TEST(SweepCases, BadCasesAndTimelinesAreRefusedAtTheirLine) {
  EXPECT_THAT(error_of("sweep:\n  cases: [a, b]\n"), StartsWith("s.yaml:2: sweep.cases: not a non-empty map"));
  EXPECT_THAT(error_of("sweep:\n  cases:\n    a: 3\n"), StartsWith("s.yaml:3: sweep.cases.a: not a non-empty map"));
  EXPECT_THAT(error_of("sweep:\n  cases:\n    a b: {control.k: 1}\n"),
              StartsWith("s.yaml:3: sweep.cases: 'a b' is not a plain case name"));
  EXPECT_THAT(error_of("sweep:\n  grid:\n    control.k: [0.1, 0.2]\n  cases:\n    a: {control.k: 1}\n"),
              StartsWith("s.yaml:5: sweep.cases.a: control.k is also varied by sweep.grid (line 3)"));
  EXPECT_THAT(error_of("sweep:\n  cases:\n    a: {control.k: 1}\n  figures:\n    - {kind: timeline, file: t, x: case, "
                       "y: replicas}\n"),
              HasSubstr("figure t: `x` is not a key of a timeline figure"));
  EXPECT_THAT(error_of("sweep:\n  cases:\n    a: {control.k: 1}\n    b: {control.k: 2}\n  figures:\n    - {kind: "
                       "timeline, file: t, y: replicas}\n"),
              HasSubstr("grid key case has 2 values but the figure does not say which to show (expected it in "
                        "series, or one value in where"));
}

// The message of the InputError that restrict_grid throws, or "" if it keeps the values.
std::string restrict_error(SweepSpec spec, const std::string& text) {
  try {
    restrict_grid(spec, text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepGrid, RestrictKeepsSomeValuesInFileOrder) {
  SweepSpec spec = parse_sweep_spec(kGrid, "s.yaml");
  restrict_grid(spec, "environment.p_leave=[0.2, 0.0]");  // given out of order; 0.0 as written
  EXPECT_EQ(spec.grid[1].values, (std::vector<std::string>{"0.0", "0.2"}));
  EXPECT_EQ(spec.grid[1].value_lines, (std::vector<int>{7, 7}));
  restrict_grid(spec, "control.live_migration=false");  // a single value
  EXPECT_EQ(spec.grid[2].values, (std::vector<std::string>{"false"}));
  EXPECT_EQ(spec.points(), 4u);
  EXPECT_EQ(spec.point_values(3), (std::vector<std::string>{"500", "0.2", "false"}));
  restrict_grid(spec, "environment.p_leave=[0.20]");  // the same number
  EXPECT_EQ(spec.grid[1].values, (std::vector<std::string>{"0.2"}));
  // Cases keep their overrides.
  SweepSpec cases = parse_sweep_spec(kCases, "s.yaml");
  restrict_grid(cases, "case=[live]");
  EXPECT_EQ(cases.grid[0].values, (std::vector<std::string>{"live"}));
  EXPECT_EQ(cases.value_overrides(0, 0), (std::vector<std::string>{"control.live_migration=true", "control.k=0.2"}));
}

TEST(SweepGrid, RestrictRefusesWhatIsNotInTheGrid) {
  const SweepSpec spec = parse_sweep_spec(kGrid, "s.yaml");
  EXPECT_EQ(restrict_error(spec, "environment.nodes=[100, 300]"),
            "--grid environment.nodes=[100, 300]: '300' is not a value of environment.nodes (s.yaml:6) (expected "
            "some of 100, 500)");
  EXPECT_THAT(restrict_error(spec, "nodes=[100]"),
              StartsWith("--grid nodes=[100]: 'nodes' is not a grid key (expected one of environment.nodes, "));
  EXPECT_THAT(restrict_error(spec, "environment.nodes"), StartsWith("--grid environment.nodes: no '='"));
  EXPECT_THAT(restrict_error(spec, "environment.nodes=[]"), StartsWith("--grid environment.nodes=[]: no value"));
  EXPECT_THAT(restrict_error(spec, "environment.nodes=[100, 100]"), HasSubstr("'100' twice"));
  EXPECT_THAT(restrict_error(spec, "environment.nodes=[100"), HasSubstr("invalid YAML"));
  // A figure that shows one value keeps it.
  const SweepSpec cases = parse_sweep_spec(kCases, "s.yaml");
  EXPECT_THAT(restrict_error(cases, "environment.p_leave=[0.2]"),
              HasSubstr("figure over_time (s.yaml:10) shows only environment.p_leave=0.1, which this leaves out"));
  EXPECT_EQ(restrict_error(cases, "environment.p_leave=[0.1]"), "");
}

}  // namespace
}  // namespace vfo
