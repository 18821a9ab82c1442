// Each of the simulator's readings of the paper changes what it should, shown on small seeded sweeps run
// through `vfo sweep` (replications share seeds across the two values of the key: paired runs): one VF per
// node makes chains wait where capacity is short; the predictor's lead lets live migration beat overloads;
// waiting chains are placed later instead of leaving; the authors' placement keeps VFs off busy nodes.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "results_csv.hpp"
#include "vfo_process.hpp"

namespace {

using vfo::test::mean_where;
using vfo::test::number;
using vfo::test::ResultRow;

std::vector<ResultRow> sweep(const std::string& data_file) {
  return vfo::test::sweep_data_file(data_file, data_file);
}

TEST(Readings, OneVfPerNodeMakesChainsWaitWhereCapacityIsShort) {
  const std::vector<ResultRow> rows = sweep("reading-slots.yaml");
  const auto at = [&](const char* slots, const char* metric) {
    const vfo::test::Mean m = mean_where(rows, "control.max_functions_per_node", slots, metric);
    EXPECT_EQ(m.runs, 4) << slots;
    return m.value;
  };
  std::printf("one VF per node: %.1f waited, %.1f gave up; any number: %.1f waited, %.1f gave up\n", at("1", "waited"),
              at("1", "given_up"), at("0", "waited"), at("0", "given_up"));
  EXPECT_GT(at("1", "waited") + at("1", "given_up"), 10);  // 60 slots for about 300 VFs
  EXPECT_LT(at("0", "waited") + at("0", "given_up"), at("1", "waited") + at("1", "given_up"));
  EXPECT_GT(at("1", "downtime_pct"), at("0", "downtime_pct"));  // waiting is downtime
}

TEST(Readings, ThePredictorsLeadLetsLiveMigrationBeatOverloads) {
  const std::vector<ResultRow> rows = sweep("reading-lead.yaml");
  const auto at = [&](const char* lead, const char* metric) {
    const vfo::test::Mean m = mean_where(rows, "control.predictor.lead_periods", lead, metric);
    EXPECT_EQ(m.runs, 6) << lead;
    return m.value;
  };
  std::printf("lead 1: %.2f overload failures, %.1f live migrations, downtime %.3f%%; lead 0: %.2f, %.1f, %.3f%%\n",
              at("1", "overload_failures"), at("1", "migrations_live"), at("1", "downtime_pct"),
              at("0", "overload_failures"), at("0", "migrations_live"), at("0", "downtime_pct"));
  EXPECT_GT(at("1", "migrations_live"), 0);
  EXPECT_LT(at("1", "overload_failures"), 0.75 * at("0", "overload_failures"));
  EXPECT_LT(at("1", "downtime_pct"), at("0", "downtime_pct"));
}

TEST(Readings, WaitingChainsArePlacedLaterInsteadOfLeaving) {
  const std::vector<ResultRow> rows = sweep("reading-queue.yaml");
  int paired = 0;
  for (const ResultRow& wait : rows) {
    if (wait.at("demand.patience_s") != "600") continue;
    for (const ResultRow& leave : rows) {
      if (leave.at("demand.patience_s") != "0" || leave.at("seed") != wait.at("seed")) continue;
      ++paired;
      SCOPED_TRACE("seed " + wait.at("seed"));
      EXPECT_EQ(number(leave, "waited"), 0);
      EXPECT_EQ(number(leave, "waiting"), 0);
      EXPECT_GT(number(leave, "given_up"), 0);
      EXPECT_GT(number(wait, "waited"), 0);  // placed after a wait, where they would have left
      EXPECT_LT(number(wait, "given_up"), number(leave, "given_up"));
      EXPECT_GT(number(wait, "admitted"), number(leave, "admitted"));
    }
  }
  EXPECT_EQ(paired, 3);
}

TEST(Readings, TheAuthorsPlacementKeepsVfsOffBusyNodesWhereBestFitPacksThem) {
  const std::vector<ResultRow> rows = sweep("reading-cost.yaml");
  const auto at = [&](const char* placer, const char* metric) {
    const vfo::test::Mean m = mean_where(rows, "control.placer", placer, metric);
    EXPECT_EQ(m.runs, 3) << placer;
    return m.value;
  };
  std::printf("auto (load cost): %.1f overloads, downtime %.3f%%; best fit: %.1f overloads, downtime %.3f%%\n",
              at("auto", "overloads"), at("auto", "downtime_pct"), at("best-fit", "overloads"),
              at("best-fit", "downtime_pct"));
  EXPECT_LT(2 * at("auto", "overloads"), at("best-fit", "overloads"));
  EXPECT_LT(at("auto", "migrations_total"), at("best-fit", "migrations_total"));
}

}  // namespace
