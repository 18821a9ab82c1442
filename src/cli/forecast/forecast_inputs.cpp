#include "cli/forecast/forecast_inputs.hpp"

#include <fmt/format.h>

#include <set>

#include "cli/cli.hpp"
#include "vfo/forecast/trace_readers.hpp"
#include "vfo/forecast/training.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/text.hpp"

namespace vfo::cli {

void add_trace_inputs(CLI::App& command, TraceInputs& inputs, bool with_interval) {
  command
      .add_option("--trace", inputs.traces,
                  "FORMAT:PATH, repeatable; FORMAT is one of " + join(trace_formats(), ", ") + " (docs/cli.md)")
      ->required()
      ->take_all();
  if (with_interval) {
    command.add_option("--interval", inputs.interval_s, "resample every series to one reading per this many seconds")
        ->check(positive_number())
        ->capture_default_str();
  }
  command.add_option("--max-series", inputs.max_series, "use at most this many series (a seeded choice; 0: all)")
      ->capture_default_str();
  command.add_flag("--quiet", inputs.quiet, "no progress on stderr");
}

std::vector<UsageSeries> load_series(const TraceInputs& inputs, double interval_s, std::uint64_t seed) {
  std::vector<UsageSeries> all;
  std::set<std::string> names;
  for (const std::string& spec : inputs.traces) {
    std::vector<UsageSeries> read = read_trace(spec, interval_s);
    for (UsageSeries& s : read) {
      if (!names.insert(s.name).second) {
        throw InputError(fmt::format("--trace {}: series {} is given twice (expected each trace once)", spec, s.name));
      }
      all.push_back(std::move(s));
    }
    if (!inputs.quiet) fmt::print(stderr, "read {}: {} series\n", spec, read.size());
  }
  const std::size_t total = all.size();
  all = sample_series(std::move(all), inputs.max_series, seed);
  if (!inputs.quiet && all.size() < total) {
    fmt::print(stderr, "using {} of {} series (--max-series)\n", all.size(), total);
  }
  return all;
}

}  // namespace vfo::cli
