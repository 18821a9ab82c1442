#pragma once
// Replications -> one row per grid point: the mean, standard deviation and 95 % confidence interval of every
// numeric metric.
#include <string>
#include <vector>

#include "vfo/report/csv_table.hpp"

namespace vfo::report {

// Groups the rows of `results` by the values of `group_columns` (groups in order of first appearance, so
// rows already in grid order give the grid's order) and summarises every numeric column that is neither a
// group column nor in `skip_columns`.
//
// Output columns: the group columns, "runs" (rows in the group), then for each numeric column m, in the
// table's order: m (the mean), m_sd (the sample standard deviation, divisor n - 1; 0 when n = 1), m_n (the
// number of values, n) and m_ci95 (the half-width of the 95 % confidence interval of the mean, Student's t
// with n - 1 degrees of freedom: [m - m_ci95, m + m_ci95] covers the true mean with 95 % confidence; empty
// when n < 2, where it is undefined). See sample_summary.hpp.
// A column is numeric when every non-empty cell parses with parse_number ("true"/"false" count as 1/0) and
// at least one cell is non-empty; other columns (text, like a scenario name) are left out. Empty cells are
// left out of their group's mean; a group with no value gets empty cells and m_n = 0. Numbers are written with
// format_number and computed in row order, so the same input gives the same bytes.
// Throws std::out_of_range if a group or skip column does not exist.
CsvTable aggregate_replications(const CsvTable& results, const std::vector<std::string>& group_columns,
                                const std::vector<std::string>& skip_columns);

}  // namespace vfo::report
