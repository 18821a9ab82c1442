// `vfo reproduce`: one study's report at CI size, the report page checked in a real headless
// browser (Debian's chromium: every figure decodes, every link resolves), the quick run of every study, and
// bad flags.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
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

// Two studies in two shards, merged: the report measures the same numbers, with the same verdicts, as the run in
// one go (every study's runs are seeded from its scenario).
TEST(ReproduceCli, ShardsMergedMeasureWhatTheRunInOneGoMeasures) {
  const auto dir = test::fresh_dir("reproduce-shards");
  const std::string run = "reproduce --quick --quiet --only fig9a,fig10 --scenarios " + kScenarios;
  for (int i = 1; i <= 2; ++i) {
    const auto part = dir / ("part-" + std::to_string(i));
    const auto r = run_vfo(run + " --shard " + std::to_string(i) + "/2 --out " + part.string());
    ASSERT_EQ(r.exit_code, 0) << r.all();
    EXPECT_NE(r.out.find("shard " + std::to_string(i) + " of 2: 1 study"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(part / "report.md"));  // the merge writes it
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "part-1" / "fig9a"));
  EXPECT_TRUE(std::filesystem::exists(dir / "part-2" / "fig10"));
  const auto merged = run_vfo("reproduce merge " + (dir / "part-2").string() + " " + (dir / "part-1").string() +
                              " --out " + (dir / "merged").string());
  ASSERT_EQ(merged.exit_code, 0) << merged.all();
  const auto whole = run_vfo(run + " --out " + (dir / "whole").string());
  ASSERT_EQ(whole.exit_code, 0) << whole.all();
  const auto sharded = claim_rows(test::slurp(dir / "merged" / "report.md"));
  const auto unsharded = claim_rows(test::slurp(dir / "whole" / "report.md"));
  ASSERT_EQ(sharded.size(), unsharded.size());
  ASSERT_GE(sharded.size(), 2u);
  for (std::size_t i = 0; i < sharded.size(); ++i) {
    EXPECT_EQ(sharded[i].study, unsharded[i].study);
    EXPECT_EQ(sharded[i].vfo, unsharded[i].vfo) << sharded[i].study;
    EXPECT_EQ(sharded[i].verdict, unsharded[i].verdict) << sharded[i].study;
  }
  // Every run's results but the two this machine times (the run's wall time and the placer's, which the deployment
  // model charges as measured): no seed fixes those.
  const auto without_wall_time = [](const std::string& csv) {
    std::istringstream lines(csv);
    std::string out;
    std::vector<std::size_t> timed;
    for (std::string line; std::getline(lines, line);) {
      std::vector<std::string> cells;
      std::istringstream fields(line);
      for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
      if (out.empty()) {
        for (const char* name : {"wall_time_s", "deployment_placement_s"}) {
          timed.push_back(static_cast<std::size_t>(std::find(cells.begin(), cells.end(), name) - cells.begin()));
        }
      }
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (std::find(timed.begin(), timed.end(), i) == timed.end()) out += cells[i] + ",";
      }
      out += "\n";
    }
    return out;
  };
  for (const char* study : {"fig9a", "fig10"}) {
    const std::string merged = without_wall_time(test::slurp(dir / "merged" / study / "results.csv"));
    EXPECT_GT(merged.size(), 100u) << study;
    EXPECT_EQ(merged, without_wall_time(test::slurp(dir / "whole" / study / "results.csv"))) << study;
  }
}

// scripts/slurm-reproduce on a one-node Slurm cluster of the test's (scripts/slurm-local): the shards as a job
// array, the merge as a job after them, and the report at the end.
TEST(ReproduceCli, ThroughSlurmAJobArrayOfShardsAndADependentMergeWriteTheReport) {
  if (::geteuid() != 0) GTEST_SKIP() << "a local Slurm cluster needs root";
  const std::string scripts = std::string(VFO_SOURCE_DIR) + "/scripts/";
  const auto dir = test::fresh_dir("reproduce-slurm");
  const auto cluster = dir / "slurm";
  const auto up = test::run_shell("bash " + scripts + "slurm-local up " + cluster.string());
  ASSERT_EQ(up.exit_code, 0) << up.all();
  struct Down {
    std::string command;
    ~Down() { test::run_shell(command); }
  } down{"bash " + scripts + "slurm-local down " + cluster.string()};
  const std::string conf = "SLURM_CONF=" + (cluster / "slurm.conf").string() + " ";
  const auto out = dir / "out";
  const auto submitted = test::run_shell(conf + "bash " + scripts + "slurm-reproduce --out " + out.string() +
                                         " --shards 2 --vfo " + VFO_BINARY + " -- --quick --only fig9a,fig10");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.all();
  EXPECT_NE(submitted.out.find("job array"), std::string::npos) << submitted.out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (!std::filesystem::exists(out / "report.html") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(std::filesystem::exists(out / "report.html"))
      << test::run_shell(conf + "squeue; cat " + out.string() + "/slurm-*.out").out;
  const auto rows = claim_rows(test::slurp(out / "report.md"));
  EXPECT_GE(rows.size(), 2u);
  for (const ClaimRow& row : rows) EXPECT_TRUE(is_verdict(row.verdict)) << row.study << ": " << row.verdict;
}

TEST(ReproduceCli, BadShardsAndMergesGiveOneLineAndExitCode2) {
  const auto dir = test::fresh_dir("reproduce-shard-bad");
  for (const std::string shard : {"0/2", "3/2", "x"}) {
    const auto r = run_vfo("reproduce --quiet --only fig10 --shard " + shard + " --out " + (dir / "o").string());
    EXPECT_EQ(r.exit_code, 2) << shard << ": " << r.all();
    EXPECT_EQ(test::line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << r.err;
  }
  const auto none = run_vfo("reproduce merge " + (dir / "nothing").string() + " --out " + (dir / "m").string());
  EXPECT_EQ(none.exit_code, 2) << none.all();
  EXPECT_NE(none.err.find("reproduce-shard.json"), std::string::npos) << none.err;
  // A part alone: the other shard is missing.
  std::filesystem::create_directories(dir / "p1");
  test::write_file("reproduce-shard-bad/p1/reproduce-shard.json",
                   R"({"shard": 1, "shards": 2, "quick": true, "only": "fig10", "scenarios": "/x", "studies": []})");
  const auto missing = run_vfo("reproduce merge " + (dir / "p1").string() + " --out " + (dir / "m").string());
  EXPECT_EQ(missing.exit_code, 2) << missing.all();
  EXPECT_NE(missing.err.find("shard 2 of 2 is missing"), std::string::npos) << missing.err;
  EXPECT_EQ(test::line_count(missing.err), 1) << missing.err;
  const auto no_out = run_vfo("reproduce --quiet --only fig10");
  EXPECT_EQ(no_out.exit_code, 2) << no_out.all();
  EXPECT_NE(no_out.err.find("--out: missing"), std::string::npos) << no_out.err;
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
