#include "vfo/report/aggregate.hpp"

#include <fmt/core.h>

#include <map>
#include <stdexcept>

#include "vfo/report/sample_summary.hpp"

namespace vfo::report {

CsvTable aggregate_replications(const CsvTable& results, const std::vector<std::string>& group_columns,
                                const std::vector<std::string>& skip_columns) {
  std::vector<std::size_t> group_index;
  for (const auto& name : group_columns) group_index.push_back(require_column(results, name, "aggregate_replications"));
  std::vector<bool> excluded(results.columns().size(), false);
  for (auto i : group_index) excluded[i] = true;
  for (const auto& name : skip_columns) excluded[require_column(results, name, "aggregate_replications")] = true;

  // The numeric columns.
  std::vector<std::size_t> numeric;
  for (std::size_t c = 0; c < results.columns().size(); ++c) {
    if (excluded[c]) continue;
    bool any = false;
    bool all_numeric = true;
    for (const auto& row : results.rows()) {
      if (row[c].empty()) continue;
      any = true;
      if (!parse_number(row[c])) {
        all_numeric = false;
        break;
      }
    }
    if (any && all_numeric) numeric.push_back(c);
  }

  // The groups, in order of first appearance.
  std::vector<std::vector<std::size_t>> groups;  // row indices of each group
  std::map<std::vector<std::string>, std::size_t> group_of;
  for (std::size_t r = 0; r < results.size(); ++r) {
    std::vector<std::string> key;
    for (auto i : group_index) key.push_back(results.rows()[r][i]);
    const auto [it, inserted] = group_of.emplace(std::move(key), groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(r);
  }

  std::vector<std::string> columns = group_columns;
  columns.emplace_back("runs");
  for (auto c : numeric) {
    for (const char* suffix : {"", "_sd", "_n", "_ci95"}) columns.push_back(results.columns()[c] + suffix);
  }
  CsvTable out(std::move(columns));
  for (const auto& rows : groups) {
    std::vector<std::string> cells;
    for (auto i : group_index) cells.push_back(results.rows()[rows.front()][i]);
    cells.push_back(std::to_string(rows.size()));
    for (auto c : numeric) {
      std::vector<double> values;
      for (auto r : rows) {
        if (auto v = parse_number(results.rows()[r][c])) values.push_back(*v);
      }
      const SampleSummary s = summarize(values);
      const auto number_or_empty = [](bool defined, double x) { return defined ? format_number(x) : std::string(); };
      cells.push_back(number_or_empty(s.n > 0, s.mean));
      cells.push_back(number_or_empty(s.n > 0, s.sd));
      cells.push_back(std::to_string(s.n));
      cells.push_back(number_or_empty(s.has_ci(), s.ci95));
    }
    out.add_row(std::move(cells));
  }
  return out;
}

}  // namespace vfo::report
