#include "cli/sink_arrivals.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "cli/confidence.hpp"
#include "vfo/runtime/builtin_functions.hpp"
#include "vfo/util/random.hpp"

namespace vfo::cli {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// A steady stream of `fps` frames per second from `first_ns`, each late by up to `jitter_ns` (seeded).
std::vector<std::int64_t> steady_stream(double fps, std::int64_t first_ns, double seconds, std::int64_t jitter_ns,
                                        std::uint64_t seed) {
  Rng rng(seed, "jitter");
  std::vector<std::int64_t> times;
  for (int k = 0; k < static_cast<int>(fps * seconds); ++k) {
    const auto at = first_ns + static_cast<std::int64_t>(std::llround(k * 1e9 / fps));
    times.push_back(at + static_cast<std::int64_t>(rng.uniform(0, static_cast<double>(jitter_ns))));
  }
  return times;
}

// Frames counted per second the plain way: how many arrivals fall in each second.
std::vector<double> plain_counts(const std::vector<std::int64_t>& times, std::int64_t origin, std::size_t seconds) {
  std::vector<double> counts(seconds, 0.0);
  for (const std::int64_t t : times) {
    const std::int64_t i = (t - origin) / kSecond;
    if (t >= origin && i < static_cast<std::int64_t>(seconds)) counts[static_cast<std::size_t>(i)] += 1;
  }
  return counts;
}

TEST(FramesPerSecond, ASteadyStreamGivesItsRateInEverySecondWhateverItsPhase) {
  // Frames 2 ms either side of the seconds' edges: counting arrivals per second alternates 14 and 16.
  const std::int64_t origin = 50 * kSecond;
  for (const std::int64_t first : {origin + kSecond - 2'000'000, origin + 3'000'000, origin + 500'000'000}) {
    const auto times = steady_stream(15, first - 5 * kSecond, 45, 4'000'000, static_cast<std::uint64_t>(first));
    const std::vector<double> fps = frames_per_second(times, origin, 30);
    const MeanInterval m = mean_interval(fps);
    EXPECT_NEAR(m.mean, 15.0, 0.01) << first;
    EXPECT_LT(m.sd, 0.1) << first;
    for (const double f : fps) EXPECT_NEAR(f, 15.0, 0.2) << first;
  }
  // The plain count of the first stream does alias: the check above can tell the two apart.
  const auto edge = steady_stream(15, origin - 2'000'000, 40, 4'000'000, 7);
  EXPECT_GT(mean_interval(plain_counts(edge, origin, 30)).sd, 0.4);
}

TEST(FramesPerSecond, AnOutageShowsAsSecondsWithoutFramesAndTheReplayAsABurst) {
  std::vector<std::int64_t> times = steady_stream(10, 0, 3, 0, 1);            // 0 .. 2.9 s
  for (int k = 0; k < 20; ++k) times.push_back(6 * kSecond + k * 1'000'000);  // 20 replayed at once at 6 s
  for (int k = 1; k <= 10; ++k) times.push_back(6 * kSecond + 20'000'000 + k * 100'000'000);
  const std::vector<double> fps = frames_per_second(times, 0, 7);
  EXPECT_NEAR(fps[0], 10.0, 1e-9);
  EXPECT_NEAR(fps[1], 10.0, 1e-9);
  // From the last frame at 2.9 s to the next at 6 s, one frame's worth spread over 3.1 s.
  EXPECT_LT(fps[3], 0.5);
  EXPECT_LT(fps[4], 0.5);
  EXPECT_GT(fps[6], 25.0);
  double total = 0;
  for (const double f : fps) total += f;
  EXPECT_NEAR(total, static_cast<double>(times.size() - 1) + 0.0, 1.0);  // N(7 s) - N(0)
}

TEST(FramesPerSecond, NoArrivalGivesZeros) {
  EXPECT_EQ(frames_per_second({}, 0, 3), (std::vector<double>{0, 0, 0}));
}

nlohmann::json stats_with(const std::vector<std::int64_t>& times) {
  return {{"frames", times.size()}, {"arrivals_ns", times}};
}

TEST(SinkArrivals, KeepsEachTimeOnceAcrossOverlappingReadsAndSinkInstances) {
  SinkArrivals a;
  a.add(stats_with({10, 20, 30}));
  a.add(stats_with({20, 30, 40, 50}));  // the same sink, read again
  a.add(nlohmann::json::object());      // a sink not started yet
  a.add(stats_with({60, 70}));          // a new sink after a reset: its own window
  EXPECT_EQ(a.times_ns(), (std::vector<std::int64_t>{10, 20, 30, 40, 50, 60, 70}));
  EXPECT_EQ(a.missed_windows(), 0);
}

TEST(SinkArrivals, CountsAFullWindowWithNothingSeenBeforeAsPossiblyMissed) {
  SinkArrivals a;
  a.add(stats_with({1, 2}));
  std::vector<std::int64_t> window;
  for (std::size_t i = 0; i < runtime::kSinkArrivalWindow; ++i) window.push_back(100 + static_cast<std::int64_t>(i));
  a.add(stats_with(window));
  EXPECT_EQ(a.missed_windows(), 1);
  window.erase(window.begin());
  window.push_back(5000);
  a.add(stats_with(window));  // overlaps what was read: nothing missed
  EXPECT_EQ(a.missed_windows(), 1);
  EXPECT_EQ(a.times_ns().size(), runtime::kSinkArrivalWindow + 3);
}

TEST(SinkStartedAnew, OnlyARecordThatBeganElsewhereOrShrankIsANewInstance) {
  const auto stats = [](std::uint64_t frames, std::uint64_t first_seq) {
    return nlohmann::json{{"frames", frames}, {"first_seq", first_seq}};
  };
  EXPECT_FALSE(sink_started_anew(stats(0, 0), stats(3, 1)));  // its first frames: the same sink
  EXPECT_FALSE(sink_started_anew(stats(5, 1), stats(9, 1)));
  EXPECT_TRUE(sink_started_anew(stats(5, 1), stats(9, 40)));       // began at another seq
  EXPECT_TRUE(sink_started_anew(stats(5, 1), stats(2, 1)));        // fewer frames than before
  EXPECT_FALSE(sink_started_anew(nlohmann::json(), stats(2, 1)));  // no answer before tells nothing
  EXPECT_FALSE(sink_started_anew(stats(5, 1), nlohmann::json()));
}

}  // namespace
}  // namespace vfo::cli
