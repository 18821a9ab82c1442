// vfo's own node trace: a CSV `time,node,cpu,ram`, many nodes in one file; see trace_readers.hpp.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "forecast/trace_parsing.hpp"
#include "vfo/forecast/trace_readers.hpp"

namespace vfo {
namespace {

constexpr std::string_view kExpectedHeader = "a header line time,node,cpu,ram";

}  // namespace

std::vector<UsageSeries> read_node_trace(const std::filesystem::path& csv, double interval_s) {
  trace::check_interval(interval_s);
  const std::string text = trace::read_whole_file(csv, "a vfo node trace CSV, " + std::string(kExpectedHeader));
  const std::string file_name = csv.string();
  trace::LineCursor lines(text);
  if (!lines.next() || trace::trim(lines.line()).empty()) {
    trace::fail(trace::Place{file_name, 1}, "empty file (expected " + std::string(kExpectedHeader) + ")");
  }

  std::vector<std::string_view> header;
  trace::split_trimmed(lines.line(), ',', header);
  const trace::Place header_place{file_name, 1};
  const std::size_t time_col = trace::column_index(header, "time", header_place, kExpectedHeader);
  const std::size_t node_col = trace::column_index(header, "node", header_place, kExpectedHeader);
  const std::size_t cpu_col = trace::column_index(header, "cpu", header_place, kExpectedHeader);
  const std::size_t ram_col = trace::column_index(header, "ram", header_place, kExpectedHeader);

  // Keys view into TEXT, which outlives the map; the map keeps the nodes sorted.
  std::map<std::string_view, std::vector<UsageSample>> by_node;
  std::vector<std::string_view> fields;
  while (lines.next()) {
    const std::string_view line = trace::trim(lines.line());
    if (line.empty()) continue;
    const trace::Place place{file_name, lines.number()};
    trace::split_trimmed(line, ',', fields);
    if (fields.size() != header.size()) {
      trace::fail(place, std::to_string(fields.size()) + " fields (expected " + std::to_string(header.size()) +
                             ", as in the header)");
    }
    if (fields[node_col].empty()) trace::fail(place, "node: missing (expected a node id)");
    const double time = trace::parse_reading(fields[time_col], place, "time", "a time in seconds");
    const double cpu = trace::parse_reading(fields[cpu_col], place, "cpu", "a percentage");
    const double ram = trace::parse_reading(fields[ram_col], place, "ram", "a percentage");
    by_node[fields[node_col]].push_back({time, cpu, ram});
  }
  if (by_node.empty()) {
    trace::fail(trace::Place{file_name, lines.number() + 1}, "no readings (expected lines after the header)");
  }

  std::vector<UsageSeries> series;
  series.reserve(by_node.size());
  for (auto& [node, samples] : by_node) {
    series.push_back(resample("vfo:" + std::string(node), std::move(samples), interval_s, /*has_ram=*/true));
  }
  trace::sort_by_name(series);
  return series;
}

}  // namespace vfo
