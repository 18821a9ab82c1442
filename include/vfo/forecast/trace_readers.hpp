#pragma once
// Readers of public usage traces (PlanetLab, Alibaba 2018, Bitbrains GWA-T-12) and of vfo's own node trace,
// each turning a file or folder into `UsageSeries` on a fixed grid of `interval_s` seconds.
//
// Contracts shared by every reader:
// - Series come back sorted by name, whatever the order of files in a folder or of lines in a file.
// - Readings are kept as read (not clamped to 0..100) but must be finite numbers >= 0.
// - Bad input throws vfo::InputError whose what() is one line, "FILE:LINE: what is wrong (what was expected)";
//   a missing or unreadable path gives "PATH: cannot read file (expected ...)". An empty file, or a folder
//   holding no series, is bad input too.
// - interval_s <= 0 (or not finite) throws std::invalid_argument, before any file is read.
#include <filesystem>
#include <string>
#include <vector>

#include "vfo/forecast/usage_series.hpp"

namespace vfo {

// A timestamped reading before resampling; ram_pct is NaN when the format has no memory column.
struct UsageSample {
  double time_s;
  double cpu_pct;
  double ram_pct;
};

// Resamples SAMPLES (any order of time; sorted inside, stable) onto a grid of `interval_s`: the grid starts at
// floor(first time / interval_s) * interval_s and ends with the bin of the last reading; reading t falls in bin
// floor(t / interval_s). Each bin's value is the mean of the readings in it; an empty bin takes the previous
// bin's value. ram_pct is filled only when HAS_RAM. No samples give an empty series. Throws
// std::invalid_argument when interval_s <= 0, InputError when the readings would span more than 10^8 bins.
UsageSeries resample(std::string name, std::vector<UsageSample> samples, double interval_s, bool has_ram);

// PlanetLab CPU traces (CoMon, as shipped with CloudSim): one CPU % per line, a reading every 300 s from
// time 0, no RAM. PATH is one VM file (series "planetlab:<vm>"), a day folder of VM files, or a folder of day
// folders (series "planetlab:<day>/<vm>", day = the folder's name). Hidden files and folders are skipped;
// blank lines may end a file but not interrupt it.
std::vector<UsageSeries> read_planetlab(const std::filesystem::path& path, double interval_s);

// Alibaba cluster-trace-v2018 machine_usage.csv: no header; machine_id, time_stamp (s), cpu_util_percent,
// mem_util_percent, then up to five more columns that may be empty and are ignored. CPU and memory are
// required on every line. One series per machine, "alibaba:<machine_id>", with RAM.
std::vector<UsageSeries> read_alibaba_machine_usage(const std::filesystem::path& csv, double interval_s);

// Bitbrains GWA-T-12 (fastStorage, Rnd) VM files: a header line naming the columns, fields separated by ';'
// (whitespace around it ignored). "Timestamp [ms]" holds seconds despite its name; cpu = "CPU usage [%]";
// ram = 100 * "Memory usage [KB]" / "Memory capacity provisioned [KB]" (0 when the capacity is 0).
// PATH is one VM file or a folder whose *.csv files are VMs; series "bitbrains:<file stem>".
std::vector<UsageSeries> read_bitbrains(const std::filesystem::path& path, double interval_s);

// vfo's own node trace: a CSV with header `time,node,cpu,ram` (columns in any order, extra columns ignored),
// time in s, node an id, cpu and ram in percent. One series per node, "vfo:<node>", with RAM.
std::vector<UsageSeries> read_node_trace(const std::filesystem::path& csv, double interval_s);

// Reads SPEC = "FORMAT:PATH" with FORMAT one of trace_formats() (planetlab, alibaba, bitbrains, vfo).
// Throws InputError on an unknown or missing format.
std::vector<UsageSeries> read_trace(const std::string& spec, double interval_s);

// The names read_trace accepts, for help texts and errors.
std::vector<std::string> trace_formats();

}  // namespace vfo
