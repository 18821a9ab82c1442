#pragma once
// Private helpers of the trace readers (src/forecast/trace_*.cpp): whole-file reading, numbered lines, field
// splitting and parsing, folder listing, and InputError messages of the form
// "FILE:LINE: what is wrong (what was expected)", always on one line.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "vfo/forecast/usage_series.hpp"

namespace vfo::trace {

// Throws std::invalid_argument unless INTERVAL_S is a finite number > 0.
void check_interval(double interval_s);

// Throws InputError "WHERE: WHAT", with line breaks in it escaped so that what() is one line.
[[noreturn]] void fail(std::string_view where, std::string_view what);

// A line of a file, for error messages: "FILE:LINE".
struct Place {
  const std::string& file;
  std::size_t line;
};
[[noreturn]] void fail(const Place& place, std::string_view what);

// FIELD between double quotes, control characters escaped and a long field cut, fit for a one-line message.
std::string quoted(std::string_view field);

// TEXT without leading and trailing spaces, tabs and '\r'.
std::string_view trim(std::string_view text);

// Splits LINE at every SEPARATOR into OUT (cleared first), each field trimmed.
void split_trimmed(std::string_view line, char separator, std::vector<std::string_view>& out);

// Parses FIELD (trimmed) as a finite number >= 0; the whole field must be the number. Otherwise throws
// InputError "FILE:LINE: COLUMN: "FIELD" is not a number (expected EXPECTED)" (or "is negative", "is not
// finite", "missing"); "COLUMN: " is left out when COLUMN is empty.
double parse_reading(std::string_view field, const Place& place, std::string_view column, std::string_view expected);

// The index of HEADER's column named NAME. Throws InputError "FILE:LINE: header has no "NAME" column
// (expected EXPECTED)" at PLACE when there is none.
std::size_t column_index(const std::vector<std::string_view>& header, std::string_view name, const Place& place,
                         std::string_view expected);

// The whole content of the regular file at PATH, less a leading UTF-8 byte-order mark. Throws InputError "PATH: cannot
// read file (expected EXPECTED)".
std::string read_whole_file(const std::filesystem::path& path, std::string_view expected);

// The lines of a text, numbered from 1 and without their '\n'. A final '\n' does not start another line.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  // Moves to the next line; false when there is none.
  bool next();
  std::string_view line() const { return line_; }
  std::size_t number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::string_view line_;
  std::size_t number_ = 0;
};

// The entries of folder DIR whose names do not start with '.', sorted by name. Throws InputError
// "DIR: cannot read folder (expected EXPECTED)".
std::vector<std::filesystem::directory_entry> list_folder(const std::filesystem::path& dir, std::string_view expected);

// Sorts SERIES by name (names are unique within a reader's result).
void sort_by_name(std::vector<UsageSeries>& series);

}  // namespace vfo::trace
