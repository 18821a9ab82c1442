#include "vfo/runtime/builtin_functions.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace vfo::runtime {
namespace {

Frame frame(std::uint64_t seq) {
  return Frame{1, seq, 0, source_payload(seq, 16)};
}

TEST(SinkFunction, RecordsWhenEachFrameArrivedOnTheSteadyClock) {
  SinkFunction sink;
  const auto before = std::chrono::steady_clock::now().time_since_epoch().count();
  for (std::uint64_t seq = 1; seq <= 5; ++seq) sink.process(frame(seq));
  const auto after = std::chrono::steady_clock::now().time_since_epoch().count();
  const SinkStats s = sink.stats();
  ASSERT_EQ(s.arrivals_ns.size(), 5u);
  EXPECT_GE(s.arrivals_ns.front(), before);
  EXPECT_LE(s.arrivals_ns.back(), after);
  for (std::size_t i = 1; i < s.arrivals_ns.size(); ++i) EXPECT_GE(s.arrivals_ns[i], s.arrivals_ns[i - 1]);
}

TEST(SinkFunction, KeepsOnlyTheLastWindowOfArrivals) {
  SinkFunction sink;
  for (std::uint64_t seq = 1; seq <= kSinkArrivalWindow + 10; ++seq) sink.process(frame(seq));
  const SinkStats s = sink.stats();
  EXPECT_EQ(s.frames, kSinkArrivalWindow + 10);
  EXPECT_EQ(s.arrivals_ns.size(), kSinkArrivalWindow);
}

TEST(SinkFunction, ASnapshotCarriesItsCountsAndArrivalsToAnotherSink) {
  SinkFunction from;
  for (std::uint64_t seq = 1; seq <= 20; ++seq) from.process(frame(seq == 7 ? 8 : seq));
  SinkFunction to;
  to.restore(from.snapshot());
  const SinkStats a = from.stats(), b = to.stats();
  EXPECT_EQ(b.frames, a.frames);
  EXPECT_EQ(b.first_seq, 1u);
  EXPECT_EQ(b.last_seq, a.last_seq);
  EXPECT_EQ(b.out_of_order, a.out_of_order);
  EXPECT_EQ(b.seqs, a.seqs);
  EXPECT_EQ(b.arrivals_ns, a.arrivals_ns);
  EXPECT_DOUBLE_EQ(b.latency_max_s, a.latency_max_s);
  to.process(frame(21));
  EXPECT_EQ(to.stats().frames, 21u);
  EXPECT_EQ(to.stats().arrivals_ns.size(), 21u);
}

TEST(SinkFunction, ASinkStartedAnewCountsFromItsFirstSeqWithoutCallingItOutOfOrder) {
  SinkFunction sink;  // its predecessor died having delivered up to 40
  for (std::uint64_t seq = 41; seq <= 50; ++seq) sink.process(frame(seq));
  sink.process(frame(52));  // a real gap
  const SinkStats s = sink.stats();
  EXPECT_EQ(s.first_seq, 41u);
  EXPECT_EQ(s.frames, 11u);
  EXPECT_EQ(s.last_seq, 52u);
  EXPECT_EQ(s.out_of_order, 1u);  // the gap, not the start at 41
}

TEST(SinkFunction, RefusesAMalformedSnapshot) {
  SinkFunction sink;
  sink.process(frame(1));
  const std::string good = sink.snapshot();
  SinkFunction other;
  EXPECT_THROW(other.restore(good.substr(0, good.size() - 3)), std::invalid_argument);
  EXPECT_THROW(other.restore(good + "x"), std::invalid_argument);
  EXPECT_EQ(other.stats().frames, 0u);  // unchanged
}

TEST(SinkFunction, ItsSeqsAccountForEveryFrameOnceOrSayWhatWentWrong) {
  EXPECT_EQ(account_seqs({}).repeats, 0u);
  const SeqAccount whole = account_seqs({5, 6, 7, 8});
  EXPECT_EQ(whole.repeats, 0u);
  EXPECT_EQ(whole.missing, 0u);
  const SeqAccount late = account_seqs({5, 7, 6, 8});  // out of order, but each once
  EXPECT_EQ(late.repeats, 0u);
  EXPECT_EQ(late.missing, 0u);
  const SeqAccount bad = account_seqs({1, 2, 2, 5, 3, 5, 5});  // 2 once again, 5 twice again; 4 never
  EXPECT_EQ(bad.repeats, 3u);
  EXPECT_EQ(bad.missing, 1u);
}

}  // namespace
}  // namespace vfo::runtime
