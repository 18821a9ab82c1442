// The data plane on loopback: real threads, real ZeroMQ sockets on 127.0.0.1. A source, a compute stage and
// a sink; the compute stage is killed (its host stops without a word) and replaced, and the sink must still
// receive every sequence number exactly once. Waits have generous deadlines; nothing asserts a duration.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <zmq.hpp>

#include "runtime/chain_checks.hpp"
#include "vfo/runtime/builtin_functions.hpp"
#include "vfo/runtime/function_host.hpp"

namespace vfo::runtime {
namespace {

using namespace std::chrono_literals;

using testing::eventually;
using testing::expect_each_seq_once;

struct Chain {
  std::shared_ptr<SinkFunction> sink_fn = std::make_shared<SinkFunction>();
  FunctionHost source{std::make_shared<SourceFunction>(1000), {.fps = 200}};
  std::unique_ptr<FunctionHost> compute = make_compute();
  FunctionHost sink{sink_fn, {}};

  static std::unique_ptr<FunctionHost> make_compute() {
    auto host = std::make_unique<FunctionHost>(std::make_shared<ComputeFunction>(100'000, 1 << 20, 4096),
                                               FunctionHost::Options{});
    host->start();
    return host;
  }
  void wire(std::uint64_t epoch) {
    source.rewire({epoch, compute->data_endpoint(), ""});
    compute->rewire({epoch, sink.data_endpoint(), source.ack_endpoint()});
    sink.rewire({epoch, "", compute->ack_endpoint()});
  }
  Chain() {
    source.start();
    sink.start();
    wire(1);
  }
};

TEST(DataPlane, AChainDeliversEveryFrameOnceAndAcknowledgesThem) {
  Chain chain;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 200; }));
  expect_each_seq_once(chain.sink_fn->stats());
  // Acks travel back to the source, which forgets what was delivered.
  ASSERT_TRUE(eventually([&] { return chain.source.counters().acked_seq >= 200; }));
  EXPECT_EQ(chain.sink.counters().duplicates, 0u);
  EXPECT_EQ(chain.compute->counters().malformed, 0u);
}

TEST(DataPlane, KillingTheMiddleVfAndRewiringLosesNoFrameAndDuplicatesNone) {
  Chain chain;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 100; }));
  chain.compute->stop();               // killed: frames queued in it and acks on their way are lost with it
  std::this_thread::sleep_for(200ms);  // the source keeps producing meanwhile
  const std::uint64_t produced_while_down = chain.source.counters().produced;
  chain.compute = Chain::make_compute();
  chain.wire(2);
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().last_seq >= produced_while_down + 100; }));
  const SinkStats stats = chain.sink_fn->stats();
  expect_each_seq_once(stats);
  EXPECT_GT(chain.source.counters().replayed, 0u);  // what the dead VF held was sent again
  EXPECT_EQ(chain.sink.counters().epoch, 2u);
}

TEST(DataPlane, ASourceStartedAnewGoesOnAfterWhatTheChainDelivered) {
  Chain chain;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 100; }));
  chain.source.stop();  // its node failed: a new source numbers from 1 again
  const std::uint64_t delivered = chain.sink_fn->stats().last_seq;
  FunctionHost fresh{std::make_shared<SourceFunction>(1000), {.fps = 200}};
  fresh.start();
  fresh.rewire({2, chain.compute->data_endpoint(), ""});
  chain.compute->rewire({2, chain.sink.data_endpoint(), fresh.ack_endpoint()});
  chain.sink.rewire({2, "", chain.compute->ack_endpoint()});
  // The compute stage tells it what was delivered; its frames come after that and reach the sink.
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().last_seq >= delivered + 100; }));
  EXPECT_GE(fresh.counters().acked_seq, delivered);
  EXPECT_EQ(chain.sink_fn->stats().bad_payloads, 0u);
  fresh.stop();
}

TEST(DataPlane, StaleEpochFramesAndGarbageAreDroppedAndCounted) {
  Chain chain;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 50; }));
  chain.wire(2);
  ASSERT_TRUE(eventually([&] { return chain.sink.counters().epoch == 2; }));
  // A VF given up for dead still sends with epoch 1; and someone sends bytes that are no frame.
  zmq::context_t context;
  zmq::socket_t zombie(context, zmq::socket_type::push);
  zombie.set(zmq::sockopt::linger, 1000);
  zombie.connect(chain.sink.data_endpoint());
  const std::uint64_t far_ahead = 1'000'000;
  zombie.send(zmq::buffer(encode_frame(Frame{1, far_ahead, 0, source_payload(far_ahead, 10)})), zmq::send_flags::none);
  zombie.send(zmq::buffer(std::string("not a frame")), zmq::send_flags::none);
  ASSERT_TRUE(eventually([&] { return chain.sink.counters().stale >= 1 && chain.sink.counters().malformed >= 1; }));
  EXPECT_EQ(chain.sink.counters().last_error, "frame: 11 bytes, shorter than its header (33)");
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 150; }));
  const SinkStats stats = chain.sink_fn->stats();
  EXPECT_LT(stats.last_seq, far_ahead);  // the zombie's frame never reached the VF
  expect_each_seq_once(stats);
}

TEST(DataPlane, ComputeStateSurvivesSnapshotAndRestore) {
  ComputeFunction a(10, 64, 16), b(10, 64, 16);
  for (std::uint64_t s = 1; s <= 5; ++s) a.process(Frame{1, s, 0, "x"});
  b.restore(a.snapshot());
  for (std::size_t i = 0; i < a.tracked_state()->chunk_count(); ++i) {
    ASSERT_TRUE(b.tracked_state()->load_chunk(i, a.tracked_state()->chunk(i)));
  }
  EXPECT_EQ(b.snapshot(), a.snapshot());
  EXPECT_EQ(b.tracked_state()->view(), a.tracked_state()->view());
  EXPECT_NE(a.tracked_state()->view(), std::string(64, '\0'));
  // Both go on alike.
  a.process(Frame{1, 6, 0, "x"});
  b.process(Frame{1, 6, 0, "x"});
  EXPECT_EQ(b.tracked_state()->view(), a.tracked_state()->view());
  EXPECT_THROW(b.restore("short"), std::invalid_argument);
}

}  // namespace
}  // namespace vfo::runtime
