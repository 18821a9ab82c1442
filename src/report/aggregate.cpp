#include "vfo/report/aggregate.hpp"

#include <fmt/core.h>

#include <cmath>
#include <map>
#include <stdexcept>

namespace vfo::report {

namespace {

std::size_t require_column(const CsvTable& table, const std::string& name) {
  const auto index = table.column_index(name);
  if (!index) throw std::out_of_range(fmt::format("aggregate_replications: no column '{}'", name));
  return *index;
}

}  // namespace

CsvTable aggregate_replications(const CsvTable& results, const std::vector<std::string>& group_columns,
                                const std::vector<std::string>& skip_columns) {
  std::vector<std::size_t> group_index;
  for (const auto& name : group_columns) group_index.push_back(require_column(results, name));
  std::vector<bool> excluded(results.columns().size(), false);
  for (auto i : group_index) excluded[i] = true;
  for (const auto& name : skip_columns) excluded[require_column(results, name)] = true;

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
    columns.push_back(results.columns()[c]);
    columns.push_back(results.columns()[c] + "_sd");
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
      if (values.empty()) {
        cells.emplace_back();
        cells.emplace_back();
        continue;
      }
      double sum = 0;
      for (double v : values) sum += v;
      const double mean = sum / static_cast<double>(values.size());
      double squares = 0;
      for (double v : values) squares += (v - mean) * (v - mean);
      const double sd = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
      cells.push_back(format_number(mean));
      cells.push_back(format_number(sd));
    }
    out.add_row(std::move(cells));
  }
  return out;
}

}  // namespace vfo::report
