#pragma once
// Frames per second at a chain's sink, counted from the arrival times the sink records itself
// (SinkStats::arrivals_ns), not from when a poll happened to read its counter.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace vfo::cli {

// The arrival times of a chain's sink over a run, across sink instances (a sink started anew by a reset or a
// cold migration counts from zero again; its times go on, being one machine's monotonic clock).
class SinkArrivals {
 public:
  // Adds the times of a sink's stats ("arrivals_ns", oldest first) later than every time added so far; stats
  // without them add nothing. A sink keeps only its last kSinkArrivalWindow times: when it reports a full
  // window none of which was seen before, frames may have arrived unseen in between, and missed_windows()
  // counts that (read more often).
  void add(const nlohmann::json& sink_stats);
  // Oldest first, strictly increasing.
  const std::vector<std::int64_t>& times_ns() const { return times_; }
  int missed_windows() const { return missed_windows_; }

 private:
  std::vector<std::int64_t> times_;
  int missed_windows_ = 0;
};

// Whether a sink's stats `now` come from an instance other than the one read `before` (a sink started anew):
// its record began at another seq, or it counts fewer frames. A sink that had received no frame `before` has no
// record to lose: its first frames are not a new instance. Stats that are not objects (no answer) tell nothing.
bool sink_started_anew(const nlohmann::json& before, const nlohmann::json& now);

// Frames per second over [origin + i s, origin + i s + 1 s) for i < seconds: N(end) - N(start), where N(t)
// counts the arrivals up to t and rises linearly from one arrival to the next (k at the k-th arrival, 0 before
// the first, the count after the last). A steady stream of F frames per second gives F in every second,
// whatever the phase of its frames against the seconds' edges; a frame late by d moves d x F frames from one
// second to the next, not a whole one. `arrivals_ns` oldest first.
std::vector<double> frames_per_second(const std::vector<std::int64_t>& arrivals_ns, std::int64_t origin_ns,
                                      std::size_t seconds);

}  // namespace vfo::cli
