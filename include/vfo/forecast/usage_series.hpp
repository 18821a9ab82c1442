#pragma once
// A node's (or VM's) resource usage over time, as the forecaster learns from it and predicts it.
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

  bool has_ram() const { return !ram_pct.empty(); }
  std::size_t size() const { return cpu_pct.size(); }
};

}  // namespace vfo
