#include "vfo/forecast/examples.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "vfo/util/random.hpp"

namespace vfo {

namespace {

// Channel c of series s: 0 = CPU, 1 = RAM.
const std::vector<double>& channel_readings(const UsageSeries& s, int c) {
  return c == 0 ? s.cpu_pct : s.ram_pct;
}

}  // namespace

Examples make_examples(const std::vector<UsageSeries>& series, WindowSpec spec, int channels) {
  if (spec.window < 1 || spec.horizon < 1)
    throw std::invalid_argument("make_examples: window and horizon must be >= 1");
  if (channels != 1 && channels != 2) throw std::invalid_argument("make_examples: channels must be 1 or 2");
  if (channels == 2) {
    for (const UsageSeries& s : series) {
      if (s.ram_pct.size() != s.cpu_pct.size()) {
        throw std::invalid_argument("make_examples: series '" + s.name + "' has no RAM readings as long as its CPU");
      }
    }
  }
  const auto window = static_cast<std::size_t>(spec.window);
  const auto horizon = static_cast<std::size_t>(spec.horizon);
  const auto ch = static_cast<std::size_t>(channels);

  std::size_t total = 0;
  for (const UsageSeries& s : series) {
    if (s.size() >= window + horizon) total += s.size() - window - horizon + 1;
  }
  Examples out;
  out.window = spec.window;
  out.channels = channels;
  out.inputs.reserve(total * window * ch);
  out.targets.reserve(total * ch);
  out.peaks.reserve(total * ch);
  out.series.reserve(total);
  out.steps.reserve(total);

  for (std::size_t index = 0; index < series.size(); ++index) {
    const UsageSeries& s = series[index];
    if (s.size() < window + horizon) continue;
    // Example `start` sees readings [start, start + window) and is followed by the horizon's readings
    // [start + window, start + window + horizon); its target is the last of those.
    for (std::size_t start = 0; start + window + horizon <= s.size(); ++start) {
      bool targets_measured = true;
      for (std::size_t step = start + window; step < start + window + horizon; ++step) {
        targets_measured = targets_measured && s.is_measured(step);
      }
      if (!targets_measured) continue;
      for (std::size_t step = start; step < start + window; ++step) {
        for (int c = 0; c < channels; ++c) out.inputs.push_back(static_cast<float>(channel_readings(s, c)[step]));
      }
      for (int c = 0; c < channels; ++c) {
        const std::vector<double>& x = channel_readings(s, c);
        const auto first = x.begin() + static_cast<std::ptrdiff_t>(start + window);
        out.targets.push_back(static_cast<float>(*(first + static_cast<std::ptrdiff_t>(horizon) - 1)));
        out.peaks.push_back(static_cast<float>(*std::max_element(first, first + static_cast<std::ptrdiff_t>(horizon))));
      }
      out.series.push_back(static_cast<int>(index));
      out.steps.push_back(static_cast<int>(start + window - 1));
    }
  }
  return out;
}

int channels_of(const std::vector<UsageSeries>& series) {
  if (series.empty()) return 1;
  const bool all_ram = std::all_of(series.begin(), series.end(), [](const UsageSeries& s) {
    return s.has_ram() && s.ram_pct.size() == s.cpu_pct.size();
  });
  return all_ram ? 2 : 1;
}

// The split is a pure function of (name, seed): u = keyed_uniform(seed, hash_name(name), 0) is uniform
// in [0, 1); the series goes to test when u < test, to validation when u < test + validation, else to
// train. So each split holds about its fraction of the series, and adding or removing other series
// never moves one.
Split split_of(const std::string& series_name, std::uint64_t seed, SplitFractions fractions) {
  if (!(fractions.validation >= 0) || !(fractions.test >= 0) || fractions.validation + fractions.test > 1) {
    throw std::invalid_argument("split_of: fractions must be >= 0 and sum to at most 1");
  }
  const double u = keyed_uniform(seed, hash_name(series_name), 0);
  if (u < fractions.test) return Split::test;
  if (u < fractions.test + fractions.validation) return Split::validation;
  return Split::train;
}

const char* split_name(Split split) {
  switch (split) {
    case Split::train:
      return "train";
    case Split::validation:
      return "validation";
    case Split::test:
      return "test";
  }
  return "unknown";
}

}  // namespace vfo
