#include "vfo/migration/precopy.hpp"

#include <gtest/gtest.h>

namespace vfo {
namespace {

TEST(Precopy, ConvergesWhenDirtyRateIsBelowBandwidth) {
  // 64 MB at 10 MB/s while 1 MB/s is dirtied: rounds of 64, 6.4, 0.64 MB -> the third leaves 0.064 MB.
  PrecopyMigration m(64e6, 1e6, PrecopyConfig{8, 0.1e6});
  EXPECT_DOUBLE_EQ(m.next_round_bytes(), 64e6);
  EXPECT_FALSE(m.finish_round(6.4));
  EXPECT_DOUBLE_EQ(m.next_round_bytes(), 6.4e6);
  EXPECT_FALSE(m.finish_round(0.64));
  EXPECT_DOUBLE_EQ(m.next_round_bytes(), 0.64e6);
  EXPECT_TRUE(m.finish_round(0.064));
  EXPECT_NEAR(m.freeze_bytes(), 0.064e6, 1);
  EXPECT_EQ(m.rounds(), 3);
  EXPECT_NEAR(m.precopy_bytes(), 71.04e6, 1);
  EXPECT_TRUE(m.converged());
}

TEST(Precopy, RoundCapStopsAPrecopyThatNeverConverges) {
  // Dirty rate above bandwidth: each round dirties the whole state again; the cap of 3 stops it.
  const PrecopyTimeline t = precopy_on_link(10e6, 20e6, 5e6, 0.1, PrecopyConfig{3, 1e6});
  EXPECT_EQ(t.rounds, 3);
  EXPECT_FALSE(t.converged);
  EXPECT_DOUBLE_EQ(t.precopy_bytes, 30e6);
  EXPECT_DOUBLE_EQ(t.freeze_bytes, 10e6);
  EXPECT_DOUBLE_EQ(t.precopy_s, 6.0);
  EXPECT_DOUBLE_EQ(t.downtime_s, 2.0 + 0.1);
  EXPECT_DOUBLE_EQ(t.total_s, 8.1);
}

TEST(Precopy, DowntimeFarBelowStopAndCopy) {
  const double state = 64e6, bw = 98e6 / 8;
  const PrecopyTimeline t = precopy_on_link(state, 1e6, bw, 0.05, PrecopyConfig{8, 1e6});
  const double stop_and_copy = state / bw + 0.05;
  EXPECT_LT(t.downtime_s, stop_and_copy / 10);
  EXPECT_GT(t.total_s, stop_and_copy);
}

TEST(Precopy, IdleStateFreezesAfterOneRound) {
  PrecopyMigration m(8e6, 0, PrecopyConfig{});
  EXPECT_TRUE(m.finish_round(1.0));
  EXPECT_DOUBLE_EQ(m.freeze_bytes(), 0);
  EXPECT_EQ(m.rounds(), 1);
}

}  // namespace
}  // namespace vfo
