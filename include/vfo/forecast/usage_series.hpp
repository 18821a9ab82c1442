#pragma once
// A node's (or VM's) resource usage over time, as the forecaster learns from it and predicts it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vfo {

// One usage time series on a fixed grid: reading i was taken over [start_s + i*interval_s,
// start_s + (i+1)*interval_s). Values are utilisations in percent of the node (0..100, a reading may
// exceed 100 when a trace says so). ram_pct is empty when the trace records no memory.
struct UsageSeries {
  std::string name;  // unique within a trace set, e.g. "planetlab:20110303/vm_1" (the split keys on it)
  double start_s = 0;
  double interval_s = 0;
  std::vector<double> cpu_pct;
  std::vector<double> ram_pct;  // empty, or as long as cpu_pct
  // Empty when every reading was measured; else as long as cpu_pct, 0 where the interval had no reading and
  // repeats the previous one (resampling fills gaps so the grid stays regular). Such a reading is never a
  // target (make_examples).
  std::vector<std::uint8_t> measured;

  bool is_measured(std::size_t i) const { return measured.empty() || measured[i] != 0; }
  bool has_ram() const { return !ram_pct.empty(); }
  std::size_t size() const { return cpu_pct.size(); }
};

}  // namespace vfo
