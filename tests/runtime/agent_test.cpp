// The edge agents on loopback: real vfo-agent processes serving gRPC with mutual TLS, starting real
// vfo-function processes. The orchestrator's part is played by the test (the orchestrator comes next).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "local_agents.hpp"
#include "runtime/chain_checks.hpp"
#include "support/scratch.hpp"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/builtin_functions.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/runtime/frame.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = test::fresh_dir("cluster-certs");
    write_cluster_certificates(certs_, {"orchestrator", "node-1", "node-2"});
    orchestrator_ = Identity::from_dir(certs_, "orchestrator");
  }
  std::filesystem::path certs_;
  Identity orchestrator_;
};

TEST_F(Cluster, AnAgentAnswersProbesAndStartsOnlyRegisteredKinds) {
  Agent agent = start_agent(certs_, "node-1");
  AgentClient client(agent.address, orchestrator_);
  std::string error;
  const auto probe = client.probe(&error);
  ASSERT_TRUE(probe) << error;
  EXPECT_EQ(probe->node, "node-1");
  EXPECT_GE(probe->cpu_pct, 0.0);
  EXPECT_LE(probe->cpu_pct, 100.0);
  EXPECT_GT(probe->ram_pct, 0.0);
  EXPECT_GT(probe->ram_total_bytes, 0u);

  EXPECT_FALSE(client.start_function("c/0", FunctionSpec{.kind = "/bin/sh"}, &error));
  EXPECT_EQ(error.rfind("INVALID_ARGUMENT: spec.kind: '/bin/sh' is not a registered VF kind", 0), 0u) << error;
  // ... and the agent logged the refusal, naming the peer.
  const std::string log = test::slurp(test::scratch_dir() / "logs-node-1" / "agent.log");
  EXPECT_NE(log.find("vfo-agent node-1: refused StartFunction from ipv4:127.0.0.1:"), std::string::npos) << log;
  const auto sink = client.start_function("c/2", FunctionSpec{.kind = "sink"}, &error);
  ASSERT_TRUE(sink) << error;
  EXPECT_EQ(sink->data.rfind("tcp://127.0.0.1:", 0), 0u);
  EXPECT_FALSE(client.start_function("c/2", FunctionSpec{.kind = "sink"}, &error));
  EXPECT_EQ(error.rfind("ALREADY_EXISTS", 0), 0u) << error;
  EXPECT_EQ(client.probe()->functions, std::vector<std::string>{"c/2"});
  EXPECT_TRUE(client.stop_function("c/2", &error)) << error;
  EXPECT_FALSE(client.stop_function("c/2", &error));
  EXPECT_EQ(error.rfind("NOT_FOUND", 0), 0u) << error;
}

TEST_F(Cluster, AVfWhoseProcessEndsIsReportedOnceWithHowItEndedAndMayBeStartedAgain) {
  Agent agent = start_agent(certs_, "node-1");
  AgentClient client(agent.address, orchestrator_);
  std::string error;
  ASSERT_TRUE(client.start_function("c/2", FunctionSpec{.kind = "sink"}, &error)) << error;
  const std::vector<pid_t> vfs = children_of(agent.process->pid());
  ASSERT_EQ(vfs.size(), 1u);
  ::kill(vfs.front(), SIGKILL);
  std::optional<NodeProbe> probe;
  ASSERT_TRUE(testing::eventually([&] {  // the kill lands at once, but give a loaded machine time
    probe = client.probe(&error);
    return probe && !probe->exited.empty();
  })) << error;
  EXPECT_EQ(probe->exited, std::vector<std::string>{"c/2: killed by signal 9"});
  EXPECT_TRUE(probe->functions.empty());  // a dead VF is not reported as running
  const auto next = client.probe(&error);
  ASSERT_TRUE(next) << error;
  EXPECT_TRUE(next->exited.empty());  // once
  EXPECT_TRUE(next->functions.empty());
  const std::string log = test::slurp(test::scratch_dir() / "logs-node-1" / "agent.log");
  EXPECT_NE(log.find("vfo-agent node-1: VF c/2 ended (killed by signal 9)"), std::string::npos) << log;
  ASSERT_TRUE(client.start_function("c/2", FunctionSpec{.kind = "sink"}, &error)) << error;  // again
  EXPECT_EQ(client.probe()->functions, std::vector<std::string>{"c/2"});
}

TEST_F(Cluster, AReplyAVfsHostGivesAfterItsCallGaveUpIsNeverTakenForTheReplyToALaterCall) {
  Agent agent = start_agent(certs_, "node-1");
  AgentClient client(agent.address, orchestrator_, 10s);
  std::string error;
  ASSERT_TRUE(client.start_function("c/2", FunctionSpec{.kind = "sink"}, &error)) << error;
  const std::vector<pid_t> vfs = children_of(agent.process->pid());
  ASSERT_EQ(vfs.size(), 1u);
  // A stopped host (a loaded node) answers the stats call after the agent gave up on it (2 s) ...
  ::kill(vfs.front(), SIGSTOP);
  EXPECT_FALSE(client.function_stats("c/2", &error));
  EXPECT_EQ(error.rfind("UNAVAILABLE", 0), 0u) << error;
  ::kill(vfs.front(), SIGCONT);
  // ... and that late stats reply is not the rewire's, nor the rewire's "ok" the next stats call's.
  ASSERT_TRUE(client.rewire("c/2", 3, "", "", &error)) << error;
  for (int call = 0; call < 3; ++call) {
    const auto stats = client.function_stats("c/2", &error);
    ASSERT_TRUE(stats) << error;
    const Json j = Json::parse(*stats);
    EXPECT_TRUE(j.contains("frames")) << *stats;  // the stats, not the rewire's {"ok":true}
  }
}

TEST_F(Cluster, AClientWithoutTheClustersCertificateIsRefused) {
  Agent agent = start_agent(certs_, "node-1");
  const auto other = test::fresh_dir("other-certs");
  write_cluster_certificates(other, {"orchestrator"});
  std::string error;
  AgentClient intruder(agent.address, Identity::from_dir(other, "orchestrator"), 3s);
  EXPECT_FALSE(intruder.probe(&error));
  EXPECT_EQ(error.rfind("UNAVAILABLE", 0), 0u) << error;
  AgentClient anonymous(agent.address, Identity{orchestrator_.ca_pem, "", ""}, 3s);  // no client certificate
  EXPECT_FALSE(anonymous.probe(&error));
  AgentClient member(agent.address, orchestrator_);
  EXPECT_TRUE(member.probe(&error)) << error;
  // The agent logged the refused handshakes (gRPC's own log line, in the agent's stderr).
  const std::string log = test::slurp(test::scratch_dir() / "logs-node-1" / "agent.log");
  EXPECT_NE(log.find("Handshake failed"), std::string::npos) << log;
}

TEST_F(Cluster, AnotherMembersCertificateMayCallNothingOnAnAgent) {
  Agent agent = start_agent(certs_, "node-1");
  AgentClient orchestrator(agent.address, orchestrator_);
  std::string error;
  ASSERT_TRUE(orchestrator.start_function("c/2", FunctionSpec{.kind = "sink"}, &error)) << error;
  AgentClient node2(agent.address, Identity::from_dir(certs_, "node-2"), 3s);  // a member, but not the controller
  const auto denied = [&](bool answered) {
    return !answered && error.rfind("PERMISSION_DENIED: only the cluster's 'orchestrator' may call", 0) == 0;
  };
  EXPECT_TRUE(denied(node2.probe(&error).has_value())) << error;
  EXPECT_TRUE(denied(node2.start_function("c/1", FunctionSpec{.kind = "compute"}, &error).has_value())) << error;
  EXPECT_TRUE(denied(node2.start_incoming("c/1", FunctionSpec{.kind = "compute"}, "", &error).has_value())) << error;
  EXPECT_TRUE(denied(node2.rewire("c/2", 5, "", "", &error))) << error;
  EXPECT_TRUE(denied(node2.stress(50, 0, 0, 1, &error))) << error;
  EXPECT_TRUE(denied(node2.function_stats("c/2", &error).has_value())) << error;
  EXPECT_TRUE(denied(node2.migrate_out("c/2", MigrationOrder{.target = "tcp://127.0.0.1:1"}, 3s, &error).has_value()))
      << error;
  EXPECT_TRUE(denied(node2.stop_function("c/2", &error))) << error;
  // Nothing of it happened: the sink runs, unwired, and nothing else was started.
  const auto probe = orchestrator.probe(&error);
  ASSERT_TRUE(probe) << error;
  EXPECT_EQ(probe->functions, std::vector<std::string>{"c/2"});
  EXPECT_TRUE(probe->wiring.empty());
  const std::string log = test::slurp(test::scratch_dir() / "logs-node-1" / "agent.log");
  EXPECT_NE(log.find("vfo-agent node-1: refused a call from ipv4:127.0.0.1:"), std::string::npos) << log;
  EXPECT_NE(log.find("(certificate 'node-2'; only 'orchestrator' may call)"), std::string::npos) << log;
}

TEST_F(Cluster, AnAgentsVfsTakeFramesOnlyFromHoldersOfTheClustersDataPlaneKey) {
  Agent agent = start_agent(certs_, "node-1");
  AgentClient client(agent.address, orchestrator_);
  std::string error;
  const auto sink = client.start_function("c/2", FunctionSpec{.kind = "sink"}, &error);
  ASSERT_TRUE(sink) << error;
  const auto send_frame = [&](const CurveKeyPair* keys) {
    zmq::context_t context;
    zmq::socket_t push(context, zmq::socket_type::push);
    push.set(zmq::sockopt::linger, 1000);
    if (keys != nullptr) {
      push.set(zmq::sockopt::curve_serverkey, keys->public_key);
      push.set(zmq::sockopt::curve_publickey, keys->public_key);
      push.set(zmq::sockopt::curve_secretkey, keys->secret_key);
    }
    push.connect(sink->data);
    static_cast<void>(
        push.send(zmq::buffer(encode_frame(Frame{1, 1, 0, source_payload(1, 10)})), zmq::send_flags::none));
  };
  const auto stats = [&] { return Json::parse(client.function_stats("c/2").value_or("{}")); };
  send_frame(nullptr);  // someone on the machine, without the key file
  ASSERT_TRUE(testing::eventually([&] { return stats().value("refused", 0) >= 1; })) << stats().dump();
  EXPECT_EQ(stats().value("frames", 1), 0);
  const CurveKeyPair cluster = read_curve_key_pair(certs_ / "data-plane.key");
  send_frame(&cluster);  // a member
  ASSERT_TRUE(testing::eventually([&] { return stats().value("frames", 0) == 1; })) << stats().dump();
}

TEST_F(Cluster, AnAgentKilledTakesItsVfsAndStressWithItStoppedOrNot) {
  Agent agent = start_agent(certs_, "node-1");
  AgentClient client(agent.address, orchestrator_);
  std::string error;
  ASSERT_TRUE(client.start_function("c/1", FunctionSpec{.kind = "compute"}, &error)) << error;
  ASSERT_TRUE(client.start_function("c/2", FunctionSpec{.kind = "sink"}, &error)) << error;
  ASSERT_TRUE(client.stress(5, 0, 0, 600, &error)) << error;
  std::vector<pid_t> children;
  ASSERT_TRUE(testing::eventually([&] { return (children = children_of(agent.process->pid())).size() == 3; }));
  ASSERT_TRUE(test::stop_process(children.front()));  // as the governor does: a stopped VF never sees its stdin end
  agent.process->kill(SIGKILL);                       // the node dies
  agent.process->wait();
  for (const pid_t child : children) {
    EXPECT_TRUE(testing::eventually([&] { return !test::runs(child); })) << "pid " << child << " outlived its agent";
  }
}

TEST_F(Cluster, AStressThatEndedIsReapedByTheNextProbeNotLeftAZombie) {
  Agent agent = start_agent(certs_, "node-1");
  AgentClient client(agent.address, orchestrator_);
  std::string error;
  ASSERT_TRUE(client.stress(5, 0, 0, 0.2, &error)) << error;
  std::vector<pid_t> children;
  ASSERT_TRUE(testing::eventually([&] { return (children = children_of(agent.process->pid())).size() == 1; }));
  const pid_t stress = children.front();
  ASSERT_TRUE(testing::eventually([&] { return !test::runs(stress); }));  // ended: a zombie until reaped
  ASSERT_TRUE(client.probe(&error)) << error;
  EXPECT_FALSE(test::process_stat(stress).has_value()) << "pid " << stress << " is still a zombie";
}

TEST_F(Cluster, KillingTheAgentOfTheMiddleVfAndRewiringLosesNoFrame) {
  Agent one = start_agent(certs_, "node-1");
  Agent two = start_agent(certs_, "node-2");
  AgentClient a(one.address, orchestrator_), b(two.address, orchestrator_);
  std::string e;
  const auto source = a.start_function("c/0", FunctionSpec{.kind = "source", .fps = 100}, &e);
  const auto compute = b.start_function("c/1", FunctionSpec{.kind = "compute"}, &e);
  const auto sink = a.start_function("c/2", FunctionSpec{.kind = "sink"}, &e);
  ASSERT_TRUE(source && compute && sink) << e;
  ASSERT_TRUE(a.rewire("c/0", 1, compute->data, "", &e)) << e;
  ASSERT_TRUE(b.rewire("c/1", 1, sink->data, source->ack, &e)) << e;
  ASSERT_TRUE(a.rewire("c/2", 1, "", compute->ack, &e)) << e;
  std::string stats_error;
  const auto sink_stats = [&] { return Json::parse(a.function_stats("c/2", &stats_error).value_or("{}")); };
  const auto wait_for = [&](std::uint64_t last) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (sink_stats().value("last_seq", 0ull) < last && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    return sink_stats();
  };
  ASSERT_GE(wait_for(50).value("last_seq", 0ull), 50u);

  two.process->kill(SIGKILL);  // the agent and, with it, its VF
  two.process->wait();
  EXPECT_FALSE(b.probe(&e));
  const auto moved = a.start_function("c/1", FunctionSpec{.kind = "compute"}, &e);  // Algorithm 2, by hand
  ASSERT_TRUE(moved) << e;
  ASSERT_TRUE(a.rewire("c/0", 2, moved->data, "", &e)) << e;
  ASSERT_TRUE(a.rewire("c/1", 2, sink->data, source->ack, &e)) << e;
  ASSERT_TRUE(a.rewire("c/2", 2, "", moved->ack, &e)) << e;
  const std::uint64_t produced = Json::parse(a.function_stats("c/0").value_or("{}")).value("produced", 0ull);
  const Json s = wait_for(produced + 50);
  ASSERT_GE(s.value("last_seq", 0ull), produced + 50) << s.dump() << " " << stats_error;
  EXPECT_EQ(s.value("frames", 0ull), s.value("last_seq", 1ull)) << s.dump();
  EXPECT_EQ(s.value("out_of_order", 1ull), 0u) << s.dump();
}

}  // namespace
}  // namespace vfo::runtime
