// Alibaba cluster-trace-v2018 machine_usage.csv: one series per machine; see trace_readers.hpp.
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "forecast/trace_parsing.hpp"
#include "vfo/forecast/trace_readers.hpp"

namespace vfo {
namespace {

constexpr std::size_t kRequiredFields = 4;  // machine_id, time_stamp, cpu_util_percent, mem_util_percent
constexpr std::size_t kMaxFields = 9;       // ... mem_gps, mpki, net_in, net_out, disk_io_percent
constexpr std::string_view kColumns =
    "machine_id, time_stamp, cpu_util_percent, mem_util_percent, mem_gps, mpki, net_in, net_out, disk_io_percent";

}  // namespace

std::vector<UsageSeries> read_alibaba_machine_usage(const std::filesystem::path& csv, double interval_s) {
  trace::check_interval(interval_s);
  const std::string text = trace::read_whole_file(csv, "an Alibaba 2018 machine_usage.csv");
  const std::string file_name = csv.string();

  // Keys view into TEXT, which outlives the map.
  std::unordered_map<std::string_view, std::vector<UsageSample>> by_machine;
  std::vector<std::string_view> fields;
  trace::LineCursor lines(text);
  while (lines.next()) {
    const std::string_view line = trace::trim(lines.line());
    if (line.empty()) continue;
    const trace::Place place{file_name, lines.number()};
    trace::split_trimmed(line, ',', fields);
    if (fields.size() < kRequiredFields || fields.size() > kMaxFields) {
      trace::fail(place, std::to_string(fields.size()) +
                             " fields (expected up to 9, the first 4 filled: " + std::string(kColumns) + ")");
    }
    if (fields[0].empty()) trace::fail(place, "machine_id: missing (expected a machine id such as m_1932)");
    const double time = trace::parse_reading(fields[1], place, "time_stamp", "a time in seconds");
    const double cpu = trace::parse_reading(fields[2], place, "cpu_util_percent", "a percentage");
    const double ram = trace::parse_reading(fields[3], place, "mem_util_percent", "a percentage");
    by_machine[fields[0]].push_back({time, cpu, ram});
  }
  if (by_machine.empty()) {
    trace::fail(trace::Place{file_name, 1}, "empty file (expected lines of " + std::string(kColumns) + ")");
  }

  std::vector<UsageSeries> series;
  series.reserve(by_machine.size());
  for (auto& [machine, samples] : by_machine) {
    series.push_back(resample("alibaba:" + std::string(machine), std::move(samples), interval_s, /*has_ram=*/true));
  }
  trace::sort_by_name(series);
  return series;
}

}  // namespace vfo
