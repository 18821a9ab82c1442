#include "vfo/forecast/overload_calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "vfo/util/random.hpp"

namespace vfo {

namespace {

constexpr std::size_t kBlock = 8;  // residual vectors scanned per vectorised step
// fit() splits a quantile bin at every level_step percent of predicted CPU where both parts keep at least
// kMinSplitCount examples: equal-count bins alone put most bins where the data is (low load) and lump the high
// predictions, where overloads happen, into one bin of widely different residual spreads.
constexpr std::size_t kMinSplitCount = 100;

bool all_finite(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

// The largest float f <= t, so that for any float r: r > f exactly when double(r) > t.
float float_at_or_below(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

}  // namespace

OverloadCalibration::OverloadCalibration() : OverloadCalibration(State{1, {}, {}, {{0.0f}}}) {}

OverloadCalibration::OverloadCalibration(State state) : state_(std::move(state)) {
  const State& s = state_;
  if (s.channels != 1 && s.channels != 2) throw std::invalid_argument("OverloadCalibration: channels must be 1 or 2");
  if (!std::isfinite(s.thresholds.cpu_pct) || !std::isfinite(s.thresholds.ram_pct)) {
    throw std::invalid_argument("OverloadCalibration: thresholds must be finite");
  }
  if (s.residuals.empty() || s.bin_upper_edges.size() != s.residuals.size() - 1) {
    throw std::invalid_argument("OverloadCalibration: need B >= 1 residual bins and B - 1 edges");
  }
  for (std::size_t b = 0; b < s.bin_upper_edges.size(); ++b) {
    if (!std::isfinite(s.bin_upper_edges[b]) || (b > 0 && !(s.bin_upper_edges[b - 1] < s.bin_upper_edges[b]))) {
      throw std::invalid_argument("OverloadCalibration: bin edges must be finite and strictly increasing");
    }
  }
  const auto ch = static_cast<std::size_t>(s.channels);
  for (const std::vector<float>& bin : s.residuals) {
    if (bin.empty() || bin.size() % ch != 0 || !all_finite(bin)) {
      throw std::invalid_argument("OverloadCalibration: each bin needs whole, finite residual vectors");
    }
    // Columns padded to whole blocks with -inf, which never exceeds a headroom, so the scan in
    // probability() has a fixed-size inner loop the compiler vectorises.
    const std::size_t vectors = bin.size() / ch;
    const std::size_t padded = (vectors + kBlock - 1) / kBlock * kBlock;
    std::vector<std::vector<float>> columns(ch, std::vector<float>(padded, -std::numeric_limits<float>::infinity()));
    for (std::size_t k = 0; k < vectors; ++k) {
      for (std::size_t c = 0; c < ch; ++c) columns[c][k] = bin[k * ch + c];
    }
    residuals_by_channel_.push_back(std::move(columns));
  }
}

OverloadCalibration OverloadCalibration::fit(const std::vector<float>& predictions, const std::vector<float>& peaks,
                                             int channels, OverloadThresholds thresholds, std::uint64_t seed, int bins,
                                             int max_residuals_per_bin, double level_step) {
  if (channels != 1 && channels != 2) throw std::invalid_argument("OverloadCalibration::fit: channels must be 1 or 2");
  if (bins < 1 || max_residuals_per_bin < 1 || !(level_step >= 0)) {
    throw std::invalid_argument(
        "OverloadCalibration::fit: bins and max_residuals_per_bin must be >= 1, level_step >= 0");
  }
  const auto ch = static_cast<std::size_t>(channels);
  if (predictions.empty() || predictions.size() != peaks.size() || predictions.size() % ch != 0) {
    throw std::invalid_argument("OverloadCalibration::fit: need as many predictions as peaks, count x channels");
  }
  if (!all_finite(predictions) || !all_finite(peaks)) {
    throw std::invalid_argument("OverloadCalibration::fit: predictions and peaks must be finite");
  }
  const std::size_t n = predictions.size() / ch;
  auto cpu = [&](std::size_t e) { return predictions[e * ch]; };
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cpu(a) < cpu(b); });

  State state;
  state.channels = channels;
  state.thresholds = thresholds;
  // Bin ends: the quantile cuts (each moved up past predictions equal to the last one kept), then, inside each
  // quantile bin, a cut at every kLevelStep of predicted CPU that leaves kMinSplitCount examples on both sides.
  std::vector<std::size_t> ends;
  std::size_t begin = 0;
  for (int b = 1; b <= bins && begin < n; ++b) {
    std::size_t end =
        b == bins ? n : std::max(begin + 1, n * static_cast<std::size_t>(b) / static_cast<std::size_t>(bins));
    while (end < n && cpu(order[end]) == cpu(order[end - 1])) ++end;
    std::size_t part = begin;
    const double first_level = level_step > 0 ? std::ceil(cpu(order[begin]) / level_step) * level_step : 0;
    for (double level = first_level; level_step > 0 && level <= cpu(order[end - 1]); level += level_step) {
      const auto at = static_cast<std::size_t>(std::lower_bound(order.begin() + static_cast<std::ptrdiff_t>(part),
                                                                order.begin() + static_cast<std::ptrdiff_t>(end), level,
                                                                [&](std::size_t e, double l) { return cpu(e) < l; }) -
                                               order.begin());
      if (at - part >= kMinSplitCount && end - at >= kMinSplitCount) {
        ends.push_back(at);
        part = at;
      }
    }
    ends.push_back(end);
    begin = end;
  }

  Rng rng(seed);
  const auto cap = static_cast<std::size_t>(max_residuals_per_bin);
  begin = 0;
  for (const std::size_t end : ends) {
    // A uniform subset of `cap` members, by a partial Fisher-Yates shuffle of [begin, end).
    const std::size_t size = end - begin, keep = std::min(size, cap);
    std::vector<std::size_t> members(order.begin() + static_cast<std::ptrdiff_t>(begin),
                                     order.begin() + static_cast<std::ptrdiff_t>(end));
    for (std::size_t i = 0; i < keep && keep < size; ++i) {
      const std::size_t j =
          i + std::min(size - i - 1, static_cast<std::size_t>(rng.uniform() * static_cast<double>(size - i)));
      std::swap(members[i], members[j]);
    }
    std::vector<float> residuals;
    residuals.reserve(keep * ch);
    for (std::size_t i = 0; i < keep; ++i) {
      const std::size_t e = members[i];
      for (std::size_t c = 0; c < ch; ++c) residuals.push_back(peaks[e * ch + c] - predictions[e * ch + c]);
    }
    state.residuals.push_back(std::move(residuals));
    if (end < n) state.bin_upper_edges.push_back(0.5 * (static_cast<double>(cpu(order[end - 1])) + cpu(order[end])));
    begin = end;
  }
  return OverloadCalibration(std::move(state));
}

double OverloadCalibration::probability(const float* prediction) const {
  const auto& edges = state_.bin_upper_edges;
  const double x_cpu = prediction[0];
  const auto bin = static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), x_cpu) - edges.begin());
  const std::vector<std::vector<float>>& columns = residuals_by_channel_[bin];
  const float* r_cpu = columns[0].data();
  const std::size_t padded = columns[0].size();
  const float headroom_cpu = float_at_or_below(state_.thresholds.cpu_pct - x_cpu);
  std::uint32_t over = 0;
  if (state_.channels == 1) {
    for (std::size_t k = 0; k < padded; k += kBlock) {
      for (std::size_t j = 0; j < kBlock; ++j) over += r_cpu[k + j] > headroom_cpu;
    }
  } else {
    const float* r_ram = columns[1].data();
    const float headroom_ram = float_at_or_below(state_.thresholds.ram_pct - static_cast<double>(prediction[1]));
    for (std::size_t k = 0; k < padded; k += kBlock) {
      for (std::size_t j = 0; j < kBlock; ++j) over += (r_cpu[k + j] > headroom_cpu) | (r_ram[k + j] > headroom_ram);
    }
  }
  const std::size_t vectors = state_.residuals[bin].size() / static_cast<std::size_t>(state_.channels);
  return static_cast<double>(over) / static_cast<double>(vectors);
}

std::vector<double> OverloadCalibration::probabilities(const std::vector<float>& predictions) const {
  const auto ch = static_cast<std::size_t>(state_.channels);
  if (predictions.size() % ch != 0) {
    throw std::invalid_argument("OverloadCalibration::probabilities: size is not a multiple of channels");
  }
  std::vector<double> p(predictions.size() / ch);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = probability(predictions.data() + i * ch);
  return p;
}

}  // namespace vfo
