#include "vfo/report/run_results.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vfo/util/input_error.hpp"

namespace vfo::report {
namespace {

TEST(ReportResults, FlattensSummaryInKeyOrder) {
  const auto metrics = flatten_summary(
      R"({"scenario":"quickstart","seed":7,"nodes":100,"downtime_pct":1.23,"migrations":{"cold":10,"live":5},
          "ok":true,"none":null,"per_round":[1.5,2],"sim_time_s":3600.0,"big":18446744073709551615})",
      "summary.json");
  EXPECT_EQ(metrics, (std::vector<Metric>{{"scenario", "quickstart"},
                                          {"seed", "7"},
                                          {"nodes", "100"},
                                          {"downtime_pct", "1.23"},
                                          {"migrations_cold", "10"},
                                          {"migrations_live", "5"},
                                          {"ok", "true"},
                                          {"none", ""},
                                          {"per_round_0", "1.5"},
                                          {"per_round_1", "2"},
                                          {"sim_time_s", "3600"},
                                          {"big", "18446744073709551615"}}));
}

TEST(ReportResults, RejectsWhatIsNotASummary) {
  EXPECT_THROW(flatten_summary("[1, 2]", "s.json"), InputError);
  try {
    flatten_summary("{\"a\":", "runs/3/summary.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("runs/3/summary.json: not valid JSON"));
  }
  EXPECT_THROW(read_summary("/nonexistent/summary.json"), InputError);
}

TEST(ReportResults, TableHasKeysReplicationSeedThenMetrics) {
  std::vector<RunRecord> runs;
  runs.push_back({{"100", "true"}, 0, 11, {{"scenario", "q"}, {"seed", "11"}, {"downtime_pct", "1.5"}}});
  runs.push_back({{"100", "true"}, 1, 22, {{"scenario", "q"}, {"downtime_pct", "2.5"}, {"extra", "9"}}});
  const CsvTable table = make_results_table({"environment.nodes", "control.live_migration"}, runs);
  EXPECT_EQ(table.columns(), (std::vector<std::string>{"environment.nodes", "control.live_migration", "replication",
                                                       "seed", "scenario", "downtime_pct", "extra"}));
  EXPECT_EQ(table.to_csv(),
            "environment.nodes,control.live_migration,replication,seed,scenario,downtime_pct,extra\n"
            "100,true,0,11,q,1.5,\n"
            "100,true,1,22,q,2.5,9\n");
}

}  // namespace
}  // namespace vfo::report
