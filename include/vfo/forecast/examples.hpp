#pragma once
// Supervised examples cut from usage series: a window of past readings and what followed it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vfo/forecast/usage_series.hpp"

namespace vfo {

// What one example looks at, in steps of the series' interval.
struct WindowSpec {
  int window = 12;  // readings given to a model (>= 1)
  int horizon = 1;  // the target is the reading `horizon` steps after the window's last one (>= 1)
};

// Channel c of an example: 0 = CPU %, 1 = RAM % (present when channels == 2).
// Contract: inputs.size() == count() * window * channels (row-major: example, step, channel, oldest step
// first); targets.size() == peaks.size() == count() * channels; series.size() == count().
struct Examples {
  int window = 0;
  int channels = 0;
  std::vector<float> inputs;
  std::vector<float> targets;  // the reading `horizon` steps after the window
  std::vector<float> peaks;    // the largest reading over the horizon's steps (== targets when horizon is 1)
  std::vector<int> series;     // index, in the vector given to make_examples, of the example's series
  std::vector<int> steps;      // index, in its series, of the window's newest reading (empty when built by hand)

  std::size_t count() const { return series.size(); }
};

// Every example (stride 1) of each series long enough for one, except those whose horizon holds a reading
// that was not measured (UsageSeries::measured: a gap filled by resampling), so every target and peak is real.
// `channels` is 1 (CPU only) or 2 (CPU and RAM; every series must then have RAM). Throws std::invalid_argument on a bad
// spec or channel count.
Examples make_examples(const std::vector<UsageSeries>& series, WindowSpec spec, int channels);

// The number of channels a set of series supports: 2 when every series has RAM, else 1 (also for no
// series at all).
int channels_of(const std::vector<UsageSeries>& series);

// The split of the data a series belongs to. Keyed on the series' name and a seed, not on its position,
// so a series lands in the same split whatever else is loaded with it, and never in two.
// Rule: u = keyed_uniform(seed, hash_name(name), 0); test when u < fractions.test, validation when
// u < fractions.test + fractions.validation, else train. Throws std::invalid_argument when a fraction is
// negative or they sum to more than 1.
enum class Split { train, validation, test };
struct SplitFractions {
  double validation = 0.15;
  double test = 0.15;
};
Split split_of(const std::string& series_name, std::uint64_t seed, SplitFractions fractions = {});
const char* split_name(Split split);

}  // namespace vfo
