// Resampling, the shared parsing helpers of trace_parsing.hpp, and read_trace's dispatch on the format name.
#include "vfo/forecast/trace_readers.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "forecast/trace_parsing.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/text.hpp"

namespace vfo {
namespace trace {

void check_interval(double interval_s) {
  if (!(interval_s > 0) || !std::isfinite(interval_s)) {
    throw std::invalid_argument(
        fmt::format("trace interval must be a finite number of seconds > 0, got {}", interval_s));
  }
}

namespace {}  // namespace

void fail(std::string_view where, std::string_view what) {
  throw InputError(one_line(fmt::format("{}: {}", where, what)));
}

void fail(const Place& place, std::string_view what) {
  throw InputError(one_line(fmt::format("{}:{}: {}", place.file, place.line, what)));
}

std::string quoted(std::string_view field) {
  constexpr std::size_t kMaxShown = 40;
  std::string out = "\"";
  for (std::size_t i = 0; i < field.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(field[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (field.size() > kMaxShown) out += "...";
  out += '"';
  return out;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kBlank = " \t\r";
  const std::size_t first = text.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kBlank);
  return text.substr(first, last - first + 1);
}

void split_trimmed(std::string_view line, char separator, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = line.find(separator, begin);
    if (end == std::string_view::npos) {
      out.push_back(trim(line.substr(begin)));
      return;
    }
    out.push_back(trim(line.substr(begin, end - begin)));
    begin = end + 1;
  }
}

std::size_t column_index(const std::vector<std::string_view>& header, std::string_view name, const Place& place,
                         std::string_view expected) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    fail(place, "header has no " + quoted(name) + " column (expected " + std::string(expected) + ")");
  }
  return static_cast<std::size_t>(it - header.begin());
}

double parse_reading(std::string_view field, const Place& place, std::string_view column, std::string_view expected) {
  field = trim(field);
  const std::string prefix = column.empty() ? std::string() : fmt::format("{}: ", column);
  if (field.empty()) fail(place, fmt::format("{}missing (expected {})", prefix, expected));
  double value = 0;
  const char* const end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    fail(place, fmt::format("{}{} is not finite (expected {})", prefix, quoted(field), expected));
  }
  if (ec != std::errc() || ptr != end) {
    fail(place, fmt::format("{}{} is not a number (expected {})", prefix, quoted(field), expected));
  }
  if (!std::isfinite(value)) {
    fail(place, fmt::format("{}{} is not finite (expected {})", prefix, quoted(field), expected));
  }
  if (value < 0) fail(place, fmt::format("{}{} is negative (expected {})", prefix, quoted(field), expected));
  return value;
}

std::string read_whole_file(const std::filesystem::path& path, std::string_view expected) {
  std::string text = read_input_file(path, expected);
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // a UTF-8 byte-order mark
  return text;
}

bool LineCursor::next() {
  if (pos_ >= text_.size()) return false;
  const std::size_t end = text_.find('\n', pos_);
  if (end == std::string_view::npos) {
    line_ = text_.substr(pos_);
    pos_ = text_.size();
  } else {
    line_ = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
  }
  ++number_;
  return true;
}

std::vector<std::filesystem::directory_entry> list_folder(const std::filesystem::path& dir, std::string_view expected) {
  std::vector<std::filesystem::directory_entry> entries;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->path().filename().native().starts_with('.')) continue;
    entries.push_back(*it);
  }
  if (ec) fail(dir.string(), fmt::format("cannot read folder (expected {})", expected));
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  return entries;
}

void sort_by_name(std::vector<UsageSeries>& series) {
  std::sort(series.begin(), series.end(), [](const UsageSeries& a, const UsageSeries& b) { return a.name < b.name; });
}

}  // namespace trace

UsageSeries resample(std::string name, std::vector<UsageSample> samples, double interval_s, bool has_ram) {
  trace::check_interval(interval_s);
  UsageSeries series;
  series.name = std::move(name);
  series.interval_s = interval_s;
  if (samples.empty()) return series;
  std::stable_sort(samples.begin(), samples.end(),
                   [](const UsageSample& a, const UsageSample& b) { return a.time_s < b.time_s; });

  // Bin indices are taken on the absolute grid (floor(t / interval_s)), so every reading of one grid cell
  // lands in one bin whatever the first reading's time.
  constexpr double kMaxBins = 1e8;
  const double first_cell = std::floor(samples.front().time_s / interval_s);
  const double last_cell = std::floor(samples.back().time_s / interval_s);
  if (!(last_cell - first_cell < kMaxBins)) {
    trace::fail(series.name, fmt::format("readings span {} s to {} s, more than {} bins of {} s (expected a shorter "
                                         "trace or a longer interval)",
                                         samples.front().time_s, samples.back().time_s, kMaxBins, interval_s));
  }
  // A series that is nearly all gaps (a time field in another unit, a typo in one reading's time) would be
  // filled with copies of its readings: refused, as are series longer than kMaxBins.
  constexpr double kMaxBinsPerReading = 100;
  const double span_bins = last_cell - first_cell + 1;
  if (span_bins > 1000 && span_bins > kMaxBinsPerReading * static_cast<double>(samples.size())) {
    trace::fail(series.name, fmt::format("{} readings span {} s to {} s, {} intervals of {} s: mostly gaps "
                                         "(expected at least one reading per {} intervals; a time in another "
                                         "unit, or a wrong time in one reading?)",
                                         samples.size(), samples.front().time_s, samples.back().time_s, span_bins,
                                         interval_s, kMaxBinsPerReading));
  }
  series.start_s = first_cell * interval_s;
  const auto bins = static_cast<std::size_t>(last_cell - first_cell) + 1;

  std::vector<double> cpu_sum(bins, 0.0);
  std::vector<double> ram_sum(has_ram ? bins : 0, 0.0);
  std::vector<std::size_t> count(bins, 0);
  for (const UsageSample& s : samples) {
    const auto cell = std::floor(s.time_s / interval_s) - first_cell;
    const std::size_t bin = std::min(static_cast<std::size_t>(std::max(cell, 0.0)), bins - 1);
    cpu_sum[bin] += s.cpu_pct;
    if (has_ram) ram_sum[bin] += s.ram_pct;
    ++count[bin];
  }

  series.cpu_pct.resize(bins);
  if (has_ram) series.ram_pct.resize(bins);
  if (std::find(count.begin(), count.end(), std::size_t{0}) != count.end()) series.measured.assign(bins, 1);
  for (std::size_t b = 0; b < bins; ++b) {
    if (count[b] == 0) {  // bin 0 always holds the first reading
      series.measured[b] = 0;
      series.cpu_pct[b] = series.cpu_pct[b - 1];
      if (has_ram) series.ram_pct[b] = series.ram_pct[b - 1];
      continue;
    }
    const auto n = static_cast<double>(count[b]);
    series.cpu_pct[b] = cpu_sum[b] / n;
    if (has_ram) series.ram_pct[b] = ram_sum[b] / n;
  }
  return series;
}

std::vector<std::string> trace_formats() {
  return {"planetlab", "alibaba", "bitbrains", "vfo"};
}

std::vector<UsageSeries> read_trace(const std::string& spec, double interval_s) {
  trace::check_interval(interval_s);
  const std::string formats = fmt::format("{}", fmt::join(trace_formats(), ", "));
  const std::size_t colon = spec.find(':');
  if (colon == std::string::npos) {
    trace::fail(fmt::format("trace {}", trace::quoted(spec)),
                fmt::format("no format (expected FORMAT:PATH with FORMAT one of {})", formats));
  }
  const std::string format = spec.substr(0, colon);
  const std::filesystem::path path = spec.substr(colon + 1);
  if (path.empty()) {
    trace::fail(fmt::format("trace {}", trace::quoted(spec)), "no path (expected FORMAT:PATH)");
  }
  if (format == "planetlab") return read_planetlab(path, interval_s);
  if (format == "alibaba") return read_alibaba_machine_usage(path, interval_s);
  if (format == "bitbrains") return read_bitbrains(path, interval_s);
  if (format == "vfo") return read_node_trace(path, interval_s);
  trace::fail(fmt::format("trace {}", trace::quoted(spec)),
              fmt::format("unknown format {} (expected one of {})", trace::quoted(format), formats));
}

}  // namespace vfo
