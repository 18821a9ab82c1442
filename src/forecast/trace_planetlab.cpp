// PlanetLab CPU traces: one CPU % per line, a reading every 300 s from time 0; see trace_readers.hpp.
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "forecast/trace_parsing.hpp"
#include "vfo/forecast/trace_readers.hpp"

namespace vfo {
namespace {

namespace fs = std::filesystem;

constexpr double kStep_s = 300;  // PlanetLab's sampling period
constexpr std::string_view kExpectedPath = "a PlanetLab VM file, a day folder of them, or a folder of day folders";
constexpr std::string_view kExpectedReading = "one CPU percentage per line";

// The series of one VM file, named NAME.
UsageSeries read_vm_file(const fs::path& file, std::string name, double interval_s) {
  const std::string text = trace::read_whole_file(file, "a PlanetLab VM file, one CPU percentage per line");
  const std::string file_name = file.string();
  std::vector<UsageSample> samples;
  samples.reserve(288);
  std::size_t first_blank = 0;  // the first blank line met, 0 while none
  trace::LineCursor lines(text);
  while (lines.next()) {
    const std::string_view line = trace::trim(lines.line());
    if (line.empty()) {
      if (first_blank == 0) first_blank = lines.number();
      continue;
    }
    if (first_blank != 0) {
      trace::fail(trace::Place{file_name, first_blank},
                  "blank line inside the file (expected one CPU percentage per line; only the end may be blank)");
    }
    const double cpu = trace::parse_reading(line, {file_name, lines.number()}, "", kExpectedReading);
    samples.push_back({static_cast<double>(samples.size()) * kStep_s, cpu, std::numeric_limits<double>::quiet_NaN()});
  }
  if (samples.empty()) trace::fail(trace::Place{file_name, 1}, "empty file (expected one CPU percentage per line)");
  return resample(std::move(name), std::move(samples), interval_s, /*has_ram=*/false);
}

// The name of folder DIR, also when DIR is "." or ends with a '/'.
std::string folder_name(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

// Appends to OUT the series of the day folder DIR, whose (non-hidden) entries are ENTRIES.
void read_day(const fs::path& dir, const std::vector<fs::directory_entry>& entries, double interval_s,
              std::vector<UsageSeries>& out) {
  if (entries.empty()) trace::fail(dir.string(), "no series in the folder (expected PlanetLab VM files)");
  const std::string prefix = "planetlab:" + folder_name(dir) + "/";
  for (const fs::directory_entry& entry : entries) {
    std::error_code ec;
    if (!entry.is_regular_file(ec)) {
      trace::fail(entry.path().string(), "not a file (expected a PlanetLab VM file: a day folder holds only files)");
    }
    out.push_back(read_vm_file(entry.path(), prefix + entry.path().filename().string(), interval_s));
  }
}

}  // namespace

std::vector<UsageSeries> read_planetlab(const fs::path& path, double interval_s) {
  trace::check_interval(interval_s);
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::is_regular_file(status)) {
    return {read_vm_file(path, "planetlab:" + path.filename().string(), interval_s)};
  }
  if (!fs::is_directory(status))
    trace::fail(path.string(), "cannot read file (expected " + std::string(kExpectedPath) + ")");

  const std::vector<fs::directory_entry> entries = trace::list_folder(path, kExpectedPath);
  std::size_t folders = 0;
  for (const fs::directory_entry& entry : entries) folders += entry.is_directory(ec) ? 1 : 0;
  std::vector<UsageSeries> series;
  if (folders == 0) {
    read_day(path, entries, interval_s, series);
  } else if (folders == entries.size()) {
    for (const fs::directory_entry& day : entries) {
      read_day(day.path(), trace::list_folder(day.path(), "a PlanetLab day folder"), interval_s, series);
    }
  } else {
    trace::fail(path.string(),
                "holds both files and folders (expected a day folder of PlanetLab VM files, or a "
                "folder of day folders)");
  }
  trace::sort_by_name(series);
  return series;
}

}  // namespace vfo
