#include "vfo/report/csv_table.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>

#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo::report {

std::optional<std::size_t> CsvTable::column_index(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return i;
  }
  return std::nullopt;
}

void CsvTable::add_row(std::vector<std::string> row) {
  if (row.size() != columns_.size()) {
    throw std::invalid_argument(fmt::format("CsvTable::add_row: {} cells for {} columns", row.size(), columns_.size()));
  }
  rows_.push_back(std::move(row));
}

const std::string& CsvTable::at(std::size_t row, std::string_view name) const {
  const auto column = column_index(name);
  if (!column) throw std::out_of_range(fmt::format("CsvTable: no column '{}'", name));
  return rows_.at(row).at(*column);
}

std::size_t require_column(const CsvTable& table, std::string_view name, std::string_view user) {
  const auto index = table.column_index(name);
  if (!index) throw std::out_of_range(fmt::format("{}: no column '{}'", user, name));
  return *index;
}

std::string quote_csv_field(std::string_view field) {
  const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs_quotes) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

static void append_record(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    out += quote_csv_field(cells[i]);
  }
  out += '\n';
}

std::string CsvTable::to_csv() const {
  std::string out;
  append_record(out, columns_);
  for (const auto& row : rows_) append_record(out, row);
  return out;
}

void CsvTable::write(const std::filesystem::path& path) const {
  write_file_atomically(path, to_csv());
}

CsvTable CsvTable::parse(std::string_view text, const std::string& source_name) {
  std::vector<std::vector<std::string>> records;
  std::vector<int> record_lines;  // line on which each record starts
  std::vector<std::string> record;
  std::string field;
  int line = 1;
  int record_line = 1;
  std::size_t i = 0;
  bool record_open = false;  // a record has started on this line (so a final line without "\n" counts)
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && field.empty()) {
      // A quoted field: runs to the matching quote; "" is one quote.
      const int quote_line = line;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      if (!closed) {
        throw InputError(
            fmt::format("{}:{}: unterminated quoted field (expected a closing '\"')", source_name, quote_line));
      }
      record_open = true;
      continue;
    }
    if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      record_open = true;
      ++i;
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (c == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record_lines.push_back(record_line);
      record.clear();
      record_open = false;
      ++line;
      record_line = line;
      ++i;
      continue;
    }
    field += c;
    record_open = true;
    ++i;
  }
  if (record_open) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
    record_lines.push_back(record_line);
  }

  if (records.empty()) throw InputError(fmt::format("{}:1: empty CSV file (expected a header line)", source_name));
  CsvTable table(std::move(records.front()));
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != table.columns_.size()) {
      throw InputError(fmt::format("{}:{}: {} fields (expected {}, as in the header)", source_name, record_lines[r],
                                   records[r].size(), table.columns_.size()));
    }
    table.rows_.push_back(std::move(records[r]));
  }
  return table;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return "0";  // also for -0
  return fmt::format("{}", value);
}

std::optional<double> parse_number(std::string_view cell) {
  if (cell == "true") return 1.0;
  if (cell == "false") return 0.0;
  if (cell.empty()) return std::nullopt;
  if (cell.front() == '+') cell.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
  return value;
}

}  // namespace vfo::report
