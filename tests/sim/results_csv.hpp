// Reads the results.csv of a `vfo sweep` (no quoted cells: vfo writes none for numeric grids) into rows of
// column -> cell, and groups a metric by a grid key; runs the sweep of a file of tests/sim/data.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "vfo_process.hpp"

namespace vfo::test {

using ResultRow = std::map<std::string, std::string>;

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  return cells;
}

// Every row of the file; empty when it cannot be read (the caller's assertions then fail).
inline std::vector<ResultRow> read_results(const std::filesystem::path& path) {
  std::ifstream csv(path);
  std::string line;
  std::vector<ResultRow> rows;
  if (!std::getline(csv, line)) return rows;
  const std::vector<std::string> header = split_csv_line(line);
  while (std::getline(csv, line)) {
    const std::vector<std::string> cells = split_csv_line(line);
    ResultRow row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// The number in `column` of `row`; a missing column fails the test and gives 0.
inline double number(const ResultRow& row, const std::string& column) {
  const auto it = row.find(column);
  EXPECT_NE(it, row.end()) << "no column " << column;
  return it == row.end() ? 0.0 : std::stod(it->second);
}

// The mean of `metric` over the rows whose `key` is `value`, and how many there were.
struct Mean {
  double value = 0;
  int runs = 0;
};
inline Mean mean_where(const std::vector<ResultRow>& rows, const std::string& key, const std::string& value,
                       const std::string& metric) {
  Mean m;
  for (const ResultRow& row : rows) {
    const auto it = row.find(key);
    if (it == row.end() || it->second != value) continue;
    m.value += number(row, metric);
    ++m.runs;
  }
  if (m.runs > 0) m.value /= m.runs;
  return m;
}

// `vfo sweep tests/sim/data/DATA_FILE --quiet` into a fresh folder named NAME; its results.csv rows (a failed
// sweep fails the test and gives no rows).
inline std::vector<ResultRow> sweep_data_file(const std::string& data_file, const std::string& name) {
  const std::filesystem::path out = fresh_dir(name);
  const Outcome o = run_vfo("sweep " + std::string(VFO_SOURCE_DIR) + "/tests/sim/data/" + data_file +
                            " --quiet --out " + out.string());
  EXPECT_EQ(o.exit_code, 0) << o.all();
  return read_results(out / "results.csv");
}

}  // namespace vfo::test
