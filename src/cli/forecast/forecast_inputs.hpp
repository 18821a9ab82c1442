#pragma once
// The trace options `vfo forecast train` and `vfo forecast eval` share, and loading the series they name.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vfo/forecast/usage_series.hpp"

namespace vfo::cli {

struct TraceInputs {
  std::vector<std::string> traces;  // FORMAT:PATH
  double interval_s = 300;
  std::size_t max_series = 0;  // 0: all
  bool quiet = false;
};

// --trace (repeatable, required), --max-series, --quiet; --interval only when `with_interval` (eval reads
// the model's interval).
void add_trace_inputs(CLI::App& command, TraceInputs& inputs, bool with_interval);

// Reads every trace on the interval, checks that no series is named twice, keeps at most max_series
// (sample_series with `seed`). Says on stderr what it read unless quiet. Throws InputError.
std::vector<UsageSeries> load_series(const TraceInputs& inputs, double interval_s, std::uint64_t seed);

}  // namespace vfo::cli
