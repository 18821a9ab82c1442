#include "vfo/report/figure_script.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "vfo/report/gnuplot.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An aggregate table over nodes x live_migration x p_leave x p_overload x demand.mode (2 x 2 x 2 x 2 x 1);
// downtime = nodes/100 + 10 p_leave + 20 p_overload - (live ? 1 : 0), sd 0.25, 95 % CI +-0.5 (3 runs), except
// at nodes 100 without live migration and p_leave = p_overload = 0: one run, no CI.
CsvTable aggregate() {
  CsvTable t({"environment.nodes", "control.live_migration", "environment.p_leave", "environment.p_overload",
              "demand.mode", "runs", "downtime_pct", "downtime_pct_sd", "downtime_pct_n", "downtime_pct_ci95"});
  for (const char* nodes : {"500", "100"}) {
    for (const char* live : {"true", "false"}) {
      for (const char* leave : {"0.0", "0.1"}) {
        for (const char* overload : {"0.0", "0.1"}) {
          const double d = std::stod(nodes) / 100 + 10 * std::stod(leave) + 20 * std::stod(overload) -
                           (std::string(live) == "true" ? 1 : 0);
          const bool one = std::string(nodes) == "100" && std::string(live) == "false" && std::string(leave) == "0.0" &&
                           std::string(overload) == "0.0";
          t.add_row({nodes, live, leave, overload, "normal", one ? "1" : "3", format_number(d), one ? "0" : "0.25",
                     one ? "1" : "3", one ? "" : "0.5"});
        }
      }
    }
  }
  return t;
}

FigureSpec heatmap_spec() {
  FigureSpec spec;
  spec.kind = FigureKind::kHeatmap;
  spec.file = "fig6";
  spec.title = "Downtime (%)";
  spec.x = "environment.p_leave";
  spec.y = "environment.p_overload";
  spec.value = "downtime_pct";
  spec.panels = {"environment.nodes", "control.live_migration"};
  return spec;
}

FigureSpec lines_spec() {
  FigureSpec spec;
  spec.kind = FigureKind::kLines;
  spec.file = "fig7a";
  spec.x = "environment.nodes";
  spec.y = "downtime_pct";
  spec.series = {"control.live_migration"};
  spec.where = {{"environment.p_leave", "0.1"}, {"environment.p_overload", "0.1"}};
  return spec;
}

TEST(GnuplotScript, HeatmapHasOnePanelPerCombinationWithNumbersAndIntervalsInCells) {
  const FigureScript f = make_figure_script(aggregate(), heatmap_spec());
  // 2 x 2 panels (rows: nodes, columns: live migration), both outputs, one shared colour scale.
  EXPECT_THAT(f.script, HasSubstr("set terminal svg size 1120,880 dynamic noenhanced"));
  EXPECT_THAT(f.script, HasSubstr("set output 'fig6.svg'\n"));
  EXPECT_THAT(f.script, HasSubstr("set output 'fig6.png'\n"));
  EXPECT_THAT(f.script, HasSubstr("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n  set terminal pngcairo"));
  EXPECT_EQ(count(f.script, "set multiplot layout 2,2 title 'Downtime (%)'"), 2u);
  EXPECT_EQ(count(f.script, "unset multiplot"), 2u);
  EXPECT_THAT(f.script, HasSubstr("set cbrange [0:8]\n"));  // 100 nodes, live, 0, 0 -> 0; 500, off, .1, .1 -> 8
  EXPECT_THAT(f.script, HasSubstr("set xtics ('0.0' 0, '0.1' 1) scale 0\n"));
  EXPECT_THAT(f.script, HasSubstr("set xlabel 'p_leave'\nset ylabel 'p_overload'\n"));
  // Panels in grid order: nodes 500 first (the table's order), live on before off.
  const auto first = f.script.find("set title 'nodes=500, live_migration=on'");
  const auto second = f.script.find("set title 'nodes=500, live_migration=off'");
  const auto fourth = f.script.find("set title 'nodes=100, live_migration=off'");
  ASSERT_NE(first, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, fourth);
  EXPECT_EQ(count(f.script, "plot 'fig6.dat' index "), 8u);
  EXPECT_THAT(
      f.script,
      HasSubstr("plot 'fig6.dat' index 3 using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid 1.0 noborder "
                "fillcolor palette, \\\n     '' index 3 using 1:($2+0.15):4:6 with labels textcolor rgb variable, "
                "\\\n     '' index 3 using 1:($2-0.15):5:6 with labels font ',9' textcolor rgb variable\n"));
  // The data: panel (500, on) has cells (p_leave index, p_overload index, mean, printed mean, printed CI, text
  // colour).
  EXPECT_THAT(f.data, HasSubstr("# index 0: nodes=500, live_migration=on\n0 0 4 \"4.00\" \"±0.50\" 0x000000\n0 1 6 "
                                "\"6.00\" \"±0.50\" 0xffffff\n1 0 5 \"5.00\" \"±0.50\" 0xffffff\n1 1 7 \"7.00\" "
                                "\"±0.50\" 0xffffff\n"));
  // One run: no interval to print.
  EXPECT_THAT(f.data, HasSubstr("\n\n# index 3: nodes=100, live_migration=off\n0 0 1 \"1.00\" \"\" 0x000000\n"));
}

TEST(GnuplotScript, HeatmapDigitsAndSinglePanel) {
  FigureSpec spec = heatmap_spec();
  spec.panels = {};
  spec.where = {{"environment.nodes", "100"}, {"control.live_migration", "true"}};
  spec.digits = 0;
  spec.title = "";
  const FigureScript f = make_figure_script(aggregate(), spec);
  EXPECT_THAT(f.script, Not(HasSubstr("multiplot")));
  EXPECT_THAT(f.script, HasSubstr("set terminal svg size 560,420 "));
  EXPECT_THAT(f.script, HasSubstr("set title 'downtime_pct'\n"));  // no title: the metric
  EXPECT_THAT(f.data, HasSubstr("0 0 0 \"0\" \"±0\" 0x000000\n0 1 2 \"2\" \"±0\" 0xffffff\n1 0 1 \"1\" \"±0\" "
                                "0x000000\n1 1 3 \"3\" \"±0\" 0xffffff\n"));
}

TEST(GnuplotScript, LinesHaveOneSeriesPerCombinationWithConfidenceIntervalBars) {
  const FigureScript f = make_figure_script(aggregate(), lines_spec());
  EXPECT_THAT(f.script, Not(HasSubstr("multiplot")));
  EXPECT_THAT(f.script, HasSubstr("set xtics ('500' 500, '100' 100)\n"));  // a numeric axis
  EXPECT_THAT(f.script, HasSubstr("set yrange [0:*]\n"));
  EXPECT_THAT(f.script, HasSubstr("set xlabel 'nodes'\nset ylabel 'downtime_pct'\nset key below height 1\n"));
  EXPECT_THAT(f.script,
              HasSubstr("plot 'fig7a.dat' index 0 using 1:2:3:4 with yerrorlines linecolor rgb '#0072B2' linewidth 2 "
                        "pointtype 7 title 'live_migration=on', \\\n     '' index 1 using 1:2:3:4 with yerrorlines "
                        "linecolor rgb '#D55E00' linewidth 2 pointtype 7 title 'live_migration=off'\n"));
  // Points sorted by x; downtime = nodes/100 + 1 + 2 - live; the bars are the CI (0.5), not the sd (0.25).
  EXPECT_THAT(f.data, HasSubstr("# index 0: live_migration=on\n100 3 2.5 3.5 \"100\"\n500 7 6.5 7.5 \"500\"\n\n\n"
                                "# index 1: live_migration=off\n100 4 3.5 4.5 \"100\"\n500 8 7.5 8.5 \"500\"\n"));
  // A point of one run has no CI: no bar.
  FigureSpec spec = lines_spec();
  spec.where = {{"environment.p_leave", "0.0"}, {"environment.p_overload", "0.0"}};
  EXPECT_THAT(make_figure_script(aggregate(), spec).data,
              HasSubstr("# index 1: live_migration=off\n100 1 1 1 \"100\"\n500 5 4.5 5.5 \"500\"\n"));
}

TEST(GnuplotScript, LinesOnALogarithmicXAxis) {
  FigureSpec spec = lines_spec();
  EXPECT_THAT(make_figure_script(aggregate(), spec).script, Not(HasSubstr("logscale")));
  spec.logx = true;
  EXPECT_THAT(make_figure_script(aggregate(), spec).script, HasSubstr("set logscale x\n"));
}

TEST(GnuplotScript, LinesOverTextAndBooleansAreCategories) {
  FigureSpec spec = lines_spec();
  spec.x = "control.live_migration";
  spec.series = {};
  spec.panels = {"environment.nodes"};
  spec.ylabel = "downtime (%)";
  const FigureScript f = make_figure_script(aggregate(), spec);
  EXPECT_THAT(f.script, HasSubstr("set multiplot layout 1,2 title 'downtime_pct'"));
  EXPECT_THAT(f.script, HasSubstr("set xrange [-0.5:1.5]\nset xtics ('on' 0, 'off' 1) scale 0\n"));
  EXPECT_THAT(f.script, HasSubstr("set ylabel 'downtime (%)'\nunset key\n"));
  EXPECT_THAT(f.script, HasSubstr("set yrange [0:8.92"));  // shared by the panels: 0 to 8 + CI 0.5 + 5%
  EXPECT_THAT(f.script, HasSubstr("set title 'nodes=500'\nplot 'fig7a.dat' index 0 using 1:2:3:4 with yerrorlines "
                                  "linecolor rgb '#0072B2' linewidth 2 pointtype 7 title ''\n"));
  EXPECT_THAT(f.data, HasSubstr("# index 0: nodes=500; downtime_pct\n0 7 6.5 7.5 \"on\"\n1 8 7.5 8.5 \"off\"\n"));
}

// A table over protocol (3) x latency (1): two phases per row, in bytes or seconds as the columns say.
CsvTable phases(double scale, double ci) {
  CsvTable t({"migration.protocol", "environment.link_latency_ms", "runs", "copy_bytes", "copy_bytes_ci95",
              "downtime_bytes", "downtime_bytes_ci95"});
  t.add_row({"pre-copy", "5", "3", format_number(3.25 * scale), format_number(ci * scale), format_number(0.25 * scale),
             format_number(ci * scale)});
  t.add_row({"stop-and-copy", "5", "3", format_number(0.5 * scale), format_number(ci * scale),
             format_number(1.5 * scale), ""});
  t.add_row({"post-copy", "5", "3", "", "", format_number(0.125 * scale), format_number(ci * scale)});
  return t;
}

TEST(GnuplotScript, ErrorBarsOfAQuantityThatCannotBeNegativeStopAtZero) {
  FigureSpec spec;
  spec.file = "f";
  spec.x = "migration.protocol";
  spec.y = "downtime_bytes";
  spec.where = {{"environment.link_latency_ms", "5"}};
  // Means 0.25, 1.5, 0.125 with a CI of 0.5: the bars of the first and last would reach below 0.
  const FigureScript f = make_figure_script(phases(1, 0.5), spec);
  EXPECT_THAT(f.data, HasSubstr("0 0.25 0 0.75 \"pre-copy\"\n1 1.5 1.5 1.5 \"stop-and-copy\"\n2 0.125 0 0.625 "));
  EXPECT_THAT(f.script, HasSubstr("set yrange [0:*]\n"));
  // A metric with a negative mean is signed: its bars are not cut.
  CsvTable signed_table({"migration.protocol", "runs", "change", "change_ci95"});
  signed_table.add_row({"a", "3", "-1", "0.5"});
  signed_table.add_row({"b", "3", "0.25", "0.5"});
  spec.y = "change";
  spec.where = {};
  EXPECT_THAT(make_figure_script(signed_table, spec).data, HasSubstr("0 -1 -1.5 -0.5 \"a\"\n1 0.25 -0.25 0.75 "));
}

TEST(GnuplotScript, BytesAreShownInTheUnitThatFitsTheirSize) {
  FigureSpec spec;
  spec.file = "f";
  spec.x = "migration.protocol";
  spec.y = "copy_bytes";
  spec.ylabel = "volume moved";
  spec.where = {{"environment.link_latency_ms", "5"}};
  // Largest mean 3.25e10 bytes: 32.5 GB.
  FigureScript f = make_figure_script(phases(1e10, 0.5), spec);
  EXPECT_THAT(f.script, HasSubstr("set ylabel 'volume moved (GB)'\n"));
  EXPECT_THAT(f.data, HasSubstr("0 32.5 27.5 37.5 \"pre-copy\"\n"));
  EXPECT_THAT(make_figure_script(phases(1e6, 0.5), spec).script, HasSubstr("'volume moved (MB)'"));
  EXPECT_THAT(make_figure_script(phases(100, 0.5), spec).script, HasSubstr("'volume moved (bytes)'"));
  // A heatmap says the unit in its title.
  spec.kind = FigureKind::kHeatmap;
  spec.value = "copy_bytes";
  spec.y = "environment.link_latency_ms";
  spec.title = "Volume moved";
  spec.digits = 1;
  spec.where = {};
  f = make_figure_script(phases(1e10, 0.5), spec);
  EXPECT_THAT(f.script, HasSubstr("set title 'Volume moved (GB)'\n"));
  EXPECT_THAT(f.data, HasSubstr(" \"32.5\" \"±5.0\" "));
  // Other metrics keep their own unit.
  EXPECT_THAT(make_figure_script(aggregate(), lines_spec()).script, HasSubstr("set ylabel 'downtime_pct'\n"));
}

TEST(GnuplotScript, BarsStackTheSegmentsEachWithItsInterval) {
  FigureSpec spec;
  spec.kind = FigureKind::kBars;
  spec.file = "fig9a";
  spec.x = "migration.protocol";
  spec.stack = {{"copy", "copy_bytes"}, {"downtime", "downtime_bytes"}};
  spec.panels = {"environment.link_latency_ms"};
  spec.ylabel = "volume";
  const FigureScript f = make_figure_script(phases(1, 0.5), spec);
  // Per bar: each segment's bottom, top, CI low (not under its bottom), CI high; a missing mean counts 0.
  EXPECT_THAT(f.data, HasSubstr("0 0 3.25 2.75 3.75 3.25 3.5 3.25 4 \"pre-copy\"\n"
                                "1 0 0.5 0 1 0.5 2 2 2 \"stop-and-copy\"\n"
                                "2 0 0 0 0 0 0.125 0 0.625 \"post-copy\"\n"));
  EXPECT_THAT(f.script, HasSubstr("set xtics ('pre-copy' 0, 'stop-and-copy' 1, 'post-copy' 2) scale 0\n"));
  EXPECT_THAT(f.script, HasSubstr("set ylabel 'volume (bytes)'\n"));
  EXPECT_THAT(f.script, HasSubstr("using 1:(($2+$3)/2):(0.3):(($3-$2)/2) with boxxyerror linecolor rgb '#0072B2' "
                                  "title 'copy'"));
  EXPECT_THAT(f.script, HasSubstr("using 1:(($6+$7)/2):(0.3):(($7-$6)/2) with boxxyerror linecolor rgb '#D55E00' "
                                  "title 'downtime'"));
  EXPECT_THAT(f.script, HasSubstr("using 1:8:(0):($9-$8) with vectors heads"));
  EXPECT_THAT(f.script, HasSubstr("set yrange [0:4.2"));  // the highest CI end, 4, + 5 %
  spec.stack = {};
  EXPECT_THROW(make_figure_script(phases(1, 0.5), spec), InputError);
}

TEST(GnuplotScript, ManySeriesGetAPanelEachAndADowntimeStaysUnder100) {
  CsvTable t({"case", "environment.p_leave", "runs", "downtime_pct", "downtime_pct_ci95"});
  for (const char* c : {"a", "b", "c", "d", "e"}) {
    t.add_row({c, "0.1", "3", "60", "50"});
    t.add_row({c, "0.2", "3", "30", "40"});
  }
  FigureSpec spec;
  spec.file = "f";
  spec.x = "environment.p_leave";
  spec.y = "downtime_pct";
  spec.series = {"case"};
  const FigureScript f = make_figure_script(t, spec);
  EXPECT_THAT(f.script, HasSubstr("set multiplot layout 2,3 "));
  EXPECT_THAT(f.script, HasSubstr("set title 'case=e'\n"));
  EXPECT_THAT(f.script, HasSubstr("linecolor rgb '" + series_colour(4) + "'"));  // each panel its series' colour
  EXPECT_THAT(f.data, HasSubstr("0.1 60 10 100 "));                              // 60 + 50 cut at 100
  EXPECT_THAT(f.data, HasSubstr("0.2 30 0 70 "));                                // 30 - 40 cut at 0
  // Four series share one panel.
  spec.where = {};
  CsvTable four({"case", "environment.p_leave", "runs", "downtime_pct", "downtime_pct_ci95"});
  for (const char* c : {"a", "b", "c", "d"}) four.add_row({c, "0.1", "3", "60", "50"});
  EXPECT_THAT(make_figure_script(four, spec).script, Not(HasSubstr("multiplot")));
}

TEST(GnuplotScript, SeriesColoursAreDistinct) {
  std::set<std::string> colours;
  for (std::size_t i = 0; i < 8; ++i) colours.insert(series_colour(i));
  EXPECT_EQ(colours.size(), 8U);
  EXPECT_EQ(series_colour(8), series_colour(0));
}

TEST(GnuplotScript, QuotesInTitlesAreEscaped) {
  FigureSpec spec = lines_spec();
  spec.title = "it's \"fine\"";
  const FigureScript f = make_figure_script(aggregate(), spec);
  EXPECT_THAT(f.script, HasSubstr("set title 'it''s \"fine\"'\n"));
}

TEST(GnuplotScript, ErrorsNameTheFigure) {
  FigureSpec spec = lines_spec();
  spec.source = "s.yaml:9";
  spec.y = "downtime";
  try {
    make_figure_script(aggregate(), spec);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("s.yaml:9: figure fig7a: y: no column 'downtime' in the results"));
  }
  spec = lines_spec();
  spec.where = {{"environment.p_leave", "0.1"}};  // p_overload varies and is not named
  try {
    make_figure_script(aggregate(), spec);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("figure fig7a: several results for environment.nodes=500 in series "
                                    "live_migration=on"));
  }
  spec = lines_spec();
  spec.where = {{"environment.p_leave", "0.3"}, {"environment.p_overload", "0.1"}};
  EXPECT_THROW(make_figure_script(aggregate(), spec), InputError);
  spec = lines_spec();
  spec.y = "demand.mode";  // not numeric
  EXPECT_THROW(make_figure_script(aggregate(), spec), InputError);
}

class GnuplotRender : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           (std::string("vfo_") + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(GnuplotRender, WritesSvgAndPngWhenGnuplotExists) {
  const auto gnuplot = find_gnuplot();
  if (!gnuplot) GTEST_SKIP() << "gnuplot is not installed";
  for (const FigureSpec& spec : {heatmap_spec(), lines_spec()}) {
    const RenderResult result = render_figure(aggregate(), spec, dir_, gnuplot);
    EXPECT_EQ(result.outcome, RenderResult::Outcome::kRendered) << result.message;
    EXPECT_EQ(result.files.svg, dir_ / (spec.file + ".svg"));
    EXPECT_THAT(read(result.files.svg), HasSubstr("<svg"));
    EXPECT_EQ(read(result.files.png).substr(0, 4), "\x89PNG");
    EXPECT_TRUE(std::filesystem::exists(result.files.dat));
    EXPECT_TRUE(std::filesystem::exists(result.files.gp));
    EXPECT_FALSE(std::filesystem::exists(dir_ / (spec.file + ".gp.log")));
  }
  // The heatmap's numbers are in the picture.
  EXPECT_THAT(read(dir_ / "fig6.svg"), HasSubstr(">7.00<"));
  EXPECT_THAT(read(dir_ / "fig6.svg"), HasSubstr(">±0.50<"));
}

TEST_F(GnuplotRender, WithoutGnuplotStillWritesTheScript) {
  const RenderResult result = render_figure(aggregate(), heatmap_spec(), dir_, std::nullopt);
  EXPECT_EQ(result.outcome, RenderResult::Outcome::kGnuplotMissing);
  EXPECT_EQ(read(result.files.gp), make_figure_script(aggregate(), heatmap_spec()).script);
  EXPECT_EQ(read(result.files.dat), make_figure_script(aggregate(), heatmap_spec()).data);
  EXPECT_FALSE(std::filesystem::exists(result.files.svg));
}

TEST_F(GnuplotRender, AFailingGnuplotIsReported) {
  const RenderResult result = render_figure(aggregate(), lines_spec(), dir_, std::filesystem::path("/bin/false"));
  EXPECT_EQ(result.outcome, RenderResult::Outcome::kGnuplotFailed);
  EXPECT_THAT(result.message, HasSubstr("(exit code 1)"));
  const RenderResult missing = run_gnuplot("/nonexistent/gnuplot", result.files.gp);
  EXPECT_EQ(missing.outcome, RenderResult::Outcome::kGnuplotFailed);
  EXPECT_THAT(missing.message, HasSubstr("cannot run /nonexistent/gnuplot"));
}

}  // namespace
}  // namespace vfo::report
