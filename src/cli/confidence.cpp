#include "cli/confidence.hpp"

#include "vfo/report/sample_summary.hpp"

namespace vfo::cli {

MeanInterval mean_interval(const std::vector<double>& values) {
  MeanInterval m;
  m.n = values.size();
  if (m.n == 0) return m;
  const report::SampleSummary s = report::summarize(values);
  m.mean = s.mean;
  if (!s.has_ci()) return m;
  m.sd = s.sd;
  m.half_width = s.ci95;
  return m;
}

nlohmann::json to_json(const MeanInterval& m) {
  if (m.n < 2) return {{"n", m.n}, {"mean", m.mean}, {"sd", m.sd}, {"ci95_low", nullptr}, {"ci95_high", nullptr}};
  return {{"n", m.n}, {"mean", m.mean}, {"sd", m.sd}, {"ci95_low", m.low()}, {"ci95_high", m.high()}};
}

}  // namespace vfo::cli
