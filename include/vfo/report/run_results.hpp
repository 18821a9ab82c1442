#pragma once
// The per-run results of a sweep: each run's summary.json, flattened into metric columns, becomes one row of
// results.csv after the run's grid values, replication and seed.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vfo/report/csv_table.hpp"

namespace vfo::report {

// A flattened metric: column name and cell text.
using Metric = std::pair<std::string, std::string>;

// Flattens one summary (a JSON object) into metrics, in the JSON's key order: nested objects join their keys
// with '_' ({"migrations":{"cold":3}} -> migrations_cold), array elements are suffixed with their index
// (a_0, a_1), integers are written as integers, other numbers by format_number, booleans as "true"/"false",
// strings as they are, null as an empty cell. Throws vfo::InputError ("SOURCE: ...") if the text is not JSON
// or its top level is not an object.
std::vector<Metric> flatten_summary(std::string_view json_text, const std::string& source_name);

// The same, reading the file at `path` (named in messages). Throws vfo::InputError if it cannot be read.
std::vector<Metric> read_summary(const std::string& path);

// One run of a sweep.
struct RunRecord {
  std::vector<std::string> key_values;  // one per key column (the grid's values as YAML text)
  int replication = 0;
  std::uint64_t seed = 0;
  std::vector<Metric> metrics;  // flatten_summary of the run's summary.json
};

// The results table: columns `key_columns`, "replication", "seed", then every metric column in order of first
// appearance over `runs`; one row per run, in the given order. A run that lacks a metric gets an empty cell.
// A metric named like an earlier column (e.g. the summary's own "seed") is left out: the earlier column wins.
CsvTable make_results_table(const std::vector<std::string>& key_columns, const std::vector<RunRecord>& runs);

}  // namespace vfo::report
