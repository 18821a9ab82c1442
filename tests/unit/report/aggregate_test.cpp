#include "vfo/report/aggregate.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "vfo/report/sample_summary.hpp"

namespace vfo::report {
namespace {

CsvTable results() {
  CsvTable t({"environment.nodes", "control.live_migration", "replication", "seed", "scenario", "downtime_pct",
              "migrations_cold", "flag", "partial"});
  // Grid point (100, true): downtime 1, 2, 3, 4 -> mean 2.5, sd sqrt(5/3).
  t.add_row({"100", "true", "0", "11", "q", "1", "10", "true", "5"});
  t.add_row({"100", "true", "1", "22", "q", "2", "10", "false", ""});
  t.add_row({"100", "true", "2", "33", "q", "3", "10", "true", "7"});
  t.add_row({"100", "true", "3", "44", "q", "4", "10", "true", ""});
  // Grid point (500, false): one run -> sd 0.
  t.add_row({"500", "false", "0", "11", "q", "0.5", "2", "false", ""});
  // Grid point (100, false) comes after (500, false): groups keep first appearance order.
  t.add_row({"100", "false", "0", "11", "q", "1", "3", "false", "1"});
  t.add_row({"100", "false", "1", "22", "q", "2", "5", "false", "3"});
  return t;
}

TEST(ReportAggregate, MeanSampleSdAndConfidenceIntervalPerGridPoint) {
  const CsvTable a =
      aggregate_replications(results(), {"environment.nodes", "control.live_migration"}, {"replication", "seed"});
  // The text column `scenario` is left out; bool and partly empty columns stay.
  EXPECT_EQ(a.columns(), (std::vector<std::string>{
                             "environment.nodes", "control.live_migration", "runs", "downtime_pct", "downtime_pct_sd",
                             "downtime_pct_n", "downtime_pct_ci95", "migrations_cold", "migrations_cold_sd",
                             "migrations_cold_n", "migrations_cold_ci95", "flag", "flag_sd", "flag_n", "flag_ci95",
                             "partial", "partial_sd", "partial_n", "partial_ci95"}));
  ASSERT_EQ(a.size(), 3u);
  // downtime 1, 2, 3, 4: CI t(0.975, 3) sd / 2 = 3.182446 x 1.290994 / 2 = 2.054; flag 1, 0, 1, 1: sd 0.5, CI
  // 0.796; partial 5, 7: t(0.975, 1) sqrt(2) / sqrt(2) = 12.706.
  const auto& row = a.rows()[0];
  EXPECT_EQ(std::vector<std::string>(row.begin(), row.begin() + 8),
            (std::vector<std::string>{"100", "true", "4", "2.5", format_number(std::sqrt(5.0 / 3.0)), "4",
                                      format_number(student_t_quantile(0.975, 3) * std::sqrt(5.0 / 3.0) / 2), "10"}));
  EXPECT_EQ(format_number(std::sqrt(5.0 / 3.0)), "1.2909944487358056");
  EXPECT_NEAR(std::stod(a.at(0, "downtime_pct_ci95")), 2.0542, 1e-4);
  EXPECT_EQ(a.at(0, "migrations_cold_ci95"), "0");  // 10 four times
  EXPECT_NEAR(std::stod(a.at(0, "flag_ci95")), 0.7956, 1e-4);
  EXPECT_EQ(a.at(0, "partial_n"), "2");
  EXPECT_NEAR(std::stod(a.at(0, "partial_ci95")), 12.7062, 1e-4);
  // One run: sd 0, no CI (an empty cell); no value at all: n 0, every other cell empty.
  EXPECT_EQ(a.rows()[1], (std::vector<std::string>{"500", "false", "1", "0.5", "0", "1", "", "2", "0", "1", "", "0",
                                                   "0", "1", "", "", "", "0", ""}));
  // downtime 1, 2: mean 1.5, sd sqrt(0.5); cold 3, 5: mean 4, sd sqrt(2); partial 1, 3: mean 2, sd sqrt(2).
  EXPECT_EQ(a.at(2, "downtime_pct"), "1.5");
  EXPECT_EQ(a.at(2, "downtime_pct_sd"), format_number(std::sqrt(0.5)));
  EXPECT_EQ(a.at(2, "migrations_cold"), "4");
  EXPECT_EQ(a.at(2, "migrations_cold_sd"), format_number(std::sqrt(2.0)));
  EXPECT_EQ(a.at(2, "partial"), "2");
  EXPECT_EQ(a.at(2, "partial_sd"), format_number(std::sqrt(2.0)));
  EXPECT_EQ(a.at(2, "flag_ci95"), "0");
}

TEST(ReportAggregate, NoGroupColumnsIsOneGroup) {
  const CsvTable a = aggregate_replications(results(), {}, {"replication", "seed", "environment.nodes"});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a.at(0, "runs"), "7");
  EXPECT_EQ(a.at(0, "downtime_pct"), format_number((1 + 2 + 3 + 4 + 0.5 + 1 + 2) / 7.0));
  EXPECT_EQ(a.at(0, "control.live_migration"), format_number(4 / 7.0));  // booleans count as 1/0
  EXPECT_FALSE(a.column_index("scenario"));                              // a text column
}

TEST(ReportAggregate, UnknownColumnIsAnError) {
  EXPECT_THROW(aggregate_replications(results(), {"nope"}, {}), std::out_of_range);
  EXPECT_THROW(aggregate_replications(results(), {}, {"nope"}), std::out_of_range);
}

}  // namespace
}  // namespace vfo::report
