// `vfo demo` end to end at a short size: real agents and VF processes on loopback, both recovery modes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "vfo_process.hpp"

namespace {

TEST(DemoCli, ColdMigrationLosesNoFrameAndResetModeRestartsTheChain) {
  const auto out = vfo::test::fresh_dir("demo");
  const vfo::test::Outcome o =
      vfo::test::run_vfo("demo --nodes 6 --duration 8 --kill-at 3 --quiet --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.all();
  EXPECT_NE(o.out.find("cold migration against reset mode: downtime"), std::string::npos) << o.out;
  const auto s = nlohmann::json::parse(vfo::test::slurp(out / "summary.json"));
  EXPECT_EQ(s["cold"]["migrations"], 1);
  EXPECT_EQ(s["cold"]["frames_lost"], 0);  // every seq reached the sink once
  EXPECT_EQ(s["reset"]["resets"], 1);
  EXPECT_EQ(s["reset"]["migrations"], 0);
  for (const char* mode : {"cold", "reset"}) {
    EXPECT_GT(s[mode]["downtime_s"].get<double>(), 0.0) << mode;
    EXPECT_LT(s[mode]["downtime_s"].get<double>(), 3.0) << mode;    // whole again within 3 probing periods
    EXPECT_GT(s[mode]["frames_delivered"].get<int>(), 60) << mode;  // 15 fps for most of 8 s
  }
  EXPECT_GT(vfo::test::line_count(vfo::test::slurp(out / "demo.csv")), 100);
  EXPECT_TRUE(std::filesystem::exists(out / "figures" / "demo.gp"));
}

TEST(DemoCli, BadFlagsGiveOneLineAndExitCode2) {
  const vfo::test::Outcome o = vfo::test::run_vfo("demo --nodes 3 --quiet --out " + vfo::test::fresh_dir("x").string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(o.err), 1) << o.err;
  EXPECT_NE(o.err.find("--nodes: 3"), std::string::npos) << o.err;
}

}  // namespace
