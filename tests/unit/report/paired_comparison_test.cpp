#include "vfo/report/paired_comparison.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <tuple>

namespace vfo::report {
namespace {

// t(0.975, 2), from the tables.
constexpr double kT2 = 4.302653;

// Downtime with and without live migration at two node counts, three replications. Per replication, the mean
// with / without over the node counts: (3, 6), (4, 6), (2, 6): absolute -3, -2, -4 (mean -3, sd 1), relative
// -50, -33.3, -66.7 % (mean -50, sd 16.67).
CsvTable mechanism_rows() {
  CsvTable t({"environment.nodes", "control.live_migration", "replication", "seed", "downtime_pct"});
  const double with[3][2] = {{4, 2}, {6, 2}, {3, 1}};
  for (int r = 0; r < 3; ++r) {
    for (int n = 0; n < 2; ++n) {
      const std::string nodes = n == 0 ? "100" : "200";
      const std::string rep = std::to_string(r);
      t.add_row({nodes, "true", rep, "7", format_number(with[r][n])});
      t.add_row({nodes, "false", rep, "7", n == 0 ? "8" : "4"});
    }
  }
  return t;
}

PairedSpec live_migration_spec() {
  PairedSpec spec;
  spec.key = "control.live_migration";
  spec.treated = "true";
  spec.control = "false";
  spec.metric = "downtime_pct";
  spec.match = {"environment.nodes"};
  return spec;
}

TEST(PairedComparison, ChangeWithAMechanismPairedByReplication) {
  const ChangeEstimate e = paired_change(mechanism_rows(), live_migration_spec());
  EXPECT_EQ(e.absolute.n, 3u);
  EXPECT_DOUBLE_EQ(e.absolute.mean, -3);
  EXPECT_DOUBLE_EQ(e.absolute.sd, 1);
  EXPECT_NEAR(e.absolute.ci95, kT2 / std::sqrt(3.0), 1e-5);
  ASSERT_TRUE(e.is_relative());
  EXPECT_NEAR(e.relative_pct.mean, -50, 1e-12);
  EXPECT_NEAR(e.relative_pct.sd, 50.0 / 3, 1e-12);
  EXPECT_NEAR(e.relative_pct.ci95, kT2 * 50.0 / 3 / std::sqrt(3.0), 1e-4);  // [-91.4, -8.6]
  EXPECT_DOUBLE_EQ(e.treated_mean, 3);
  EXPECT_DOUBLE_EQ(e.control_mean, 6);
  EXPECT_EQ(&e.headline(), &e.relative_pct);
  EXPECT_EQ(e.verdict(ExpectedSign::kNegative), Verdict::kAgrees);
  EXPECT_EQ(e.verdict(ExpectedSign::kPositive), Verdict::kDiffers);
  EXPECT_EQ(format_with_ci(e.headline(), "%", 1), "-50.0 % [-91.4, -8.6]");
}

TEST(PairedComparison, AChangeWhoseIntervalContainsZeroIsWithinNoise) {
  // Per replication: -1, +1, 0 (absolute); the control is 6 in each.
  CsvTable t({"k", "replication", "m"});
  for (const auto& [rep, treated] : {std::pair{"0", "5"}, {"1", "7"}, {"2", "6"}}) {
    t.add_row({"on", rep, treated});
    t.add_row({"off", rep, "6"});
  }
  const ChangeEstimate e = paired_change(t, {"k", "on", "off", "m", {}, {}, "replication"});
  EXPECT_DOUBLE_EQ(e.absolute.mean, 0);
  EXPECT_LT(e.relative_pct.low(), 0);
  EXPECT_GT(e.relative_pct.high(), 0);
  EXPECT_EQ(e.verdict(ExpectedSign::kNegative), Verdict::kWithinNoise);
  EXPECT_EQ(e.verdict(ExpectedSign::kPositive), Verdict::kWithinNoise);
}

TEST(PairedComparison, OneReplicationHasNoIntervalAndIsWithinNoise) {
  CsvTable t({"k", "replication", "m"});
  t.add_row({"on", "0", "1"});
  t.add_row({"off", "0", "4"});
  const ChangeEstimate e = paired_change(t, {"k", "on", "off", "m", {}, {}, "replication"});
  EXPECT_EQ(e.relative_pct.n, 1u);
  EXPECT_DOUBLE_EQ(e.relative_pct.mean, -75);
  EXPECT_FALSE(e.relative_pct.has_ci());
  EXPECT_EQ(e.verdict(ExpectedSign::kNegative), Verdict::kWithinNoise);
  EXPECT_EQ(format_with_ci(e.headline(), "%", 1), "-75.0 % (n = 1, no CI)");
}

TEST(PairedComparison, AZeroBaselineLeavesOnlyTheAbsoluteChange) {
  CsvTable t({"k", "run", "m"});  // the replication column may have another name (e.g. a repetition)
  for (const auto& [rep, treated, control] : {std::tuple{"a", "2", "0"}, {"b", "3", "1"}, {"c", "4", "1"}}) {
    t.add_row({"on", rep, treated});
    t.add_row({"off", rep, control});
  }
  const ChangeEstimate e = paired_change(t, {"k", "on", "off", "m", {}, {}, "run"});
  EXPECT_FALSE(e.is_relative());
  EXPECT_EQ(&e.headline(), &e.absolute);
  EXPECT_DOUBLE_EQ(e.absolute.mean, 7.0 / 3);
  EXPECT_EQ(e.verdict(ExpectedSign::kPositive), Verdict::kAgrees);  // 2, 2, 3: [0.90, 3.77]
}

TEST(PairedComparison, RepetitionsOfARuntimeStudyFromCsv) {
  // The layout `vfo reproduce` reads from a runtime study's repetitions.csv: one row per repetition and mode.
  const CsvTable t = CsvTable::parse(
      "repetition,mode,downtime_s\n0,cold,0.6\n0,reset,1.0\n1,reset,0.8\n1,cold,0.4\n2,cold,0.7\n2,reset,1.0\n",
      "repetitions.csv");
  PairedSpec spec;
  spec.key = "mode";
  spec.treated = "cold";
  spec.control = "reset";
  spec.metric = "downtime_s";
  spec.replication = "repetition";
  const ChangeEstimate e = paired_change(t, spec);
  // -40 %, -50 %, -30 %: mean -40, sd 10.
  EXPECT_EQ(e.relative_pct.n, 3u);
  EXPECT_NEAR(e.relative_pct.mean, -40, 1e-9);
  EXPECT_NEAR(e.relative_pct.sd, 10, 1e-9);
  EXPECT_EQ(format_with_ci(e.headline(), "%", 1), "-40.0 % [-64.8, -15.2]");
  EXPECT_EQ(e.verdict(ExpectedSign::kNegative), Verdict::kAgrees);
}

TEST(PairedComparison, WhereSelectsRowsAndEmptyCellsDropTheirPair) {
  CsvTable t = mechanism_rows();
  t.add_row({"300", "true", "0", "7", ""});  // no value: its pair is left out
  t.add_row({"300", "false", "0", "7", "100"});
  PairedSpec spec = live_migration_spec();
  EXPECT_DOUBLE_EQ(paired_change(t, spec).absolute.mean, -3);
  spec.where = {{"environment.nodes", "100"}};  // per replication -4, -2, -5
  EXPECT_DOUBLE_EQ(paired_change(t, spec).absolute.mean, -11.0 / 3);
}

TEST(PairedComparison, BadSpecsAreErrors) {
  PairedSpec spec = live_migration_spec();
  spec.match = {};  // two rows per replication and value: nodes varies but is not matched
  EXPECT_THROW(paired_change(mechanism_rows(), spec), std::invalid_argument);
  spec = live_migration_spec();
  spec.treated = "maybe";
  EXPECT_THROW(paired_change(mechanism_rows(), spec), std::invalid_argument);
  spec = live_migration_spec();
  spec.metric = "nope";
  EXPECT_THROW(paired_change(mechanism_rows(), spec), std::out_of_range);
}

// Downtime over nodes 100, 200, 300 (two demand modes averaged), three replications; per replication the
// means are (10, 8, 6), (12, 9, 6), (9, 8, 4): fitted changes -4, -6, -5 over levels 8, 9, 7.
CsvTable trend_rows() {
  CsvTable t({"environment.nodes", "demand.mode", "replication", "downtime_pct"});
  const double means[3][3] = {{10, 8, 6}, {12, 9, 6}, {9, 8, 4}};
  for (int r = 0; r < 3; ++r) {
    for (int n = 0; n < 3; ++n) {
      t.add_row({std::to_string(100 * (n + 1)), "low", std::to_string(r), format_number(means[r][n] - 1)});
      t.add_row({std::to_string(100 * (n + 1)), "high", std::to_string(r), format_number(means[r][n] + 1)});
    }
  }
  return t;
}

TEST(PairedComparison, TrendIsTheFittedChangePerReplication) {
  const ChangeEstimate e = trend_change(trend_rows(), {"environment.nodes", "downtime_pct", {}, false, "replication"});
  EXPECT_EQ(e.absolute.n, 3u);
  EXPECT_NEAR(e.absolute.mean, -5, 1e-12);
  EXPECT_NEAR(e.absolute.sd, 1, 1e-12);
  EXPECT_NEAR(e.relative_pct.mean, (-50 - 600.0 / 9 - 500.0 / 7) / 3, 1e-10);
  EXPECT_NEAR(e.control_mean, (10 + 12 + 9.5) / 3, 1e-12);  // fitted at 100 nodes
  EXPECT_NEAR(e.treated_mean, (6 + 6 + 4.5) / 3, 1e-12);    // fitted at 300 nodes
  EXPECT_EQ(e.verdict(ExpectedSign::kNegative), Verdict::kAgrees);
  // From the largest value to the smallest: the opposite change.
  const ChangeEstimate down =
      trend_change(trend_rows(), {"environment.nodes", "downtime_pct", {}, true, "replication"});
  EXPECT_NEAR(down.absolute.mean, 5, 1e-12);
  EXPECT_EQ(down.verdict(ExpectedSign::kNegative), Verdict::kDiffers);
  // One demand mode only (where): the same slopes, lower levels.
  const ChangeEstimate low =
      trend_change(trend_rows(), {"environment.nodes", "downtime_pct", {{"demand.mode", "low"}}, false, "replication"});
  EXPECT_NEAR(low.absolute.mean, -5, 1e-12);
  EXPECT_NEAR(low.relative_pct.mean, (-400.0 / 7 - 600.0 / 8 - 500.0 / 6) / 3, 1e-10);
}

TEST(PairedComparison, TrendNeedsANumericKeyWithTwoValues) {
  CsvTable t({"mode", "replication", "m"});
  t.add_row({"low", "0", "1"});
  t.add_row({"high", "0", "2"});
  EXPECT_THROW(trend_change(t, {"mode", "m", {}, false, "replication"}), std::invalid_argument);
  CsvTable one({"nodes", "replication", "m"});
  one.add_row({"100", "0", "1"});
  one.add_row({"100", "1", "2"});
  EXPECT_THROW(trend_change(one, {"nodes", "m", {}, false, "replication"}), std::invalid_argument);
}

TEST(PairedComparison, ColumnsOfTheSameRunsCompared) {
  CsvTable t({"protocol", "replication", "prepare_s", "copy_s", "downtime_s"});
  t.add_row({"pre-copy", "0", "3", "1", "2"});    // 4 against 2
  t.add_row({"pre-copy", "1", "5", "1", "3"});    // 6 against 3
  t.add_row({"pre-copy", "2", "2", "1", "1.5"});  // 3 against 1.5
  t.add_row({"post-copy", "0", "0", "0", "9"});   // not selected
  t.add_row({"pre-copy", "3", "2", "", "1"});     // an empty cell: left out
  const ChangeEstimate e = column_change(t, {"prepare_s", "copy_s"}, {"downtime_s"}, {{"protocol", "pre-copy"}});
  EXPECT_EQ(e.relative_pct.n, 3u);
  EXPECT_DOUBLE_EQ(e.relative_pct.mean, 100);
  EXPECT_EQ(e.relative_pct.ci95, 0);
  EXPECT_EQ(e.verdict(ExpectedSign::kPositive), Verdict::kAgrees);
  EXPECT_THROW(column_change(t, {"prepare_s"}, {"downtime_s"}, {{"protocol", "none"}}), std::invalid_argument);
}

TEST(PairedComparison, VerdictsFromIntervals) {
  SampleSummary s;
  s.n = 5;
  s.mean = -2;
  s.ci95 = 1;  // [-3, -1]
  EXPECT_EQ(verdict_of(s, ExpectedSign::kNegative), Verdict::kAgrees);
  EXPECT_EQ(verdict_of(s, ExpectedSign::kPositive), Verdict::kDiffers);
  s.ci95 = 2;  // [-4, 0]: touches zero
  EXPECT_EQ(verdict_of(s, ExpectedSign::kNegative), Verdict::kWithinNoise);
  EXPECT_EQ(verdict_of(SampleSummary{}, ExpectedSign::kNegative), Verdict::kWithinNoise);
  EXPECT_EQ(verdict_name(Verdict::kAgrees), "agrees");
  EXPECT_EQ(verdict_name(Verdict::kWithinNoise), "within noise");
  EXPECT_EQ(verdict_name(Verdict::kDiffers), "differs");
  using V = Verdict;
  EXPECT_EQ(combine_verdicts({V::kAgrees, V::kAgrees}), V::kAgrees);
  EXPECT_EQ(combine_verdicts({V::kAgrees, V::kWithinNoise}), V::kWithinNoise);
  EXPECT_EQ(combine_verdicts({V::kAgrees, V::kWithinNoise, V::kDiffers}), V::kDiffers);
  EXPECT_EQ(combine_verdicts({}), V::kWithinNoise);
}

TEST(PairedComparison, ChangeBetweenNeedsMatchingValues) {
  EXPECT_THROW(change_between({1, 2}, {1}), std::invalid_argument);
  EXPECT_THROW(change_between({}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace vfo::report
