#include "cli/confidence.hpp"

#include <array>
#include <cmath>

namespace vfo::cli {

double t_quantile_975(std::size_t df) {
  static constexpr std::array<double, 30> kTable = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
      2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return 0;
  if (df <= kTable.size()) return kTable[df - 1];
  const double z = 1.959963984540054;
  const double v = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

MeanInterval mean_interval(const std::vector<double>& values) {
  MeanInterval m;
  m.n = values.size();
  if (m.n == 0) return m;
  double sum = 0;
  for (const double v : values) sum += v;
  m.mean = sum / static_cast<double>(m.n);
  if (m.n < 2) return m;
  double squares = 0;
  for (const double v : values) squares += (v - m.mean) * (v - m.mean);
  m.sd = std::sqrt(squares / static_cast<double>(m.n - 1));
  m.half_width = t_quantile_975(m.n - 1) * m.sd / std::sqrt(static_cast<double>(m.n));
  return m;
}

nlohmann::json to_json(const MeanInterval& m) {
  if (m.n < 2) return {{"n", m.n}, {"mean", m.mean}, {"sd", m.sd}, {"ci95_low", nullptr}, {"ci95_high", nullptr}};
  return {{"n", m.n}, {"mean", m.mean}, {"sd", m.sd}, {"ci95_low", m.low()}, {"ci95_high", m.high()}};
}

}  // namespace vfo::cli
