#include "cli/sink_arrivals.hpp"

#include <algorithm>

#include "vfo/runtime/builtin_functions.hpp"

namespace vfo::cli {

void SinkArrivals::add(const nlohmann::json& sink_stats) {
  if (!sink_stats.is_object() || !sink_stats.contains("arrivals_ns") || !sink_stats["arrivals_ns"].is_array()) return;
  const auto& window = sink_stats["arrivals_ns"];
  const bool had_times = !times_.empty();
  const std::int64_t last = had_times ? times_.back() : 0;
  bool seen_before = false;
  for (const auto& t : window) {
    const std::int64_t ns = t.get<std::int64_t>();
    if (ns <= last) {
      seen_before = true;
      continue;
    }
    times_.push_back(ns);
  }
  if (had_times && !seen_before && window.size() >= runtime::kSinkArrivalWindow) ++missed_windows_;
}

bool sink_started_anew(const nlohmann::json& before, const nlohmann::json& now) {
  if (!before.is_object() || !now.is_object()) return false;
  const std::uint64_t frames_before = before.value("frames", 0ull);
  if (frames_before == 0) return false;
  return now.value("first_seq", 0ull) != before.value("first_seq", 0ull) || now.value("frames", 0ull) < frames_before;
}

std::vector<double> frames_per_second(const std::vector<std::int64_t>& arrivals_ns, std::int64_t origin_ns,
                                      std::size_t seconds) {
  // N(t): k arrivals by t, plus the share of the way from the k-th to the next.
  const auto count_at = [&](std::int64_t t) {
    const auto after = std::upper_bound(arrivals_ns.begin(), arrivals_ns.end(), t);
    const auto k = static_cast<double>(after - arrivals_ns.begin());
    if (after == arrivals_ns.begin() || after == arrivals_ns.end()) return k;
    const double from = static_cast<double>(*(after - 1));
    return k + (static_cast<double>(t) - from) / (static_cast<double>(*after) - from);
  };
  std::vector<double> fps(seconds, 0.0);
  double before = count_at(origin_ns);
  for (std::size_t i = 0; i < seconds; ++i) {
    const double now = count_at(origin_ns + static_cast<std::int64_t>(i + 1) * 1'000'000'000);
    fps[i] = now - before;
    before = now;
  }
  return fps;
}

}  // namespace vfo::cli
