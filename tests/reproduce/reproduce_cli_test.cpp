// `vfo reproduce`: one study's report at CI size, the report page checked in a real headless
// browser (Debian's chromium: every figure decodes, every link resolves), the quick run of every study, and
// bad flags.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "sim/vfo_process.hpp"
#include "support/command_output.hpp"
#include "support/scratch.hpp"

namespace vfo {
namespace {

using test::run_vfo;

const std::string kScenarios = std::string(VFO_SOURCE_DIR) + "/scenarios/paper";

// What the report page's own check wrote into <body data-check> once loaded in headless chromium, e.g.
// "images=4 broken=0 links=6 badlinks=0"; "" when chromium printed no such attribute.
std::string browser_check(const std::filesystem::path& html) {
  const std::string dom = test::output_of(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files "
      "--virtual-time-budget=5000 --dump-dom 'file://" +
      std::filesystem::absolute(html).string() + "' 2>/dev/null");
  std::smatch m;
  return std::regex_search(dom, m, std::regex("data-check=\"([^\"]*)\"")) ? m[1].str() : "";
}

int field(const std::string& check, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(check, m, std::regex(name + "=([0-9]+)"))) return -1;
  return std::stoi(m[1].str());
}

const char* const kVerdicts[3] = {"agrees", "within noise", "differs"};

bool is_verdict(const std::string& text) {
  return std::find(std::begin(kVerdicts), std::end(kVerdicts), text) != std::end(kVerdicts);
}

// A number with its 95 % CI as the report writes it: "-25.7 % [-31.2, -20.1]", "+0.412 s [+0.3, +0.5]", or
// several such, comma-separated, each maybe after a label.
bool has_ci(const std::string& vfo) {
  static const std::regex number_with_ci(R"([+-][0-9]+\.[0-9]+[^\[\]]* \[[+-][0-9]+\.[0-9]+, [+-][0-9]+\.[0-9]+\])");
  return std::regex_search(vfo, number_with_ci);
}

struct ClaimRow {
  std::string study, vfo, verdict;
};

// The rows of report.md's claims table: | study | claim | paper | vfo | verdict | how | command |.
std::vector<ClaimRow> claim_rows(const std::string& md) {
  std::vector<ClaimRow> rows;
  std::istringstream in(md);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| ", 0) != 0 || line.rfind("| study |", 0) == 0) continue;
    std::vector<std::string> cells;
    std::size_t at = 1;
    for (auto bar = line.find(" | ", at); bar != std::string::npos && cells.size() < 6; bar = line.find(" | ", at)) {
      cells.push_back(line.substr(at + 1, bar - at - 1));
      at = bar + 2;
    }
    if (cells.size() == 6) rows.push_back({cells[0], cells[3], cells[4]});
  }
  return rows;
}

bool have_chromium() {
  return test::output_of("command -v chromium").find("chromium") != std::string::npos;
}

TEST(ReproduceCli, OneStudysReportShowsEveryFigureInABrowserAndItsClaimWithTheCommand) {
  const auto out = test::fresh_dir("reproduce-one");
  const auto r = run_vfo("reproduce --quick --quiet --only fig9b --scenarios " + kScenarios + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find((out / "report.html").string()), std::string::npos) << r.out;
  const std::string md = test::slurp(out / "report.md");
  EXPECT_NE(md.find("| fig9b | Selecting the nodes"), std::string::npos) << md;
  EXPECT_NE(md.find("deployment-timing.yaml --replications 5 --grid"), std::string::npos) << md;
  // Its row: vfo's number with a CI, and one of the three verdicts.
  const auto rows = claim_rows(md);
  ASSERT_EQ(rows.size(), 1u) << md;
  EXPECT_TRUE(has_ci(rows[0].vfo)) << rows[0].vfo;
  EXPECT_TRUE(is_verdict(rows[0].verdict)) << rows[0].verdict;
  EXPECT_NE(md.find("Claims: "), std::string::npos) << md;
  EXPECT_NE(md.find("![fig9b_placement](fig9b/figures/fig9b_placement.svg)"), std::string::npos) << md;
  EXPECT_EQ(md.find("not measured:"), std::string::npos) << md;

  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps installs it)";
  const std::string check = browser_check(out / "report.html");
  ASSERT_FALSE(check.empty()) << "chromium did not run the page's check";
  EXPECT_GE(field(check, "images"), 4) << check;
  EXPECT_EQ(field(check, "broken"), 0) << check;
  EXPECT_GE(field(check, "links"), 2) << check;
  EXPECT_EQ(field(check, "badlinks"), 0) << check;
  // The check can fail: a figure and a table removed show as broken.
  std::filesystem::remove(out / "fig9b" / "figures" / "fig9b_placement.svg");
  std::filesystem::remove(out / "fig9b" / "results.csv");
  const std::string broken = browser_check(out / "report.html");
  EXPECT_EQ(field(broken, "broken"), 1) << broken;
  EXPECT_EQ(field(broken, "badlinks"), 2) << broken;  // the figure's own link and the table's
}

TEST(ReproduceCli, TheQuickRunReproducesEveryStudyAndMeasuresEveryClaim) {
  const auto out = test::fresh_dir("reproduce-quick");
  const auto r = run_vfo("reproduce --quick --quiet --scenarios " + kScenarios + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const std::string md = test::slurp(out / "report.md");
  for (const char* study :
       {"fig6", "fig7ab", "fig7cd", "fig8", "fig9a", "fig9b", "fig10", "failures", "loop", "fig11a", "fig11b"}) {
    EXPECT_TRUE(std::filesystem::exists(out / study)) << study;
    EXPECT_NE(md.find(std::string("](") + study + "/"), std::string::npos) << study << " has no figure";
  }
  for (const char* paper : {"| -34.2 % |", "| +19.1 % |", "| -12.54 % |", "| -40.27 % |", "| -76.3 % |"}) {
    EXPECT_NE(md.find(paper), std::string::npos) << paper;
  }
  EXPECT_EQ(md.find("not measured:"), std::string::npos) << md;
  // Every claim has one of the three verdicts; every simulated study's number has its CI (the runtime's
  // studies have one only when they ran several repetitions).
  const auto rows = claim_rows(md);
  EXPECT_EQ(rows.size(), 14u) << md;
  int counted[3] = {0, 0, 0};
  for (const ClaimRow& row : rows) {
    EXPECT_TRUE(is_verdict(row.verdict)) << row.study << ": " << row.verdict;
    const bool runtime = row.study == "fig11a" || row.study == "fig11b";
    EXPECT_TRUE(has_ci(row.vfo) || (runtime && row.vfo.find("(n = 1, no CI)") != std::string::npos))
        << row.study << ": " << row.vfo;
    for (int v = 0; v < 3; ++v) counted[v] += row.verdict == kVerdicts[v] ? 1 : 0;
  }
  // The summary counts them.
  const std::string agree = counted[0] == 1 ? " agrees" : " agree", differ = counted[2] == 1 ? " differs" : " differ";
  EXPECT_NE(md.find(std::to_string(counted[0]) + agree + " with the paper, " + std::to_string(counted[1]) +
                    " within noise, " + std::to_string(counted[2]) + differ + ", 0 not measured"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.rfind("# The paper's claims, measured by vfo\n", 0), 0u) << md.substr(0, 80);
  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps installs it)";
  const std::string check = browser_check(out / "report.html");
  EXPECT_GE(field(check, "images"), 25) << check;
  EXPECT_EQ(field(check, "broken"), 0) << check;
  EXPECT_EQ(field(check, "badlinks"), 0) << check;
}

TEST(ReproduceCli, BadFlagsGiveOneLineAndExitCode2) {
  for (const std::string& args : {std::string("--only fig12"), std::string("--scenarios /nonexistent/paper")}) {
    const auto r = run_vfo("reproduce --quiet " + args + " --out " + test::fresh_dir("reproduce-bad").string());
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.all();
    EXPECT_EQ(test::line_count(r.err), 1) << args << ": " << r.err;
  }
}

}  // namespace
}  // namespace vfo
