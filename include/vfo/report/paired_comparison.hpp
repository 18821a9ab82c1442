#pragma once
// Paired comparisons over a long table of runs (a sweep's results.csv, or any table with a replication
// column): how much a metric changes with a mechanism, or along an ordered key, with the 95 % confidence
// interval of that change over replications, and a verdict against the sign the paper expects.
//
// The unit of replication is the replication (a seed): within one sweep, replication r of every grid point
// uses the same seed, so runs with the same r are paired (they share their random draws) and are not
// independent of each other; runs with different r are. Each statistic is therefore computed once per
// replication, over all the rows of that replication, and its mean and t-interval are taken over replications.
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "vfo/report/csv_table.hpp"
#include "vfo/report/sample_summary.hpp"

namespace vfo::report {

// The sign of a change that the paper's claim states.
enum class ExpectedSign { kNegative, kPositive };

// How the 95 % CI of a change lies against zero.
enum class Verdict {
  kAgrees,       // entirely on the expected side of zero (0 excluded)
  kWithinNoise,  // it contains 0, or is undefined (fewer than 2 replications)
  kDiffers,      // entirely on the other side
};

// "agrees", "within noise", "differs".
std::string verdict_name(Verdict verdict);

// The verdict of a change summarised over replications. A summary without values (n = 0) is within noise.
Verdict verdict_of(const SampleSummary& change, ExpectedSign expected);

// One verdict for a claim made of several changes: differs if any differs, agrees if all agree (and there is at
// least one), otherwise within noise.
Verdict combine_verdicts(const std::vector<Verdict>& verdicts);

// A change, measured once per replication and summarised over replications.
struct ChangeEstimate {
  SampleSummary absolute;      // in the metric's unit
  SampleSummary relative_pct;  // in percent; n = 0 when some replication's baseline (see below) is 0
  // Paired: the mean over replications of the treated and of the control mean. Trend: of the fitted value at
  // the last and at the first key value.
  double treated_mean = std::numeric_limits<double>::quiet_NaN();
  double control_mean = std::numeric_limits<double>::quiet_NaN();

  bool is_relative() const { return relative_pct.n > 0; }
  // What a claim reads: the relative change when every replication has one, else the absolute change.
  const SampleSummary& headline() const { return is_relative() ? relative_pct : absolute; }
  Verdict verdict(ExpectedSign expected) const { return verdict_of(headline(), expected); }
};

// From per-replication values: treated[i] and control[i] belong to replication i. absolute = treated - control;
// relative = 100 (treated / control - 1), defined when no control value is 0. Throws std::invalid_argument if
// the vectors differ in length or are empty.
ChangeEstimate change_between(const std::vector<double>& treated, const std::vector<double>& control);

using RowFilter = std::vector<std::pair<std::string, std::string>>;  // column = value (cell text), all must hold

// A mechanism compared with and without: rows whose `key` is `treated` against rows whose `key` is `control`.
struct PairedSpec {
  std::string key;                          // e.g. "control.live_migration"
  std::string treated, control;             // two values of `key`, e.g. "true" and "false"
  std::string metric;                       // a numeric column
  std::vector<std::string> match;           // columns equal within a pair: the other grid keys
  RowFilter where;                          // only the rows that pass
  std::string replication = "replication";  // the column naming the replication (or repetition)
};

// Pairs each treated row with the control row of the same replication and the same `match` values; a pair with
// an empty or non-numeric metric cell is left out. Per replication, treated and control are the means of the
// metric over that replication's pairs (so absolute is the mean per-pair difference); a replication without
// a pair is left out. Throws std::out_of_range for a missing column, std::invalid_argument when two rows
// claim the same place in a pair (a varying column missing from `match`) or no pair is found.
ChangeEstimate paired_change(const CsvTable& rows, const PairedSpec& spec);

// A trend of a metric along an ordered numeric key (e.g. downtime against environment.nodes).
struct TrendSpec {
  std::string key;     // numeric column, e.g. "environment.nodes"
  std::string metric;  // numeric column
  RowFilter where;
  bool descending = false;  // order the key's values from the largest to the smallest
  std::string replication = "replication";
};

// Per replication: the metric's mean at each value of the key (over the replication's rows with it, i.e. over
// the other keys), then the least-squares line through these means against the values' ranks 0, 1, ..., m - 1
// in the key's order (ranks, not the values themselves: the grid's spacing, e.g. K from 0.01 to 0.9, does not
// weigh the ends). absolute = the fitted change from the first to the last value (slope x (m - 1));
// relative = that change in percent of the replication's mean level (the mean of its m means). A replication
// with fewer than 2 key values is left out. Throws std::out_of_range for a missing column, std::invalid_argument
// when a key value is not a number or no replication has 2 values.
ChangeEstimate trend_change(const CsvTable& rows, const TrendSpec& spec);

// Two quantities of the same runs compared: per run, the sum of the `treated` columns against the sum of the
// `control` columns (e.g. a live migration's prepare + copy time against its downtime), over the rows that pass
// `where`; a row with an empty or non-numeric cell in any of them is left out. Per replication, treated and
// control are the means over its rows. Throws std::out_of_range for a missing column, std::invalid_argument
// when no row is left.
ChangeEstimate column_change(const CsvTable& rows, const std::vector<std::string>& treated,
                             const std::vector<std::string>& control, const RowFilter& where,
                             const std::string& replication = "replication");

// A summary as "MEAN UNIT [LOW, HIGH]" with `decimals` decimals and signs (e.g. "-25.7 % [-31.2, -20.1]"), or
// "MEAN UNIT (n = 1, no CI)" without a CI. `unit` may be empty.
std::string format_with_ci(const SampleSummary& summary, const std::string& unit, int decimals);

}  // namespace vfo::report
