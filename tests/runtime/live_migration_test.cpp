// Live migration on loopback: the SDK's dirty tracking, the state link's wire format, and a compute
// VF with 64 MB of state moved between two function hosts while frames flow. Real threads and ZeroMQ
// sockets; waits have generous deadlines and nothing asserts a duration.
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <zmq.hpp>

#include "runtime/chain_checks.hpp"
#include "vfo/runtime/builtin_functions.hpp"
#include "vfo/runtime/function_host.hpp"
#include "vfo/runtime/live_migration.hpp"
#include "vfo/runtime/state_transfer.hpp"
#include "vfo/runtime/tracked_state.hpp"

namespace vfo::runtime {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::expect_each_seq_once;

TEST(TrackedState, MarksTheChunksAWriteTouchesAndHandsThemOverOnce) {
  TrackedState state(10'000, 4096);  // chunks of 4096, 4096 and 1808 bytes
  EXPECT_EQ(state.chunk_count(), 3u);
  EXPECT_EQ(state.marked_count(), 0u);
  state.write(4000, std::string(200, 'x'));  // straddles chunks 0 and 1
  EXPECT_EQ(state.take_marked(), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_TRUE(state.take_marked().empty());
  state.write(9999, "y");
  EXPECT_EQ(state.marked_bytes(), 1808u);
  state.mark_all();
  EXPECT_EQ(state.marked_bytes(), 10'000u);
  EXPECT_THROW(state.write(9999, "yz"), std::out_of_range);
  EXPECT_EQ(state.view()[4000], 'x');
}

TEST(TrackedState, LoadsOnlyChunksThatFitAndDigestsTellStatesApart) {
  TrackedState a(10'000, 4096), b(10'000, 4096);
  a.write(5000, "state");
  EXPECT_NE(state_digest(a.view()), state_digest(b.view()));
  EXPECT_TRUE(b.load_chunk(1, a.chunk(1)));
  EXPECT_EQ(b.marked_count(), 0u);  // loading is not writing
  EXPECT_EQ(state_digest(a.view()), state_digest(b.view()));
  EXPECT_FALSE(b.load_chunk(2, a.chunk(1)));  // the last chunk is shorter
  EXPECT_FALSE(b.load_chunk(3, "x"));
}

TEST(StateTransfer, MessagesAndHostStateRoundTrip) {
  const std::string chunk(4096, 'c');
  StateMessage m;
  m.kind = StateMessage::Kind::chunks;
  m.round = 3;
  m.state_bytes = 10'000;
  m.chunk_bytes = 4096;
  m.chunks = {{0, chunk}, {2, std::string_view(chunk).substr(0, 1808)}};
  const std::string bytes = encode_state_message(m);
  const auto back = decode_state_message(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->round, 3u);
  ASSERT_EQ(back->chunks.size(), 2u);
  EXPECT_EQ(back->chunks[1].first, 2u);
  EXPECT_EQ(back->chunks[1].second.size(), 1808u);

  HostState h{"snap", 4, 17, 1, 15, {Frame{4, 16, 9, "a"}, Frame{4, 17, 10, "b"}}};
  const auto host = decode_host_state(encode_host_state(h));
  ASSERT_TRUE(host);
  EXPECT_EQ(host->function_snapshot, "snap");
  EXPECT_EQ(host->last_seq_in, 17u);
  ASSERT_EQ(host->unacknowledged.size(), 2u);
  EXPECT_EQ(host->unacknowledged[1].payload, "b");
}

TEST(StateTransfer, MalformedMessagesAreRefusedWithAReason) {
  std::string why;
  EXPECT_FALSE(decode_state_message("VFOS", &why));
  EXPECT_NE(why.find("shorter than its header"), std::string::npos);
  StateMessage m;
  m.kind = StateMessage::Kind::chunks;
  m.state_bytes = 4096;
  m.chunk_bytes = 4096;
  const std::string chunk(4096, 'c');
  m.chunks = {{0, chunk}};
  std::string bytes = encode_state_message(m);
  EXPECT_FALSE(decode_state_message(bytes.substr(0, bytes.size() - 1), &why));  // truncated chunk
  bytes[bytes.size() - 4097] = 7;  // chunk index 7: past the end of a 4096-byte state
  EXPECT_FALSE(decode_state_message(bytes, &why));
  EXPECT_NE(why.find("past the end"), std::string::npos);
  bytes[5] = 9;
  EXPECT_FALSE(decode_state_message(bytes, &why));
  EXPECT_NE(why.find("unknown kind"), std::string::npos);
  EXPECT_FALSE(decode_host_state("xx", &why));
}

constexpr std::size_t kStateBytes = 64u << 20;

std::shared_ptr<ComputeFunction> compute_function(std::size_t dirty_bytes_per_frame) {
  return std::make_shared<ComputeFunction>(10'000, kStateBytes, dirty_bytes_per_frame);
}

// source -> compute (64 MB of state) -> sink, frames flowing at 200 fps.
struct MigratingChain {
  std::shared_ptr<SinkFunction> sink_fn = std::make_shared<SinkFunction>();
  std::shared_ptr<ComputeFunction> before_fn;
  FunctionHost source{std::make_shared<SourceFunction>(500), {.fps = 200}};
  std::unique_ptr<FunctionHost> compute;
  FunctionHost sink{sink_fn, {}};

  explicit MigratingChain(std::size_t dirty_bytes_per_frame) : before_fn(compute_function(dirty_bytes_per_frame)) {
    compute = std::make_unique<FunctionHost>(before_fn, FunctionHost::Options{});
    compute->start();
    source.start();
    sink.start();
    wire(1, *compute);
  }
  void wire(std::uint64_t epoch, FunctionHost& middle) {
    source.rewire({epoch, middle.data_endpoint(), ""});
    middle.rewire({epoch, sink.data_endpoint(), source.ack_endpoint()});
    sink.rewire({epoch, "", middle.ack_endpoint()});
  }
};

MigrationReport wait_for_report(FunctionHost& host) {
  std::optional<MigrationReport> report;
  EXPECT_TRUE(eventually([&] { return (report = host.migration_report()).has_value(); }, 120s));
  return report.value_or(MigrationReport{"no report"});
}

void migrate_and_check(int max_rounds) {
  // 32 KiB per frame at 200 fps: 6.4 MB/s of dirty state, moderate against loopback.
  MigratingChain chain(32 << 10);
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 100; }));
  auto after_fn = compute_function(32 << 10);
  FunctionHost target(after_fn, {.incoming = true});
  target.start();
  ASSERT_FALSE(target.state_endpoint().empty());
  EXPECT_TRUE(target.counters().awaiting_state);

  chain.compute->migrate_out({.target = target.state_endpoint(), .max_rounds = max_rounds, .verify = true});
  const MigrationReport report = wait_for_report(*chain.compute);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_TRUE(chain.compute->counters().frozen);
  // The target sends its word that it restored, then its thread publishes its counters: the source's report
  // may come first.
  EXPECT_TRUE(eventually([&] { return !target.counters().awaiting_state; }));

  // The state the target restored is the state the source froze with, byte for byte.
  EXPECT_NE(report.source_digest, 0u);
  EXPECT_EQ(report.target_digest, report.source_digest);
  EXPECT_EQ(report.source_digest,
            state_digest(chain.before_fn->snapshot(), state_digest(chain.before_fn->tracked_state()->view())));
  EXPECT_EQ(target.counters().restored_digest, report.source_digest);
  EXPECT_EQ(report.state_bytes, kStateBytes);
  EXPECT_EQ(report.precopy_rounds(), max_rounds == 0 ? 0 : report.precopy_rounds());
  if (max_rounds > 0) {
    ASSERT_GE(report.precopy_rounds(), 1);
    EXPECT_EQ(report.rounds.front().bytes, kStateBytes);  // the first round sends everything
    EXPECT_LT(report.rounds.back().bytes, kStateBytes);   // the freeze only what was written meanwhile
  } else {
    ASSERT_EQ(report.rounds.size(), 1u);
    EXPECT_EQ(report.rounds.back().bytes, kStateBytes);  // stop-and-copy: everything while frozen
  }
  EXPECT_LE(report.start_ns, report.freeze_ns);
  EXPECT_LE(report.freeze_ns, report.restored_ns);

  // Switch: the chain's new epoch goes through the target; the frozen source is stopped.
  const std::uint64_t frozen_frames = chain.before_fn->frames();
  chain.wire(2, target);
  ASSERT_TRUE(eventually([&] { return target.counters().first_frame_ns > 0; }));
  EXPECT_GT(target.counters().first_frame_ns, report.freeze_ns);  // downtime: freeze -> first frame here
  chain.compute->stop();
  const std::uint64_t last_before = chain.sink_fn->stats().last_seq;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().last_seq >= last_before + 200; }));
  expect_each_seq_once(chain.sink_fn->stats());
  EXPECT_EQ(chain.before_fn->frames(), frozen_frames);  // nothing reached the frozen source after the switch
  EXPECT_GT(after_fn->frames(), frozen_frames);         // the target counts on from the source's count
}

TEST(LiveMigration, PreCopyMoves64MbWhileFramesFlowEveryFrameOnceAndTheStateEqual) {
  migrate_and_check(8);
}

TEST(LiveMigration, StopAndCopyMovesTheSameStateInOneFrozenRound) {
  migrate_and_check(0);
}

TEST(LiveMigration, ATargetThatNeverAnswersFailsTheMigrationAndTheSourceRunsOn) {
  MigratingChain chain(4096);
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 50; }));
  // A PAIR socket bound but never read: the source's state goes nowhere and nothing comes back.
  zmq::context_t context;
  zmq::socket_t silent(context, zmq::socket_type::pair);
  silent.bind("tcp://127.0.0.1:*");
  chain.compute->migrate_out({.target = silent.get(zmq::sockopt::last_endpoint),
                              .max_rounds = 0,
                              .stall_timeout = std::chrono::milliseconds(300)});
  const MigrationReport report = wait_for_report(*chain.compute);
  EXPECT_FALSE(report.ok());
  EXPECT_NE(report.error.find("said nothing"), std::string::npos) << report.error;
  EXPECT_FALSE(chain.compute->counters().frozen);
  const std::uint64_t seen = chain.sink_fn->stats().last_seq;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().last_seq >= seen + 50; }));  // it unfroze
  expect_each_seq_once(chain.sink_fn->stats());
  // A second order on an incoming host is refused.
  FunctionHost target(compute_function(0), {.incoming = true});
  target.start();
  target.migrate_out({.target = "tcp://127.0.0.1:1"});
  const MigrationReport refused = wait_for_report(target);
  EXPECT_NE(refused.error.find("waits for its own state"), std::string::npos);
}

}  // namespace
}  // namespace vfo::runtime

namespace vfo::runtime {
namespace {

// A migration of `source` (a compute host of 64 MB with 4 KiB dirtied per frame) to a new target works and moves
// the state it froze with.
void expect_migrates_whole(FunctionHost& source) {
  FunctionHost target(compute_function(4096), {.incoming = true});
  target.start();
  source.migrate_out({.target = target.state_endpoint(), .max_rounds = 2, .verify = true});
  const MigrationReport report = wait_for_report(source);
  ASSERT_TRUE(report.ok()) << report.error;
  EXPECT_EQ(report.target_digest, report.source_digest);
}

TEST(LiveMigration, ASourceThatHandedItsStateOverTakesTheChainBackWhenRewiredAtANewerEpoch) {
  MigratingChain chain(4096);
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 50; }));
  {
    FunctionHost target(compute_function(4096), {.incoming = true});
    target.start();
    chain.compute->migrate_out({.target = target.state_endpoint(), .max_rounds = 2});
    const MigrationReport report = wait_for_report(*chain.compute);
    ASSERT_TRUE(report.ok()) << report.error;
  }  // the switch never comes (the orchestrator that ordered it died); the target is stopped as stale
  EXPECT_TRUE(chain.compute->counters().frozen);
  chain.compute->migrate_out({.target = "tcp://127.0.0.1:1"});
  EXPECT_NE(wait_for_report(*chain.compute).error.find("handed its state over"), std::string::npos);
  const std::uint64_t frozen_at = chain.sink_fn->stats().last_seq;
  // The orchestrator's successor finds the source still placed here and rewires the chain at a new epoch.
  chain.wire(2, *chain.compute);
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().last_seq >= frozen_at + 100; }));
  EXPECT_FALSE(chain.compute->counters().frozen);
  expect_each_seq_once(chain.sink_fn->stats());
  // It is an ordinary host again: a migration of it works.
  expect_migrates_whole(*chain.compute);
}

TEST(LiveMigration, AHostWhoseMigrationFailedCanBeMigratedAgain) {
  MigratingChain chain(4096);
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 50; }));
  zmq::context_t context;
  zmq::socket_t silent(context, zmq::socket_type::pair);  // never answers
  silent.bind("tcp://127.0.0.1:*");
  chain.compute->migrate_out({.target = silent.get(zmq::sockopt::last_endpoint),
                              .max_rounds = 0,
                              .stall_timeout = std::chrono::milliseconds(300)});
  ASSERT_FALSE(wait_for_report(*chain.compute).ok());
  expect_migrates_whole(*chain.compute);
}

TEST(LiveMigration, APreCopyThatRunsPastItsLimitIsCutShortAndFrozenWithTheRest) {
  // 64 MB over loopback with a 1 ms limit: the first round cannot be over by then.
  MigratingChain chain(32 << 10);
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 50; }));
  FunctionHost target(compute_function(32 << 10), {.incoming = true});
  target.start();
  chain.compute->migrate_out({.target = target.state_endpoint(),
                              .max_rounds = 8,
                              .verify = true,
                              .precopy_limit = std::chrono::milliseconds(1)});
  const MigrationReport report = wait_for_report(*chain.compute);
  ASSERT_TRUE(report.ok()) << report.error;
  ASSERT_EQ(report.rounds.size(), 2u);  // the round cut short, then the frozen rest
  EXPECT_LT(report.rounds.front().bytes, kStateBytes);
  EXPECT_GE(report.rounds.front().bytes + report.rounds.back().bytes, kStateBytes);
  EXPECT_EQ(report.target_digest, report.source_digest);  // nothing was left behind
}

}  // namespace
}  // namespace vfo::runtime
