// The data plane with the cluster's CURVE keys, attacked on loopback as someone on the same machine would:
// frames, acks and garbage sent without keys, with a key of their own, or as raw bytes, and a state link
// opened with another key than the migration's. Each is refused at the handshake and counted; the chain
// delivers on, every seq once.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "runtime/chain_checks.hpp"
#include "vfo/runtime/builtin_functions.hpp"
#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/runtime/frame.hpp"
#include "vfo/runtime/function_host.hpp"

namespace vfo::runtime {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::expect_each_seq_once;

constexpr std::uint64_t kForgedSeq = std::uint64_t{1} << 62;

// source -> compute -> sink, every host with the same cluster key pair.
struct SecureChain {
  CurveKeyPair cluster = make_curve_key_pair();
  std::shared_ptr<SinkFunction> sink_fn = std::make_shared<SinkFunction>();
  FunctionHost source{std::make_shared<SourceFunction>(500), {.fps = 200, .security = {cluster, ""}}};
  FunctionHost compute{std::make_shared<ComputeFunction>(10'000, 1 << 20, 4096), {.security = {cluster, ""}}};
  FunctionHost sink{sink_fn, {.security = {cluster, ""}}};

  SecureChain() {
    source.start();
    compute.start();
    sink.start();
    wire(1, compute);
  }
  void wire(std::uint64_t epoch, FunctionHost& middle) {
    source.rewire({epoch, middle.data_endpoint(), ""});
    middle.rewire({epoch, sink.data_endpoint(), source.ack_endpoint()});
    sink.rewire({epoch, "", middle.ack_endpoint()});
  }
};

// Sends `messages` from a PUSH socket of a fresh context, optionally with CURVE keys, and gives it a moment.
void push(const std::string& endpoint, const std::vector<std::string>& messages, const CurveKeyPair* client = nullptr,
          const std::string& server_public = "") {
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::push);
  socket.set(zmq::sockopt::linger, 500);
  if (client != nullptr) {
    socket.set(zmq::sockopt::curve_serverkey, server_public);
    socket.set(zmq::sockopt::curve_publickey, client->public_key);
    socket.set(zmq::sockopt::curve_secretkey, client->secret_key);
  }
  socket.connect(endpoint);
  for (const std::string& m : messages) static_cast<void>(socket.send(zmq::buffer(m), zmq::send_flags::dontwait));
}

// Writes raw bytes to the TCP port of a tcp://127.0.0.1:PORT endpoint: no ZMTP at all.
void raw_tcp(const std::string& endpoint, const std::string& bytes) {
  const int port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  std::this_thread::sleep_for(100ms);
  ::close(fd);
}

TEST(SecureDataPlane, ForgedFramesAcksAndGarbageAreRefusedCountedAndTheChainDeliversOn) {
  SecureChain chain;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 50; }));
  const std::string frame = encode_frame(Frame{7, kForgedSeq, 0, source_payload(kForgedSeq, 500)});
  const std::string ack = encode_ack(Ack{7, kForgedSeq});
  const CurveKeyPair stranger = make_curve_key_pair();

  // Each attempt must add to the refusals of the host it targets (a client may retry: count at least one).
  const auto refused_by = [](const FunctionHost& host, const std::function<void()>& attack) {
    const std::uint64_t before = host.counters().refused;
    attack();
    return eventually([&] { return host.counters().refused > before; });
  };
  EXPECT_TRUE(refused_by(chain.sink, [&] { push(chain.sink.data_endpoint(), {frame, "garbage"}); }));  // no keys
  EXPECT_TRUE(refused_by(chain.sink, [&] {  // a key of its own
    push(chain.sink.data_endpoint(), {frame, "garbage"}, &stranger, chain.cluster.public_key);
  }));
  EXPECT_NE(chain.sink.counters().last_refusal.find("refused an unknown key on tcp://127.0.0.1:"), std::string::npos)
      << chain.sink.counters().last_refusal;
  EXPECT_TRUE(refused_by(chain.source, [&] {  // the ack that would make the source skip 2^62 seqs
    push(chain.source.ack_endpoint(), {ack}, &stranger, chain.cluster.public_key);
  }));
  EXPECT_TRUE(refused_by(chain.compute, [&] { push(chain.compute.ack_endpoint(), {ack}); }));
  // Bytes that are no ZMTP at all: the connection is dropped before any handshake (libzmq reports no refusal).
  raw_tcp(chain.sink.data_endpoint(), std::string("GET / HTTP/1.0\r\n\r\n") + std::string(64, '\xff'));

  const std::uint64_t seen = chain.sink_fn->stats().last_seq;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().last_seq >= seen + 100; }));  // it delivers on
  for (const FunctionHost* host : {&chain.source, &chain.compute, &chain.sink}) {
    const HostCounters c = host->counters();
    EXPECT_EQ(c.malformed, 0u);  // nothing forged got as far as being read
    EXPECT_EQ(c.stale, 0u);
    EXPECT_EQ(c.epoch, 1u);
    EXPECT_LT(c.acked_seq, kForgedSeq);
  }
  expect_each_seq_once(chain.sink_fn->stats());  // the forged frame's seq never reached the sink
}

TEST(SecureDataPlane, AMembersAcksOfAnOlderEpochAndFramesOrAcksFarAheadAreDroppedAndCounted) {
  SecureChain chain;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 50; }));
  chain.wire(2, chain.compute);
  ASSERT_TRUE(eventually([&] { return chain.source.counters().epoch == 2; }));
  // With the cluster key (a member, or an instance given up for dead that still runs):
  const CurveKeyPair& key = chain.cluster;
  // an ack of the old wiring, far ahead,
  push(chain.source.ack_endpoint(), {encode_ack(Ack{1, kForgedSeq})}, &key, key.public_key);
  ASSERT_TRUE(eventually([&] { return chain.source.counters().stale >= 1; }));
  // an ack of this wiring, far ahead, and frames of this wiring far ahead in seq or in a far epoch.
  push(chain.source.ack_endpoint(), {encode_ack(Ack{2, kForgedSeq})}, &key, key.public_key);
  push(chain.sink.data_endpoint(),
       {encode_frame(Frame{2, kForgedSeq, 0, source_payload(kForgedSeq, 500)}),
        encode_frame(Frame{kForgedSeq, 60, 0, source_payload(60, 500)})},
       &key, key.public_key);
  ASSERT_TRUE(
      eventually([&] { return chain.source.counters().malformed >= 1 && chain.sink.counters().malformed >= 2; }));
  EXPECT_NE(chain.sink.counters().last_error.find("to be real"), std::string::npos) << chain.sink.counters().last_error;
  EXPECT_EQ(chain.sink.counters().epoch, 2u);  // not fenced off by the far epoch
  EXPECT_LT(chain.source.counters().acked_seq, kForgedSeq);
  const std::uint64_t seen = chain.sink_fn->stats().last_seq;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().last_seq >= seen + 50; }));  // it delivers on
  expect_each_seq_once(chain.sink_fn->stats());
}

TEST(SecureDataPlane, AStateSocketTakesOnlyTheMigrationsOneTimeKey) {
  SecureChain chain;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().frames >= 50; }));
  const CurveKeyPair once = make_curve_key_pair();
  FunctionHost target(std::make_shared<ComputeFunction>(10'000, 1 << 20, 4096),
                      {.incoming = true, .security = {chain.cluster, once.public_key}});
  target.start();

  // A source presenting the cluster's key, not the migration's: refused; it gives up and runs on.
  chain.compute.migrate_out({.target = target.state_endpoint(), .max_rounds = 0, .stall_timeout = 500ms});
  std::optional<MigrationReport> report;
  ASSERT_TRUE(eventually([&] { return (report = chain.compute.migration_report()).has_value(); }));
  EXPECT_FALSE(report->ok());
  ASSERT_TRUE(eventually([&] { return target.counters().refused >= 1; }));
  EXPECT_TRUE(target.counters().awaiting_state);
  const std::uint64_t seen = chain.sink_fn->stats().last_seq;
  ASSERT_TRUE(eventually([&] { return chain.sink_fn->stats().last_seq >= seen + 50; }));

  // Another compute VF presenting the migration's key moves its state.
  FunctionHost named(std::make_shared<ComputeFunction>(10'000, 1 << 20, 4096), {.security = {chain.cluster, ""}});
  named.start();
  named.migrate_out({.target = target.state_endpoint(), .max_rounds = 0, .verify = true, .key = once});
  ASSERT_TRUE(eventually([&] { return (report = named.migration_report()).has_value(); }));
  EXPECT_TRUE(report->ok()) << report->error;
  EXPECT_EQ(report->target_digest, report->source_digest);
  EXPECT_TRUE(eventually([&] { return !target.counters().awaiting_state; }));  // published after its word
}

}  // namespace
}  // namespace vfo::runtime
