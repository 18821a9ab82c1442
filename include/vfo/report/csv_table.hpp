#pragma once
// A small table of text cells written and read as CSV (RFC 4180): fields that contain a comma, a double
// quote, a line break or leading/trailing spaces are quoted, with inner quotes doubled; lines end in "\n".
// Cells are text: numbers are formatted by whoever fills the table (see format_number), so that the same
// values always give the same bytes.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfo::report {

class CsvTable {
 public:
  CsvTable() = default;
  explicit CsvTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}

  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  std::size_t size() const { return rows_.size(); }

  // Index of the column named `name`, if any.
  std::optional<std::size_t> column_index(std::string_view name) const;

  // Appends a row; throws std::invalid_argument unless it has one cell per column.
  void add_row(std::vector<std::string> row);

  // The cell of row `row` in column `name`; throws std::out_of_range if there is no such column or row.
  const std::string& at(std::size_t row, std::string_view name) const;

  // The whole table as CSV text: a header line, then one line per row.
  std::string to_csv() const;

  // Writes to_csv() to `path` through a temporary file renamed into place, so a reader never sees half a
  // file. Throws std::runtime_error naming the path if it cannot be written.
  void write(const std::filesystem::path& path) const;

  // Parses CSV text whose first record is the header; `source_name` stands for the file in messages.
  // Throws vfo::InputError ("SOURCE:LINE: ...") on an unterminated quote or a row of the wrong width.
  static CsvTable parse(std::string_view text, const std::string& source_name);

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// The index of column `name` of `table`; throws std::out_of_range "USER: no column 'NAME'" if there is none.
std::size_t require_column(const CsvTable& table, std::string_view name, std::string_view user);

// One field as it appears in CSV: quoted only when it must be.
std::string quote_csv_field(std::string_view field);

// The shortest text that reads back as the same double ("0.1", "3600", "1e+20"); "nan", "inf", "-inf" for
// non-finite values.
std::string format_number(double value);

// Parses a whole cell as a number: a decimal or exponent number, or "true"/"false" as 1/0. Empty, text and
// partly numeric cells give nullopt.
std::optional<double> parse_number(std::string_view cell);

}  // namespace vfo::report
