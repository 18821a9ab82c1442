// `vfo demo` end to end at a short size: real agents and VF processes on loopback, both recovery modes, the
// node of a middle VF killed twice in each.
#include <gtest/gtest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results_csv.hpp"
#include "vfo_process.hpp"

namespace {

using Json = nlohmann::json;

TEST(DemoCli, KillsTheNodeOfAMiddleVfRepeatedlyAndSummarisesEveryKill) {
  const auto out = vfo::test::fresh_dir("demo");
  const std::string mark = "demo-" + std::to_string(::getpid());
  const vfo::test::Outcome o = vfo::test::run_vfo_marked(
      mark, "demo --nodes 5 --kills 2 --start-delay 0.2 --settle 0.5 --quiet --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.all();
  // No process of the run is left: agents, VFs (stopped or not) and stress processes all ended with it.
  EXPECT_EQ(vfo::test::processes_marked_after(mark), std::vector<int>{});
  EXPECT_NE(o.out.find("cold migration against reset mode: downtime"), std::string::npos) << o.out;
  const Json s = Json::parse(vfo::test::slurp(out / "summary.json"));
  EXPECT_EQ(s["kills"], 2);
  EXPECT_GE(s["cold"]["migrations"].get<int>(), 2);  // at least the killed VF, once per kill
  EXPECT_EQ(s["cold"]["resets"], 0);
  EXPECT_EQ(s["reset"]["resets"], 2);
  EXPECT_EQ(s["reset"]["migrations"], 0);
  for (const char* mode : {"cold", "reset"}) {
    EXPECT_EQ(s[mode]["downtime"]["n"], 2) << mode;
    EXPECT_FALSE(s[mode]["downtime"]["ci95_low"].is_null()) << mode;
    EXPECT_LE(s[mode]["downtime"]["ci95_low"].get<double>(), s[mode]["downtime_s"].get<double>()) << mode;
    EXPECT_EQ(s[mode]["sink_windows_missed"], 0) << mode;
  }
  EXPECT_EQ(s["downtime_difference_s"]["paired"]["n"], 2);
  const auto kills = vfo::test::read_results(out / "kills.csv");
  ASSERT_EQ(kills.size(), 4u);
  for (const auto& k : kills) {
    const double downtime = std::stod(k.at("downtime_s"));
    // Frames stop until a VF started anew (after the start delay) delivers again: cold migration starts the lost
    // VFs, reset mode all four, one after another.
    EXPECT_GE(downtime, k.at("mode") == "cold" ? 0.2 : 0.8) << k.at("mode") << " kill " << k.at("kill");
    EXPECT_LE(downtime, std::stod(k.at("heal_s")) + 1e-6);
    EXPECT_EQ(k.at("node").rfind("node-", 0), 0u);
  }
  EXPECT_TRUE(std::filesystem::exists(out / "figures" / "demo.gp"));
  EXPECT_TRUE(std::filesystem::exists(out / "figures" / "demo.dat"));
}

TEST(DemoCli, BadFlagsGiveOneLineAndExitCode2) {
  const std::string out = " --quiet --out " + vfo::test::fresh_dir("x").string();
  for (const std::string& args :
       {std::string("demo --nodes 3"), std::string("demo --kills 0"), std::string("demo --kills -2"),
        std::string("demo --start-delay -1"), std::string("demo --start-delay 9"), std::string("demo --period 0")}) {
    const vfo::test::Outcome o = vfo::test::run_vfo(args + out);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.err), 1) << args << ": " << o.err;
  }
  EXPECT_NE(vfo::test::run_vfo("demo --nodes 3" + out).err.find("--nodes: 3"), std::string::npos);
  EXPECT_NE(vfo::test::run_vfo("demo --kills -2" + out).err.find("--kills: -2"), std::string::npos);
}

}  // namespace
