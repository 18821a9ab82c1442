#include "vfo/migration/migration_protocol.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace vfo {
namespace {

using Kind = MigrationPhase::Kind;

constexpr MigrationProtocol kAll[] = {MigrationProtocol::stop_and_copy, MigrationProtocol::precopy,
                                      MigrationProtocol::postcopy_demand, MigrationProtocol::postcopy_active_push,
                                      MigrationProtocol::postcopy_prepaging};
constexpr MigrationProtocol kPostcopy[] = {MigrationProtocol::postcopy_demand, MigrationProtocol::postcopy_active_push,
                                           MigrationProtocol::postcopy_prepaging};

// The hand-computed cases: 20 MB of state over 10 MB/s; pages of 10 kB (1 ms each on the link);
// a working set of 1/4 = 5 MB = 500 pages; the context C = 65536 B takes 6.5536 ms.
MigrationInputs hand_inputs() {
  MigrationInputs in;
  in.state_bytes = 20e6;
  in.dirty_rate_bps = 1e6;
  in.page_bytes = 1e4;
  in.working_set_fraction = 0.25;
  in.switch_s = 0.05;
  in.precopy = PrecopyConfig{8, 0.1e6};
  return in;
}
constexpr double kBw = 10e6;
constexpr double kContextS = 0.0065536;

void expect_phase(const MigrationPhase& p, Kind kind, double start_s, double duration_s, double bytes, bool running) {
  EXPECT_EQ(p.kind, kind);
  EXPECT_NEAR(p.start_s, start_s, 1e-9);
  EXPECT_NEAR(p.duration_s, duration_s, 1e-9);
  EXPECT_NEAR(p.bytes, bytes, 1e-3);
  EXPECT_EQ(p.vf_running, running);
}

TEST(MigrationProtocol, NamesRoundTrip) {
  ASSERT_EQ(protocol_names().size(), std::size(kAll));
  for (const MigrationProtocol p : kAll) EXPECT_EQ(parse_protocol(protocol_name(p)), p);
  EXPECT_STREQ(protocol_name(MigrationProtocol::stop_and_copy), "stop-and-copy");
  EXPECT_STREQ(protocol_name(MigrationProtocol::precopy), "pre-copy");
  EXPECT_STREQ(protocol_name(MigrationProtocol::postcopy_demand), "post-copy-demand");
  EXPECT_STREQ(protocol_name(MigrationProtocol::postcopy_active_push), "post-copy-push");
  EXPECT_STREQ(protocol_name(MigrationProtocol::postcopy_prepaging), "post-copy-prepaging");
}

TEST(MigrationProtocol, ParseNamesTheAcceptedValues) {
  try {
    parse_protocol("postcopy");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("postcopy"), std::string::npos);
    for (const std::string& name : protocol_names()) EXPECT_NE(what.find(name), std::string::npos) << name;
  }
}

TEST(MigrationProtocol, RejectsInvalidInputs) {
  const MigrationInputs ok = hand_inputs();
  EXPECT_THROW(migration_on_link(MigrationProtocol::precopy, ok, 0, 0.01), std::invalid_argument);
  EXPECT_THROW(migration_on_link(MigrationProtocol::precopy, ok, kBw, -1), std::invalid_argument);
  MigrationInputs bad = ok;
  bad.working_set_fraction = 1.5;
  EXPECT_THROW(migration_on_link(MigrationProtocol::postcopy_demand, bad, kBw, 0.01), std::invalid_argument);
  bad = ok;
  bad.page_bytes = 0;
  EXPECT_THROW(migration_on_link(MigrationProtocol::postcopy_demand, bad, kBw, 0.01), std::invalid_argument);
  bad = ok;
  bad.state_bytes = -1;
  EXPECT_THROW(migration_on_link(MigrationProtocol::stop_and_copy, bad, kBw, 0.01), std::invalid_argument);
}

TEST(MigrationProtocol, StopAndCopyHandComputed) {
  // prepare 1 s; freeze: 20 MB / 10 MB/s = 2 s; resume 0.05 s. Downtime 2.05 s, total 3.05 s.
  MigrationInputs in = hand_inputs();
  in.prepare_s = 1.0;
  const MigrationTimeline t = migration_on_link(MigrationProtocol::stop_and_copy, in, kBw, 0.01);
  ASSERT_EQ(t.phases.size(), 3u);
  expect_phase(t.phases[0], Kind::prepare, 0, 1.0, 0, true);
  expect_phase(t.phases[1], Kind::freeze, 1.0, 2.0, 20e6, false);
  expect_phase(t.phases[2], Kind::resume, 3.0, 0.05, 0, false);
  EXPECT_DOUBLE_EQ(t.downtime_s, 2.05);
  EXPECT_DOUBLE_EQ(t.total_s, 3.05);
  EXPECT_DOUBLE_EQ(t.bytes, 20e6);
  EXPECT_EQ(t.rounds, 0);
  EXPECT_EQ(t.faults, 0);
  EXPECT_TRUE(t.converged);
}

TEST(MigrationProtocol, PrecopyHandComputed) {
  // Dirty 1 MB/s over 10 MB/s, stop at 0.1 MB: round 1 copies 20 MB in 2 s (2 MB dirtied), round 2
  // 2 MB in 0.2 s (0.2 MB dirtied), round 3 0.2 MB in 0.02 s (0.02 MB <= 0.1 MB: freeze). Freeze
  // 0.02 MB in 0.002 s, resume 0.05 s. Downtime 0.052 s; total 2.22 + 0.052 = 2.272 s;
  // bytes 22.2 + 0.02 = 22.22 MB.
  const MigrationTimeline t = migration_on_link(MigrationProtocol::precopy, hand_inputs(), kBw, 0.01);
  ASSERT_EQ(t.phases.size(), 6u);
  expect_phase(t.phases[0], Kind::prepare, 0, 0, 0, true);
  expect_phase(t.phases[1], Kind::round, 0, 2.0, 20e6, true);
  expect_phase(t.phases[2], Kind::round, 2.0, 0.2, 2e6, true);
  expect_phase(t.phases[3], Kind::round, 2.2, 0.02, 0.2e6, true);
  expect_phase(t.phases[4], Kind::freeze, 2.22, 0.002, 0.02e6, false);
  expect_phase(t.phases[5], Kind::resume, 2.222, 0.05, 0, false);
  EXPECT_EQ(t.rounds, 3);
  EXPECT_TRUE(t.converged);
  EXPECT_NEAR(t.downtime_s, 0.052, 1e-9);
  EXPECT_NEAR(t.total_s, 2.272, 1e-9);
  EXPECT_NEAR(t.bytes, 22.22e6, 1e-3);
}

TEST(MigrationProtocol, PrecopyThatNeverConvergesIsStoppedByTheRoundCap) {
  // Dirty 20 MB/s over 5 MB/s: each 2 s round of the whole 10 MB dirties it all again; the cap of 3
  // stops it and the freeze copies all 10 MB (2 s) again. Downtime 2 + 0.1 = 2.1 s, as stop-and-copy's;
  // total 6 + 2.1 = 8.1 s; bytes 4 x 10 MB.
  MigrationInputs in;
  in.state_bytes = 10e6;
  in.dirty_rate_bps = 20e6;
  in.switch_s = 0.1;
  in.precopy = PrecopyConfig{3, 1e6};
  const MigrationTimeline t = migration_on_link(MigrationProtocol::precopy, in, 5e6, 0.01);
  EXPECT_EQ(t.rounds, 3);
  EXPECT_FALSE(t.converged);
  EXPECT_DOUBLE_EQ(t.downtime_s, 2.1);
  EXPECT_DOUBLE_EQ(t.total_s, 8.1);
  EXPECT_DOUBLE_EQ(t.bytes, 40e6);
  const MigrationTimeline sc = migration_on_link(MigrationProtocol::stop_and_copy, in, 5e6, 0.01);
  EXPECT_DOUBLE_EQ(t.downtime_s, sc.downtime_s);
}

TEST(MigrationProtocol, PrecopyAgreesWithPrecopyOnLink) {
  MigrationInputs in = hand_inputs();
  in.state_bytes = 64e6;
  in.dirty_rate_bps = 4e6;
  in.precopy = PrecopyConfig{};
  in.prepare_s = 0.5;
  const double bw = 12.25e6;
  const MigrationTimeline t = migration_on_link(MigrationProtocol::precopy, in, bw, 0.01);
  const PrecopyTimeline p = precopy_on_link(in.state_bytes, in.dirty_rate_bps, bw, in.switch_s, in.precopy);
  EXPECT_EQ(t.rounds, p.rounds);
  EXPECT_EQ(t.converged, p.converged);
  EXPECT_NEAR(t.downtime_s, p.downtime_s, 1e-9);
  EXPECT_NEAR(t.total_s, in.prepare_s + p.total_s, 1e-9);
  EXPECT_NEAR(t.bytes, p.precopy_bytes + p.freeze_bytes, 1e-3);
}

TEST(MigrationProtocol, PostcopyDemandPagingHandComputed) {
  // rtt 2 ms. Freeze the context (6.5536 ms), resume 0.05 s; all 500 working-set pages fault, each
  // 2 ms + 1 ms: 1.5 s stalled, 5 MB; then the other 15 MB are pulled in 1.5 s while running.
  // Downtime 0.0565536 s, stalled 1.5 s; total 3.0565536 s (= (C + S) / B + sw + 500 x 2 ms).
  const MigrationTimeline t = migration_on_link(MigrationProtocol::postcopy_demand, hand_inputs(), kBw, 0.002);
  ASSERT_EQ(t.phases.size(), 5u);
  expect_phase(t.phases[1], Kind::freeze, 0, kContextS, 65536, false);
  expect_phase(t.phases[2], Kind::resume, kContextS, 0.05, 0, false);
  expect_phase(t.phases[3], Kind::fault_service, kContextS + 0.05, 1.5, 5e6, false);
  expect_phase(t.phases[4], Kind::push, kContextS + 1.55, 1.5, 15e6, true);
  EXPECT_EQ(t.faults, 500);
  EXPECT_EQ(t.rounds, 0);
  EXPECT_TRUE(t.converged);
  EXPECT_NEAR(t.downtime_s, 0.0565536, 1e-9);
  EXPECT_NEAR(t.stall_s, 1.5, 1e-9);
  EXPECT_NEAR(t.total_s, 3.0565536, 1e-9);
  EXPECT_DOUBLE_EQ(t.bytes, 20e6 + 65536);
}

TEST(MigrationProtocol, PostcopyActivePushHandComputed) {
  // rtt 2 ms. Half the 500 working-set pages are pushed before they are touched: 250 faults of
  // 3 ms = 0.75 s stalled, during which the link carries 7.5 MB (faulted pages and push); the other
  // 12.5 MB follow in 1.25 s. Downtime 0.0565536 s, stalled 0.75 s; total 0.0565536 + 2 (= S / B).
  const MigrationTimeline t = migration_on_link(MigrationProtocol::postcopy_active_push, hand_inputs(), kBw, 0.002);
  ASSERT_EQ(t.phases.size(), 5u);
  expect_phase(t.phases[3], Kind::fault_service, kContextS + 0.05, 0.75, 7.5e6, false);
  expect_phase(t.phases[4], Kind::push, kContextS + 0.8, 1.25, 12.5e6, true);
  EXPECT_EQ(t.faults, 250);
  EXPECT_NEAR(t.downtime_s, 0.0565536, 1e-9);
  EXPECT_NEAR(t.stall_s, 0.75, 1e-9);
  EXPECT_NEAR(t.total_s, 2.0565536, 1e-9);
  EXPECT_DOUBLE_EQ(t.bytes, 20e6 + 65536);
}

TEST(MigrationProtocol, PostcopyActivePushStallsCanOutlastThePush) {
  // rtt 10 ms: 250 faults of 11 ms = 2.75 s stalled, longer than the 2 s push: the whole 20 MB is
  // over during the stalls and nothing is left to push. Total 0.0565536 + 2.75 = 2.8065536 s.
  const MigrationTimeline t = migration_on_link(MigrationProtocol::postcopy_active_push, hand_inputs(), kBw, 0.01);
  expect_phase(t.phases[3], Kind::fault_service, kContextS + 0.05, 2.75, 20e6, false);
  expect_phase(t.phases[4], Kind::push, kContextS + 2.8, 0, 0, true);
  EXPECT_NEAR(t.stall_s, 2.75, 1e-9);
  EXPECT_NEAR(t.total_s, 2.8065536, 1e-9);
}

TEST(MigrationProtocol, PostcopyPrepagingHandComputed) {
  // rtt 2 ms, half the working set predicted: 250 pages (2.5 MB) are sent first in 0.25 s with the VF
  // running; the other 250 fault: 250 x 3 ms = 0.75 s stalled, 2.5 MB; the remaining 15 MB follow in
  // 1.5 s. Downtime 0.0565536 s, stalled 0.75 s; total 0.0565536 + 2.5 = 2.5565536 s
  // (= (C + S) / B + sw + 250 x 2 ms).
  const MigrationTimeline t = migration_on_link(MigrationProtocol::postcopy_prepaging, hand_inputs(), kBw, 0.002);
  ASSERT_EQ(t.phases.size(), 6u);
  expect_phase(t.phases[3], Kind::push, kContextS + 0.05, 0.25, 2.5e6, true);
  expect_phase(t.phases[4], Kind::fault_service, kContextS + 0.3, 0.75, 2.5e6, false);
  expect_phase(t.phases[5], Kind::push, kContextS + 1.05, 1.5, 15e6, true);
  EXPECT_EQ(t.faults, 250);
  EXPECT_NEAR(t.downtime_s, 0.0565536, 1e-9);
  EXPECT_NEAR(t.stall_s, 0.75, 1e-9);
  EXPECT_NEAR(t.total_s, 2.5565536, 1e-9);
  EXPECT_DOUBLE_EQ(t.bytes, 20e6 + 65536);
}

TEST(MigrationProtocol, PostcopyRoundsAPartialPageUp) {
  // A working set of 0.1 x 20 MB = 2 MB is 488.28 pages of 4096 B: 489 faults of whole pages, 2002944 B.
  MigrationInputs in = hand_inputs();
  in.page_bytes = 4096;
  in.working_set_fraction = 0.1;
  const MigrationTimeline t = migration_on_link(MigrationProtocol::postcopy_demand, in, kBw, 0.002);
  EXPECT_EQ(t.faults, 489);
  EXPECT_DOUBLE_EQ(t.phases[3].bytes, 489 * 4096.0);
  // A whole working set of 10000 B = 2.44 pages: 3 faults, but they move the 10000 B of state, no more.
  in.state_bytes = 10000;
  in.working_set_fraction = 1;
  const MigrationTimeline all = migration_on_link(MigrationProtocol::postcopy_demand, in, kBw, 0.002);
  EXPECT_EQ(all.faults, 3);
  EXPECT_DOUBLE_EQ(all.phases[3].bytes, 10000);
  EXPECT_DOUBLE_EQ(all.bytes, 10000 + 65536);
}

TEST(MigrationProtocol, PhasesAddUpForEveryProtocol) {
  MigrationInputs in = hand_inputs();
  in.prepare_s = 0.3;
  in.working_set_fraction = 0.37;
  in.page_bytes = 4096;
  for (const double rtt : {0.0, 0.002, 0.05}) {
    for (const MigrationProtocol p : kAll) {
      SCOPED_TRACE(std::string(protocol_name(p)) + " rtt " + std::to_string(rtt));
      const MigrationTimeline t = migration_on_link(p, in, kBw, rtt);
      ASSERT_FALSE(t.phases.empty());
      EXPECT_EQ(t.phases.front().kind, Kind::prepare);
      double start = 0, bytes = 0, down = 0, stall = 0;
      for (const MigrationPhase& ph : t.phases) {
        EXPECT_NEAR(ph.start_s, start, 1e-9);
        EXPECT_GE(ph.duration_s, 0);
        EXPECT_GE(ph.bytes, 0);
        start += ph.duration_s;
        bytes += ph.bytes;
        if (ph.kind == Kind::fault_service) {
          stall += ph.duration_s;
        } else if (!ph.vf_running) {
          down += ph.duration_s;
        }
      }
      EXPECT_NEAR(t.total_s, start, 1e-9);
      EXPECT_NEAR(t.bytes, bytes, 1e-3);
      EXPECT_NEAR(t.downtime_s, down, 1e-9);
      EXPECT_NEAR(t.stall_s, stall, 1e-9);
      EXPECT_GE(t.bytes, in.state_bytes);  // every byte of state crosses at least once
    }
    for (const MigrationProtocol p : kPostcopy) {
      EXPECT_DOUBLE_EQ(migration_on_link(p, in, kBw, rtt).bytes, in.state_bytes + kPostcopyContextBytes);
    }
  }
}

// A 64 MB VF over a 98 Mbit/s link, dirtying 4 MB/s (docs/model.md, Migration defaults: 8 rounds, 1 MB, 50 ms).
MigrationInputs trend_inputs(double working_set_fraction) {
  MigrationInputs in;
  in.state_bytes = 64e6;
  in.dirty_rate_bps = 4e6;
  in.working_set_fraction = working_set_fraction;
  return in;
}
constexpr double kTrendBw = 98e6 / 8;

TEST(MigrationProtocol, DowntimeTrendPrecopyBelowStopAndCopyPostcopySmallest) {
  // Few faults: 0.1 % of 64 MB = 16 pages over a LAN (rtt 2 ms).
  // stop-and-copy: 64 MB / 12.25 MB/s + 0.05 = 5.27 s.
  // pre-copy: 4 rounds (64, 20.9, 6.8, 2.2 MB), freeze 0.73 MB: 0.059 + 0.05 = 0.109 s.
  // post-copy demand: 65536 B / B + 0.05 = 0.0553 s (and 16 x (2 ms + 0.33 ms) = 0.037 s stalled).
  const MigrationInputs in = trend_inputs(0.001);
  const double sc = migration_on_link(MigrationProtocol::stop_and_copy, in, kTrendBw, 0.002).downtime_s;
  const double pre = migration_on_link(MigrationProtocol::precopy, in, kTrendBw, 0.002).downtime_s;
  EXPECT_NEAR(sc, 5.2745, 1e-3);
  EXPECT_NEAR(pre, 0.1094, 1e-3);
  EXPECT_LT(pre, sc);
  for (const MigrationProtocol p : kPostcopy) {
    SCOPED_TRACE(protocol_name(p));
    EXPECT_LT(migration_on_link(p, in, kTrendBw, 0.002).downtime_s, pre);
  }
  EXPECT_NEAR(migration_on_link(MigrationProtocol::postcopy_demand, in, kTrendBw, 0.002).downtime_s, 0.0553, 1e-3);
  EXPECT_NEAR(migration_on_link(MigrationProtocol::postcopy_demand, in, kTrendBw, 0.002).stall_s, 0.0373, 1e-3);
}

TEST(MigrationProtocol, PostcopyTotalTimeLongestWhenFaultsAreMany) {
  // Many faults: half of 64 MB = 7813 pages over a WAN (rtt 50 ms).
  // stop-and-copy total 5.27 s; pre-copy 7.78 s; post-copy: demand 7813 faults, 396 s; push 3907
  // faults, 197 s; pre-paging 3907 faults, 201 s.
  const MigrationInputs in = trend_inputs(0.5);
  const double sc = migration_on_link(MigrationProtocol::stop_and_copy, in, kTrendBw, 0.05).total_s;
  const double pre = migration_on_link(MigrationProtocol::precopy, in, kTrendBw, 0.05).total_s;
  EXPECT_NEAR(pre, 7.7788, 1e-3);
  const double pre_down = migration_on_link(MigrationProtocol::precopy, in, kTrendBw, 0.05).downtime_s;
  for (const MigrationProtocol p : kPostcopy) {
    SCOPED_TRACE(protocol_name(p));
    const MigrationTimeline post = migration_on_link(p, in, kTrendBw, 0.05);
    EXPECT_GT(post.total_s, pre);
    EXPECT_GT(post.total_s, sc);
    EXPECT_LT(post.downtime_s, pre_down);  // the VF stops only for its context, however many faults follow
  }
  EXPECT_NEAR(migration_on_link(MigrationProtocol::postcopy_demand, in, kTrendBw, 0.05).total_s, 395.93, 0.01);
  EXPECT_NEAR(migration_on_link(MigrationProtocol::postcopy_active_push, in, kTrendBw, 0.05).total_s, 196.71, 0.01);
  EXPECT_NEAR(migration_on_link(MigrationProtocol::postcopy_prepaging, in, kTrendBw, 0.05).total_s, 200.63, 0.01);
}

TEST(MigrationProtocol, PrepagingAndActivePushFaultLessThanDemandPaging) {
  for (const double ws : {0.01, 0.25, 1.0}) {
    SCOPED_TRACE(ws);
    const MigrationInputs in = trend_inputs(ws);
    const int demand = migration_on_link(MigrationProtocol::postcopy_demand, in, kTrendBw, 0.01).faults;
    const int push = migration_on_link(MigrationProtocol::postcopy_active_push, in, kTrendBw, 0.01).faults;
    const int prepaging = migration_on_link(MigrationProtocol::postcopy_prepaging, in, kTrendBw, 0.01).faults;
    EXPECT_GT(demand, 0);
    EXPECT_LT(push, demand);
    EXPECT_LT(prepaging, demand);
  }
}

TEST(MigrationProtocol, PrepagingFaultsFallWithThePredictedFraction) {
  MigrationInputs in = trend_inputs(0.25);  // 3907 working-set pages (3906.25 rounded up)
  in.prepaging_fraction = 0;
  EXPECT_EQ(migration_on_link(MigrationProtocol::postcopy_prepaging, in, kTrendBw, 0.01).faults, 3907);
  in.prepaging_fraction = 0.9;
  EXPECT_EQ(migration_on_link(MigrationProtocol::postcopy_prepaging, in, kTrendBw, 0.01).faults, 391);
  in.prepaging_fraction = 1;
  EXPECT_EQ(migration_on_link(MigrationProtocol::postcopy_prepaging, in, kTrendBw, 0.01).faults, 0);
}

}  // namespace
}  // namespace vfo
