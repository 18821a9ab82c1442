#include "vfo/runtime/delivery.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace vfo::runtime {
namespace {

Frame frame(std::uint64_t epoch, std::uint64_t seq) {
  return Frame{epoch, seq, 0, "p" + std::to_string(seq)};
}

TEST(OutboundLog, KeepsFramesUntilACumulativeAck) {
  OutboundLog log(3);
  log.sent(frame(1, 1));
  log.sent(frame(1, 2));
  log.sent(frame(1, 3));
  EXPECT_TRUE(log.full());
  EXPECT_THROW(log.sent(frame(1, 4)), std::invalid_argument);
  EXPECT_TRUE(log.acknowledged(2));
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(log.unacknowledged().front().seq, 3u);
  EXPECT_EQ(log.acknowledged_seq(), 2u);
  EXPECT_FALSE(log.acknowledged(2));  // repeated
  EXPECT_FALSE(log.acknowledged(1));  // reordered
  EXPECT_EQ(log.size(), 1u);
  EXPECT_THROW(log.sent(frame(1, 3)), std::invalid_argument);  // not increasing
  log.sent(frame(1, 5));                                       // a gap is allowed
  EXPECT_TRUE(log.acknowledged(9));
  EXPECT_EQ(log.size(), 0u);
  EXPECT_THROW(log.sent(frame(1, 9)), std::invalid_argument);  // at or below what was acknowledged
  EXPECT_THROW(OutboundLog(0), std::invalid_argument);
}

TEST(InboundFilter, DropsDuplicatesAndOlderEpochsAndFollowsNewerOnes) {
  InboundFilter in;
  in.set_epoch(2);
  EXPECT_EQ(in.check(frame(1, 1)), InboundFilter::Verdict::stale_epoch);  // a VF given up for dead
  EXPECT_EQ(in.check(frame(2, 1)), InboundFilter::Verdict::accept);
  in.accepted(1);
  EXPECT_EQ(in.check(frame(2, 1)), InboundFilter::Verdict::duplicate);
  EXPECT_EQ(in.check(frame(3, 1)), InboundFilter::Verdict::duplicate);  // a replay in a newer epoch
  EXPECT_EQ(in.epoch(), 3u);                                            // ... moves the filter on
  EXPECT_EQ(in.check(frame(2, 2)), InboundFilter::Verdict::stale_epoch);
  in.set_epoch(2);  // an order older than what was seen is ignored
  EXPECT_EQ(in.epoch(), 3u);
  EXPECT_EQ(in.check(frame(3, 4)), InboundFilter::Verdict::accept);
  in.accepted(4);
  EXPECT_EQ(in.gaps(), 2u);  // 2 and 3 never came
  EXPECT_EQ(in.last_seq(), 4u);
}

TEST(InboundFilter, DropsEpochsAndSeqsTooFarAheadToBeRealButAFreshOneTakesWhereTheChainIs) {
  InboundFilter fresh;  // a VF started anew: its first frame is a replay from wherever the chain is
  EXPECT_EQ(fresh.check(frame(5'000'000, 1ull << 40)), InboundFilter::Verdict::accept);
  InboundFilter in;
  in.set_epoch(3);
  EXPECT_EQ(in.check(frame(3, 10)), InboundFilter::Verdict::accept);
  in.accepted(10);
  EXPECT_EQ(in.check(frame(3 + kMaxEpochJump + 1, 11)), InboundFilter::Verdict::implausible);
  EXPECT_EQ(in.check(frame(3, 11 + kMaxSeqJump)), InboundFilter::Verdict::implausible);
  EXPECT_EQ(in.check(frame(3, 0)), InboundFilter::Verdict::implausible);
  EXPECT_EQ(in.epoch(), 3u);  // none of them moved it
  EXPECT_EQ(in.check(frame(3 + kMaxEpochJump, 10 + kMaxSeqJump)), InboundFilter::Verdict::accept);  // the bounds
}

}  // namespace
}  // namespace vfo::runtime
