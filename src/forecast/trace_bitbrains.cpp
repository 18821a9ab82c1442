// Bitbrains GWA-T-12 (fastStorage, Rnd) VM files, one VM per file; see trace_readers.hpp.
#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "forecast/trace_parsing.hpp"
#include "vfo/forecast/trace_readers.hpp"

namespace vfo {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTimeColumn = "Timestamp [ms]";  // holds seconds despite its name
constexpr std::string_view kCpuColumn = "CPU usage [%]";
constexpr std::string_view kMemCapacityColumn = "Memory capacity provisioned [KB]";
constexpr std::string_view kMemUsageColumn = "Memory usage [KB]";
constexpr std::string_view kExpectedHeader =
    "a Bitbrains GWA-T-12 header: Timestamp [ms]; CPU cores; CPU capacity provisioned [MHZ]; CPU usage [MHZ]; "
    "CPU usage [%]; Memory capacity provisioned [KB]; Memory usage [KB]; ...";
constexpr std::string_view kExpectedPath = "a Bitbrains VM file, or a folder of *.csv VM files";

// Splits LINE at ';' into OUT, dropping the empty field a trailing ';' leaves.
void split_fields(std::string_view line, std::vector<std::string_view>& out) {
  trace::split_trimmed(line, ';', out);
  if (out.size() > 1 && out.back().empty()) out.pop_back();
}

// The series of one VM file.
UsageSeries read_vm_file(const fs::path& file, double interval_s) {
  const std::string text = trace::read_whole_file(file, "a Bitbrains VM file, " + std::string(kExpectedHeader));
  const std::string file_name = file.string();
  trace::LineCursor lines(text);
  if (!lines.next() || trace::trim(lines.line()).empty()) {
    trace::fail(trace::Place{file_name, 1}, "empty file (expected " + std::string(kExpectedHeader) + ")");
  }

  std::vector<std::string_view> header;
  split_fields(lines.line(), header);
  const trace::Place header_place{file_name, 1};
  const std::size_t time_col = trace::column_index(header, kTimeColumn, header_place, kExpectedHeader);
  const std::size_t cpu_col = trace::column_index(header, kCpuColumn, header_place, kExpectedHeader);
  const std::size_t capacity_col = trace::column_index(header, kMemCapacityColumn, header_place, kExpectedHeader);
  const std::size_t usage_col = trace::column_index(header, kMemUsageColumn, header_place, kExpectedHeader);

  std::vector<UsageSample> samples;
  std::vector<std::string_view> fields;
  while (lines.next()) {
    const std::string_view line = trace::trim(lines.line());
    if (line.empty()) continue;
    const trace::Place place{file_name, lines.number()};
    split_fields(line, fields);
    if (fields.size() != header.size()) {
      trace::fail(place, std::to_string(fields.size()) + " fields (expected " + std::to_string(header.size()) +
                             ", separated by ';', as in the header)");
    }
    const double time = trace::parse_reading(fields[time_col], place, kTimeColumn, "a time in seconds");
    const double cpu = trace::parse_reading(fields[cpu_col], place, kCpuColumn, "a percentage");
    const double capacity = trace::parse_reading(fields[capacity_col], place, kMemCapacityColumn, "a size in KB");
    const double usage = trace::parse_reading(fields[usage_col], place, kMemUsageColumn, "a size in KB");
    samples.push_back({time, cpu, capacity > 0 ? 100.0 * usage / capacity : 0.0});
  }
  if (samples.empty()) {
    trace::fail(trace::Place{file_name, lines.number() + 1}, "no readings (expected lines after the header)");
  }
  return resample("bitbrains:" + file.stem().string(), std::move(samples), interval_s, /*has_ram=*/true);
}

}  // namespace

std::vector<UsageSeries> read_bitbrains(const fs::path& path, double interval_s) {
  trace::check_interval(interval_s);
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::is_regular_file(status)) return {read_vm_file(path, interval_s)};
  if (!fs::is_directory(status))
    trace::fail(path.string(), "cannot read file (expected " + std::string(kExpectedPath) + ")");

  std::vector<UsageSeries> series;
  for (const fs::directory_entry& entry : trace::list_folder(path, kExpectedPath)) {
    if (entry.path().extension() != ".csv" || !entry.is_regular_file(ec)) continue;
    series.push_back(read_vm_file(entry.path(), interval_s));
  }
  if (series.empty())
    trace::fail(path.string(), "no .csv files in the folder (expected " + std::string(kExpectedPath) + ")");
  trace::sort_by_name(series);
  return series;
}

}  // namespace vfo
