#include "vfo/report/paired_comparison.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

namespace vfo::report {

namespace {

constexpr std::string_view kUser = "paired comparison";

// The rows that pass a filter.
class RowSelection {
 public:
  RowSelection(const CsvTable& table, const RowFilter& where) {
    for (const auto& [column, value] : where) filters_.emplace_back(require_column(table, column, kUser), value);
  }
  bool passes(const std::vector<std::string>& row) const {
    return std::all_of(filters_.begin(), filters_.end(), [&](const auto& f) { return row[f.first] == f.second; });
  }

 private:
  std::vector<std::pair<std::size_t, std::string>> filters_;
};

// Sums of treated and control values per replication, replications in order of first appearance.
class PerReplication {
 public:
  void add(const std::string& replication, double treated, double control) {
    const auto [it, inserted] = index_.emplace(replication, sums_.size());
    if (inserted) sums_.push_back({});
    Sums& s = sums_[it->second];
    s.treated += treated;
    s.control += control;
    ++s.count;
  }
  bool empty() const { return sums_.empty(); }
  ChangeEstimate estimate() const {
    std::vector<double> treated, control;
    for (const Sums& s : sums_) {
      treated.push_back(s.treated / static_cast<double>(s.count));
      control.push_back(s.control / static_cast<double>(s.count));
    }
    return change_between(treated, control);
  }

 private:
  struct Sums {
    double treated = 0, control = 0;
    std::size_t count = 0;
  };
  std::map<std::string, std::size_t> index_;
  std::vector<Sums> sums_;
};

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// The estimate from per-replication changes; `relative` counts only when `relative_defined`.
ChangeEstimate estimate_of(const std::vector<double>& absolute, const std::vector<double>& relative,
                           bool relative_defined, const std::vector<double>& treated,
                           const std::vector<double>& control) {
  ChangeEstimate e;
  e.absolute = summarize(absolute);
  if (relative_defined) e.relative_pct = summarize(relative);
  e.treated_mean = mean_of(treated);
  e.control_mean = mean_of(control);
  return e;
}

}  // namespace

std::string verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAgrees:
      return "agrees";
    case Verdict::kWithinNoise:
      return "within noise";
    case Verdict::kDiffers:
      return "differs";
  }
  return "?";
}

Verdict verdict_of(const SampleSummary& change, ExpectedSign expected) {
  if (!change.has_ci() || !std::isfinite(change.low()) || !std::isfinite(change.high())) return Verdict::kWithinNoise;
  const bool below = change.high() < 0;
  const bool above = change.low() > 0;
  if (!below && !above) return Verdict::kWithinNoise;
  return below == (expected == ExpectedSign::kNegative) ? Verdict::kAgrees : Verdict::kDiffers;
}

Verdict combine_verdicts(const std::vector<Verdict>& verdicts) {
  if (std::find(verdicts.begin(), verdicts.end(), Verdict::kDiffers) != verdicts.end()) return Verdict::kDiffers;
  const bool all_agree = !verdicts.empty() &&
                         std::all_of(verdicts.begin(), verdicts.end(), [](Verdict v) { return v == Verdict::kAgrees; });
  return all_agree ? Verdict::kAgrees : Verdict::kWithinNoise;
}

ChangeEstimate change_between(const std::vector<double>& treated, const std::vector<double>& control) {
  if (treated.size() != control.size()) {
    throw std::invalid_argument(
        fmt::format("change_between: {} treated values against {} control values", treated.size(), control.size()));
  }
  if (treated.empty()) throw std::invalid_argument("change_between: no values");
  std::vector<double> absolute, relative;
  bool relative_defined = true;
  for (std::size_t i = 0; i < treated.size(); ++i) {
    absolute.push_back(treated[i] - control[i]);
    relative_defined = relative_defined && control[i] != 0;
    if (relative_defined) relative.push_back(100 * (treated[i] / control[i] - 1));
  }
  return estimate_of(absolute, relative, relative_defined, treated, control);
}

ChangeEstimate paired_change(const CsvTable& rows, const PairedSpec& spec) {
  const std::size_t key = require_column(rows, spec.key, kUser);
  const std::size_t metric = require_column(rows, spec.metric, kUser);
  const std::size_t replication = require_column(rows, spec.replication, kUser);
  std::vector<std::size_t> match;
  for (const auto& column : spec.match) match.push_back(require_column(rows, column, kUser));
  const RowSelection selection(rows, spec.where);

  // Each pair's place: replication and match values; its two rows.
  struct Pair {
    std::optional<std::size_t> treated, control;
  };
  std::map<std::vector<std::string>, Pair> pairs;
  std::vector<std::vector<std::string>> order;  // places in order of first appearance
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows.rows()[r];
    const bool is_treated = row[key] == spec.treated;
    if ((!is_treated && row[key] != spec.control) || !selection.passes(row)) continue;
    std::vector<std::string> place = {row[replication]};
    for (auto m : match) place.push_back(row[m]);
    const auto [it, inserted] = pairs.emplace(place, Pair{});
    if (inserted) order.push_back(place);
    auto& slot = is_treated ? it->second.treated : it->second.control;
    if (slot) {
      std::string where = spec.replication + "=" + place[0];
      for (std::size_t i = 0; i < spec.match.size(); ++i) where += ", " + spec.match[i] + "=" + place[i + 1];
      throw std::invalid_argument(fmt::format(
          "paired comparison of {}: rows {} and {} both have {}={} at {} (a varying column is missing from the "
          "columns to match)",
          spec.metric, *slot + 1, r + 1, spec.key, row[key], where));
    }
    slot = r;
  }
  PerReplication sums;
  for (const auto& place : order) {
    const Pair& pair = pairs.at(place);
    if (!pair.treated || !pair.control) continue;
    const auto treated = parse_number(rows.rows()[*pair.treated][metric]);
    const auto control = parse_number(rows.rows()[*pair.control][metric]);
    if (treated && control) sums.add(place[0], *treated, *control);
  }
  if (sums.empty()) {
    throw std::invalid_argument(fmt::format("paired comparison of {}: no pair of rows with {}={} and {}={}",
                                            spec.metric, spec.key, spec.treated, spec.key, spec.control));
  }
  return sums.estimate();
}

ChangeEstimate trend_change(const CsvTable& rows, const TrendSpec& spec) {
  const std::size_t key = require_column(rows, spec.key, kUser);
  const std::size_t metric = require_column(rows, spec.metric, kUser);
  const std::size_t replication = require_column(rows, spec.replication, kUser);
  const RowSelection selection(rows, spec.where);

  // The key's values in order, and per replication and value the metric's sum and count.
  std::vector<double> values;
  std::vector<std::string> replications;
  std::map<std::pair<std::string, double>, std::pair<double, std::size_t>> cells;
  for (const auto& row : rows.rows()) {
    if (!selection.passes(row)) continue;
    const auto x = parse_number(row[key]);
    if (!x || row[key] == "true" || row[key] == "false") {
      throw std::invalid_argument(fmt::format(
          "trend of {}: {} = '{}' is not a number (expected an ordered numeric key)", spec.metric, spec.key, row[key]));
    }
    const auto y = parse_number(row[metric]);
    if (!y) continue;
    if (std::find(values.begin(), values.end(), *x) == values.end()) values.push_back(*x);
    if (std::find(replications.begin(), replications.end(), row[replication]) == replications.end()) {
      replications.push_back(row[replication]);
    }
    auto& cell = cells[{row[replication], *x}];
    cell.first += *y;
    cell.second += 1;
  }
  std::sort(values.begin(), values.end());
  if (spec.descending) std::reverse(values.begin(), values.end());

  std::vector<double> absolute, relative, first, last;
  bool relative_defined = true;
  for (const auto& rep : replications) {
    // (rank, mean) of the values this replication has.
    std::vector<std::pair<double, double>> points;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const auto it = cells.find({rep, values[i]});
      if (it != cells.end()) {
        points.emplace_back(static_cast<double>(i), it->second.first / static_cast<double>(it->second.second));
      }
    }
    if (points.size() < 2) continue;
    double mean_rank = 0, level = 0;
    for (const auto& [rank, y] : points) {
      mean_rank += rank;
      level += y;
    }
    mean_rank /= static_cast<double>(points.size());
    level /= static_cast<double>(points.size());
    double sxy = 0, sxx = 0;
    for (const auto& [rank, y] : points) {
      sxy += (rank - mean_rank) * (y - level);
      sxx += (rank - mean_rank) * (rank - mean_rank);
    }
    const double change = sxy / sxx * static_cast<double>(values.size() - 1);
    first.push_back(level - sxy / sxx * mean_rank);
    last.push_back(first.back() + change);
    absolute.push_back(change);
    relative_defined = relative_defined && level != 0;
    if (relative_defined) relative.push_back(100 * change / level);
  }
  if (absolute.empty()) {
    throw std::invalid_argument(
        fmt::format("trend of {} along {}: no replication has two values of the key", spec.metric, spec.key));
  }
  return estimate_of(absolute, relative, relative_defined, last, first);
}

ChangeEstimate column_change(const CsvTable& rows, const std::vector<std::string>& treated,
                             const std::vector<std::string>& control, const RowFilter& where,
                             const std::string& replication) {
  const std::size_t rep = require_column(rows, replication, kUser);
  std::vector<std::size_t> treated_columns, control_columns;
  for (const auto& c : treated) treated_columns.push_back(require_column(rows, c, kUser));
  for (const auto& c : control) control_columns.push_back(require_column(rows, c, kUser));
  const RowSelection selection(rows, where);
  // The sum of a row's cells in `columns`, or nullopt when one is not a number.
  const auto sum = [](const std::vector<std::string>& row, const std::vector<std::size_t>& columns) {
    std::optional<double> total = 0.0;
    for (auto c : columns) {
      const auto v = parse_number(row[c]);
      if (!v) return std::optional<double>();
      *total += *v;
    }
    return total;
  };
  PerReplication sums;
  for (const auto& row : rows.rows()) {
    if (!selection.passes(row)) continue;
    const auto t = sum(row, treated_columns);
    const auto c = sum(row, control_columns);
    if (t && c) sums.add(row[rep], *t, *c);
  }
  if (sums.empty()) throw std::invalid_argument("column comparison: no row with numbers in every compared column");
  return sums.estimate();
}

std::string format_with_ci(const SampleSummary& summary, const std::string& unit, int decimals) {
  const std::string space_unit = unit.empty() ? "" : " " + unit;
  if (summary.n == 0) return "-";
  if (!summary.has_ci())
    return fmt::format("{:+.{}f}{} (n = {}, no CI)", summary.mean, decimals, space_unit, summary.n);
  return fmt::format("{:+.{}f}{} [{:+.{}f}, {:+.{}f}]", summary.mean, decimals, space_unit, summary.low(), decimals,
                     summary.high(), decimals);
}

}  // namespace vfo::report
