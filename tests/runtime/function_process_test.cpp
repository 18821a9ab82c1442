// The vfo-function binary end to end: three processes on loopback, driven over their pipes as an agent
// drives them. The middle one is killed with SIGKILL and replaced; the sink must still see every seq once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "vfo/runtime/child_process.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

struct Vf {
  std::unique_ptr<ChildProcess> process;
  std::string data, ack;
};

Vf spawn(const std::vector<std::string>& args) {
  Vf vf;
  vf.process = std::make_unique<ChildProcess>(VFO_FUNCTION_BINARY, args);
  const auto ready = vf.process->read_line(10s);
  EXPECT_TRUE(ready.has_value());
  if (!ready) return vf;
  const Json j = Json::parse(*ready);
  EXPECT_EQ(j.value("ready", false), true) << *ready;
  vf.data = j.value("data", "");
  vf.ack = j.value("ack", "");
  return vf;
}

Json ask(Vf& vf, const Json& command) {
  EXPECT_TRUE(vf.process->write_line(command.dump()));
  const auto reply = vf.process->read_line(10s);
  EXPECT_TRUE(reply.has_value()) << command.dump();
  return reply ? Json::parse(*reply) : Json::object();
}

void rewire(Vf& vf, std::uint64_t epoch, const std::string& downstream, const std::string& upstream_ack) {
  const Json reply =
      ask(vf, {{"cmd", "rewire"}, {"epoch", epoch}, {"downstream", downstream}, {"upstream_ack", upstream_ack}});
  EXPECT_EQ(reply.value("ok", false), true) << reply.dump();
}

// Asks `vf` for its stats until `done` holds of them or 30 s pass; the last stats.
template <typename Done>
Json stats_when(Vf& vf, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  Json s = ask(vf, {{"cmd", "stats"}});
  while (!done(s) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    s = ask(vf, {{"cmd", "stats"}});
  }
  return s;
}

TEST(FunctionProcess, KillingTheMiddleProcessAndReplacingItLosesNoFrame) {
  Vf source = spawn({"source", "--fps", "100", "--payload-bytes", "2000"});
  Vf compute = spawn({"compute", "--instructions", "200000"});
  Vf sink = spawn({"sink"});
  rewire(source, 1, compute.data, "");
  rewire(compute, 1, sink.data, source.ack);
  rewire(sink, 1, "", compute.ack);
  Json s = stats_when(sink, [](const Json& j) { return j.value("frames", 0) >= 60; });
  ASSERT_GE(s.value("frames", 0), 60) << s.dump();

  compute.process->kill(SIGKILL);
  EXPECT_EQ(compute.process->wait(), 128 + SIGKILL);
  std::this_thread::sleep_for(200ms);
  const Json before = ask(source, {{"cmd", "stats"}});
  Vf replacement = spawn({"compute", "--instructions", "200000"});
  rewire(source, 2, replacement.data, "");
  rewire(replacement, 2, sink.data, source.ack);
  rewire(sink, 2, "", replacement.ack);
  const std::uint64_t target = before.value("produced", 0ull) + 60;
  s = stats_when(sink, [&](const Json& j) { return j.value("last_seq", 0ull) >= target; });
  ASSERT_GE(s.value("last_seq", 0ull), target) << s.dump();
  EXPECT_EQ(s.value("frames", 0ull), s.value("last_seq", 0ull)) << s.dump();  // none lost, none twice
  EXPECT_EQ(s.value("out_of_order", 1ull), 0u) << s.dump();
  EXPECT_EQ(s.value("bad_payloads", 1ull), 0u) << s.dump();
  EXPECT_GT(ask(source, {{"cmd", "stats"}}).value("replayed", 0ull), 0u);

  EXPECT_EQ(ask(sink, {{"cmd", "stop"}}).value("ok", false), true);
  EXPECT_EQ(sink.process->wait(), 0);
}

TEST(FunctionProcess, BadCommandsGetOneErrorLineAndChangeNothing) {
  Vf sink = spawn({"sink"});
  EXPECT_TRUE(ask(sink, Json("a string")).contains("error"));
  EXPECT_TRUE(ask(sink, {{"cmd", "rewire"}, {"epoch", -1}}).contains("error"));
  EXPECT_TRUE(ask(sink, {{"cmd", "rewire"}, {"epoch", 1}, {"downstream", 5}}).contains("error"));
  EXPECT_EQ(ask(sink, {{"cmd", "stats"}}).value("epoch", 99), 0);
  ChildProcess bad(VFO_FUNCTION_BINARY, {"shell"});
  EXPECT_FALSE(bad.read_line(5s).has_value());  // it wrote nothing on stdout
  EXPECT_EQ(bad.wait(), 2);                     // only registered VF kinds run
  for (const std::string keys : {"not json", R"({"public":"short","secret":"x"})"}) {
    ChildProcess keyless(VFO_FUNCTION_BINARY, {"sink", "--keys-from-stdin"});
    ASSERT_TRUE(keyless.write_line(keys));
    EXPECT_FALSE(keyless.read_line(5s).has_value()) << keys;  // it bound nothing and said nothing
    EXPECT_EQ(keyless.wait(), 2) << keys;
  }
}

TEST(FunctionProcess, AMigrationInProgressLeavesThePipeFreeForOtherOrders) {
  Vf compute = spawn({"compute", "--state-bytes", "1048576"});
  EXPECT_TRUE(ask(compute, {{"cmd", "migration"}}).contains("error"));  // none ordered yet
  EXPECT_TRUE(ask(compute, {{"cmd", "migrate"}, {"max_rounds", -1}}).contains("error"));
  // A target that never answers: the migration runs until its 2 s stall timeout.
  zmq::context_t context;
  zmq::socket_t silent(context, zmq::socket_type::pair);
  silent.bind("tcp://127.0.0.1:*");
  const Json started = ask(
      compute,
      {{"cmd", "migrate"}, {"target", silent.get(zmq::sockopt::last_endpoint)}, {"max_rounds", 0}, {"timeout_s", 2}});
  EXPECT_EQ(started.value("ok", false), true) << started.dump();
  EXPECT_EQ(ask(compute, {{"cmd", "migration"}}).value("done", true), false);
  // Meanwhile it takes orders: stats and a rewire are answered, not queued behind the migration. The rewire keeps
  // the epoch the migration started at: one past it would give the chain back to this host and call the migration
  // off (LiveMigration.ASourceThatHandedItsStateOverTakesTheChainBack...), or not, depending on whether the host's
  // thread had begun the migration when the rewire came.
  EXPECT_TRUE(ask(compute, {{"cmd", "stats"}}).contains("frozen"));
  EXPECT_EQ(
      ask(compute, {{"cmd", "rewire"}, {"epoch", 0}, {"downstream", ""}, {"upstream_ack", ""}}).value("ok", false),
      true);
  Json over = Json::object();
  for (int i = 0; i < 200 && !over.value("done", false); ++i) {
    std::this_thread::sleep_for(50ms);
    over = ask(compute, {{"cmd", "migration"}});
  }
  EXPECT_EQ(over.value("done", false), true) << over.dump();
  EXPECT_EQ(over.value("ok", true), false) << over.dump();
  EXPECT_NE(over.value("error", std::string()).find("said nothing"), std::string::npos) << over.dump();
}

}  // namespace
}  // namespace vfo::runtime
