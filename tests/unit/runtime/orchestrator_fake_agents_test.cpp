// The orchestrator's rounds on FakeAgents: placement, cold migration, reset mode, a hung node that comes back,
// a VF that exits, refused starts, a restart on the same store and live migration, each checked by what every
// node was asked to do. No process or socket: what runs in tests/runtime on real agents runs here in
// milliseconds, and a node's life (killed, hung, restarted) is played exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "support/fake_agent_options.hpp"
#include "support/four_vf_chain.hpp"
#include "vfo/runtime/fake_agent.hpp"
#include "vfo/runtime/orchestrator.hpp"

namespace vfo::runtime {
namespace {

const char* const kManifest = test::kFourVfChain;

class FakeAgents : public ::testing::Test {
 protected:
  FakeAgents()
      : cluster_({"node-1", "node-2", "node-3", "node-4", "node-5"}),
        options_(test::fake_agent_options(cluster_, "fake-agents-store")) {}
  // The same store every call: a second orchestrator on it takes over from the first.
  OrchestratorOptions options() const { return options_; }
  std::uint32_t deploy(Orchestrator& o) { return o.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest); }
  FakeAgent& node(const std::string& name) { return cluster_.node(name); }
  // The nodes that run VF `id` now.
  std::vector<std::string> nodes_running(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& [name, address] : cluster_.addresses()) {
      if (node(name).runs(id)) out.push_back(name);
    }
    return out;
  }
  // Every VF of the chain runs once, on the node the status names, wired at `epoch` to its neighbours'
  // endpoints as the store has them.
  void expect_whole(Orchestrator& o, std::uint32_t chain, std::uint64_t epoch) {
    const ChainStatus s = o.status().at(0);
    EXPECT_EQ(s.epoch, epoch);
    EXPECT_EQ(s.reason, "");
    std::vector<std::optional<VfWiring>> wirings;
    for (std::size_t j = 0; j < s.functions.size(); ++j) {
      const std::string id = "c" + std::to_string(chain) + "/" + std::to_string(j);
      EXPECT_TRUE(s.functions[j].running) << id;
      EXPECT_EQ(nodes_running(id), std::vector<std::string>{s.functions[j].node}) << id;
      wirings.push_back(node(s.functions[j].node).wiring(id));
      ASSERT_TRUE(wirings.back()) << id << " was never wired";
      EXPECT_EQ(wirings.back()->epoch, epoch) << id;
    }
    for (std::size_t j = 0; j + 1 < wirings.size(); ++j) {  // j sends where j+1 takes; j+1 acknowledges to j
      const std::string next =
          "fake://" + s.functions[j + 1].node + "/c" + std::to_string(chain) + "/" + std::to_string(j + 1) + "/data/";
      EXPECT_EQ(wirings[j]->downstream.rfind(next, 0), 0u) << wirings[j]->downstream;
      EXPECT_NE(wirings[j + 1]->upstream_ack.find("/c" + std::to_string(chain) + "/" + std::to_string(j) + "/ack/"),
                std::string::npos);
    }
    EXPECT_EQ(wirings.front()->upstream_ack, "");
    EXPECT_EQ(wirings.back()->downstream, "");
  }
  FakeAgentCluster cluster_;
  OrchestratorOptions options_;
};

TEST_F(FakeAgents, DeployPlacesTheChainOnDistinctNodesAndWiresItAtEpochOne) {
  Orchestrator o(options());
  const std::uint32_t chain = deploy(o);
  std::set<std::string> nodes;
  const auto status = o.status();
  for (const VfStatus& f : status[0].functions) nodes.insert(f.node);
  EXPECT_EQ(nodes.size(), 4u);
  expect_whole(o, chain, 1);
  const RoundReport r = o.round();  // nothing to do
  EXPECT_TRUE(r.failed_nodes.empty());
  EXPECT_EQ(r.lost + r.migrated + r.reset_chains, 0);
  EXPECT_TRUE(r.rewired.empty());
  EXPECT_TRUE(r.stale_stopped.empty());
}

TEST_F(FakeAgents, AKilledNodesVfIsStartedOnceElsewhereAndOnlyTheChainIsRewired) {
  Orchestrator o(options());
  const std::uint32_t chain = deploy(o);
  const auto before = o.status()[0].functions;
  const std::string victim = before[1].node;
  node(victim).kill();
  const RoundReport r = o.round();
  EXPECT_EQ(r.failed_nodes, std::vector<std::string>{victim});
  EXPECT_EQ(r.lost, 1);
  EXPECT_EQ(r.migrated, 1);
  EXPECT_TRUE(r.errors.empty()) << r.errors.front();
  expect_whole(o, chain, 2);
  const auto after = o.status()[0].functions;
  EXPECT_NE(after[1].node, victim);
  for (std::size_t j : {0u, 2u, 3u}) {  // the healthy VFs were rewired, never restarted
    EXPECT_EQ(after[j].node, before[j].node);
    EXPECT_EQ(node(after[j].node).starts("c1/" + std::to_string(j)), 1);
  }
  EXPECT_EQ(o.round().migrated, 0);
}

TEST_F(FakeAgents, ASlowAgentInARoundDelaysNoReaderOfTheCluster) {
  Orchestrator o(options());
  const std::uint32_t chain = deploy(o);
  const std::string victim = o.status()[0].functions[1].node;
  for (const auto& [name, address] : cluster_.addresses()) node(name).hold_starts();
  node(victim).kill();
  // The round's cold migration waits in a start that the agent does not answer until released.
  std::thread round([&] { o.round(); });
  const auto held = [&] {
    int n = 0;
    for (const auto& [name, address] : cluster_.addresses()) n += node(name).starts_held();
    return n;
  };
  for (int i = 0; i < 2000 && held() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(held(), 1) << "the round never reached the start";
  // Readers answer while it waits (each with its own probes): no lock of theirs is held across an agent call.
  auto readers = std::async(std::launch::async, [&] {
    const auto status = o.status();
    o.last_nodes();
    o.probe_nodes();
    o.store_problem();
    o.function_stats(chain, 0);
    return status;
  });
  const bool answered = readers.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  EXPECT_EQ(held(), 1);  // the round still waits
  for (const auto& [name, address] : cluster_.addresses()) node(name).release_starts();
  round.join();
  ASSERT_TRUE(answered) << "status() waited for the round's agent call";
  EXPECT_EQ(readers.get().at(0).functions.size(), 4u);
  expect_whole(o, chain, 2);
}

TEST_F(FakeAgents, AHungNodeComingBackHasItsOldInstanceStoppedSoNoVfRunsTwice) {
  Orchestrator o(options());
  const std::uint32_t chain = deploy(o);
  const std::string victim = o.status()[0].functions[1].node;
  node(victim).hang();
  RoundReport r = o.round();  // one late probe is graced
  EXPECT_TRUE(r.failed_nodes.empty());
  EXPECT_EQ(r.late_nodes, std::vector<std::string>{victim + ": DEADLINE_EXCEEDED: " + victim + " does not answer"});
  EXPECT_EQ(r.lost + r.migrated, 0);
  r = o.round();  // the second in a row is not
  EXPECT_EQ(r.failed_nodes, std::vector<std::string>{victim});
  EXPECT_TRUE(r.late_nodes.empty());
  EXPECT_EQ(r.migrated, 1);
  EXPECT_EQ(nodes_running("c1/1").size(), 2u);  // the hung node's instance cannot be stopped yet
  node(victim).resume();
  r = o.round();
  EXPECT_EQ(r.stale_stopped, std::vector<std::string>{victim + ": c1/1"});
  expect_whole(o, chain, 2);
  EXPECT_TRUE(o.round().stale_stopped.empty());
}

// A busy machine answers a probe late now and then: one late answer moves nothing and the node takes nothing new
// meanwhile; its grace starts again once it answers. A refused connection (the agent is gone) fails a node at
// once.
TEST_F(FakeAgents, ANodeLateOnceMovesNothingAndTakesNothingNewWhileAKilledOneFailsAtOnce) {
  Orchestrator o(options());
  const std::uint32_t chain = deploy(o);
  const auto placed = o.status()[0].functions;
  std::set<std::string> used;
  for (const VfStatus& f : placed) used.insert(f.node);
  std::string spare;  // the one node the chain does not use
  for (const auto& [name, address] : cluster_.addresses()) {
    if (used.count(name) == 0) spare = name;
  }
  const std::string late = placed[1].node;
  for (int time = 0; time < 3; ++time) {  // late once, then answering: never failed
    node(late).hang();
    RoundReport r = o.round();
    EXPECT_TRUE(r.failed_nodes.empty());
    EXPECT_EQ(r.late_nodes.size(), 1u);
    node(late).resume();
    r = o.round();
    EXPECT_TRUE(r.late_nodes.empty());
    EXPECT_EQ(r.lost + r.migrated + r.live_started, 0);
  }
  EXPECT_EQ(node(late).starts("c1/1"), 1);
  expect_whole(o, chain, 1);

  // The spare node is late when another dies: the dead node's VF, with nowhere else to go (a chain's VFs are on
  // distinct nodes), waits for the spare's answer.
  node(spare).hang();
  const std::string victim = placed[2].node;
  node(victim).kill();
  RoundReport r = o.round();
  EXPECT_EQ(r.failed_nodes, std::vector<std::string>{victim});
  EXPECT_EQ(r.late_nodes.size(), 1u);
  EXPECT_EQ(r.lost, 1);
  EXPECT_EQ(r.migrated, 0);
  EXPECT_FALSE(r.errors.empty());
  node(spare).resume();
  r = o.round();
  EXPECT_EQ(r.migrated, 1);
  EXPECT_EQ(o.status()[0].functions[2].node, spare);
  expect_whole(o, chain, 2);
}

TEST_F(FakeAgents, AVfThatExitsOnAHealthyNodeIsReportedOnceAndRecovered) {
  Orchestrator o(options());
  const std::uint32_t chain = deploy(o);
  const std::string where = o.status()[0].functions[2].node;
  node(where).end("c1/2", "killed by signal 9");
  const RoundReport r = o.round();
  EXPECT_EQ(r.exited, std::vector<std::string>{where + ": c1/2: killed by signal 9"});
  EXPECT_TRUE(r.failed_nodes.empty());
  EXPECT_EQ(r.lost, 1);
  EXPECT_EQ(r.migrated, 1);
  expect_whole(o, chain, 2);
  EXPECT_TRUE(o.round().exited.empty());
}

// An agent reports a VF's end once, to whichever probe comes first: a status() between rounds, from another
// thread, does not swallow it.
TEST_F(FakeAgents, AVfsEndFirstSeenByAStatusCallIsStillInTheNextRoundsReport) {
  Orchestrator o(options());
  deploy(o);
  const std::string where = o.status()[0].functions[2].node;
  node(where).end("c1/2", "exit code 3");
  std::thread([&] { o.status(); }).join();  // its probe takes the agent's report of the end
  const RoundReport r = o.round();
  EXPECT_EQ(r.exited, std::vector<std::string>{where + ": c1/2: exit code 3"});
  EXPECT_TRUE(o.round().exited.empty());
}

TEST_F(FakeAgents, ResetModeStopsTheWholeChainAndStartsItAnewAtTheNextEpoch) {
  OrchestratorOptions options = this->options();
  options.control.recovery = Recovery::reset;
  Orchestrator o(options);
  const std::uint32_t chain = deploy(o);
  const auto before = o.status()[0].functions;
  node(before[1].node).kill();
  const RoundReport r = o.round();
  EXPECT_EQ(r.reset_chains, 1);
  EXPECT_EQ(r.migrated, 0);
  expect_whole(o, chain, 2);
  for (std::size_t j : {0u, 2u, 3u}) {  // every survivor was stopped, and its VF started anew
    const auto calls = node(before[j].node).calls();
    EXPECT_NE(std::find(calls.begin(), calls.end(), "stop c1/" + std::to_string(j)), calls.end()) << j;
  }
  int starts = 0;
  for (const auto& [name, address] : cluster_.addresses()) {
    for (int j = 0; j < 4; ++j) starts += node(name).starts("c1/" + std::to_string(j));
  }
  EXPECT_EQ(starts, 8);  // four at the deploy, four at the reset
}

TEST_F(FakeAgents, ResetModeMovesAnOverloadingNodesVfLiveAsColdModeDoes) {
  OrchestratorOptions options = this->options();
  options.control.recovery = Recovery::reset;
  options.control.live_migration = true;
  options.control.horizon_s = 5;
  Orchestrator o(options);
  const std::uint32_t chain = deploy(o);
  const std::string victim = o.status()[0].functions[0].node;
  node(victim).kill();
  EXPECT_EQ(o.round().reset_chains, 1);  // the chain is whole again, and the round went on to the controller
  EXPECT_EQ(o.last_nodes().size(), 5u);
  node(victim).restart();  // back, empty: the one node a VF of the chain may move to
  const std::string hot = o.status()[0].functions[2].node;
  int started = 0;
  for (int i = 0; i < 12 && started == 0; ++i) {
    node(hot).set_load(20 + 8 * i, 30);
    const RoundReport r = o.round();
    EXPECT_EQ(r.reset_chains, 0);
    started += r.live_started;
  }
  ASSERT_EQ(started, 1) << "reset mode never moved a VF live";
  const auto records = o.live_migrations(/*wait=*/true);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].error, "");
  EXPECT_EQ(records[0].function, "track");
  expect_whole(o, chain, 3);
}

TEST_F(FakeAgents, KubernetesRecoveryIsTheSimulatorsModelAndTheRuntimeRefusesIt) {
  OrchestratorOptions options = this->options();
  options.control.recovery = Recovery::kubernetes;
  EXPECT_THROW(Orchestrator{options}, std::invalid_argument);
}

TEST_F(FakeAgents, RefusedStartsAreReportedInTheRoundAndTheStatusAndRetriedNextRound) {
  Orchestrator o(options());
  const std::uint32_t chain = deploy(o);
  const std::string victim = o.status()[0].functions[1].node;
  for (const auto& [name, address] : cluster_.addresses()) node(name).refuse_starts("INTERNAL: no image");
  node(victim).kill();
  RoundReport r = o.round();
  EXPECT_EQ(r.migrated, 0);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors.front().find("c1/1: start on node-"), std::string::npos) << r.errors.front();
  EXPECT_NE(r.errors.front().find("INTERNAL: no image"), std::string::npos) << r.errors.front();
  EXPECT_NE(o.status()[0].reason.find("INTERNAL: no image"), std::string::npos) << o.status()[0].reason;
  for (const auto& [name, address] : cluster_.addresses()) node(name).refuse_starts("");
  r = o.round();
  EXPECT_EQ(r.migrated, 1);
  expect_whole(o, chain, 2);
}

TEST_F(FakeAgents, ARestartedOrchestratorResumesHealthyVfsAndRecoversWhatDiedMeanwhile) {
  std::uint32_t chain = 0;
  std::vector<VfStatus> placed;
  {
    Orchestrator first(options());
    chain = deploy(first);
    placed = first.status()[0].functions;
  }
  node(placed[3].node).kill();  // while no orchestrator ran
  Orchestrator second(options());
  const RoundReport r = second.round();
  EXPECT_EQ(r.lost, 1);
  EXPECT_EQ(r.migrated, 1);
  expect_whole(second, chain, 2);
  for (std::size_t j = 0; j < 3; ++j) EXPECT_EQ(node(placed[j].node).starts("c1/" + std::to_string(j)), 1);
}

TEST_F(FakeAgents, EveryNodeSilentAtOnceIsTakenForTheOrchestratorsTroubleAndNothingIsMoved) {
  Orchestrator o(options());
  const std::uint32_t chain = deploy(o);
  for (const auto& [name, address] : cluster_.addresses()) node(name).hang();
  for (int round = 0; round < 2; ++round) {  // late, then failed: either way silent
    const RoundReport r = o.round();
    EXPECT_EQ((round == 0 ? r.late_nodes : r.failed_nodes).size(), 5u);
    EXPECT_EQ(r.lost + r.migrated, 0);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].find("none of the 5 nodes answered"), std::string::npos) << r.errors[0];
  }
  for (const auto& [name, address] : cluster_.addresses()) node(name).resume();
  EXPECT_EQ(o.round().migrated, 0);
  expect_whole(o, chain, 1);
}

TEST_F(FakeAgents, AnOrchestratorStartedOnAStoreRewiresEachWholeChainAtAnEpochOfItsOwnOnce) {
  std::uint32_t chain = 0;
  {
    Orchestrator first(options());
    chain = deploy(first);
    EXPECT_TRUE(first.round().taken_over.empty());  // the chain it placed itself
  }
  Orchestrator second(options());
  const RoundReport r = second.round();
  EXPECT_EQ(r.taken_over, std::vector<std::string>{"ped (chain 1) at epoch 2"});
  EXPECT_TRUE(r.rewired.empty()) << "the repair saw the wiring the takeover had just sent";
  EXPECT_EQ(r.migrated + r.lost + r.live_started, 0);
  expect_whole(second, chain, 2);
  EXPECT_TRUE(second.round().taken_over.empty());
  expect_whole(second, chain, 2);
}

TEST_F(FakeAgents, AnOverloadingNodesVfMovesLiveOnceWithTheOneTimeKeyAndTheChainIsRewired) {
  OrchestratorOptions options = this->options();
  options.control.live_migration = true;
  options.control.k = 0.5;
  options.control.horizon_s = 5;
  Orchestrator o(options);
  const std::uint32_t chain = deploy(o);
  const std::string hot = o.status()[0].functions[1].node;
  node(hot).hold_migrations();
  int started = 0;
  for (int i = 0; i < 12 && started == 0; ++i) {  // a ramp of 8 points per probe toward 90 %
    node(hot).set_load(20 + 8 * i, 30);
    started += o.round().live_started;
  }
  ASSERT_EQ(started, 1) << "no live migration on a ramp to 108 % CPU";
  ASSERT_EQ(nodes_running("c1/1").size(), 2u);  // the source runs on beside the incoming VF while it copies
  const RoundReport during = o.round();         // the VF is moving: nothing else is started for it
  EXPECT_EQ(during.live_started + during.migrated, 0);
  EXPECT_TRUE(during.stale_stopped.empty());  // the incoming VF is not taken for a stale one
  node(hot).release_migrations();
  const auto records = o.live_migrations(/*wait=*/true);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].error, "");
  EXPECT_EQ(records[0].from, hot);
  EXPECT_EQ(records[0].function, "detect");
  EXPECT_GE(records[0].p_fail, 0.5);
  EXPECT_GT(records[0].downtime_s(), 0);
  EXPECT_EQ(o.status()[0].functions[1].node, records[0].to);
  expect_whole(o, chain, 2);
}

TEST_F(FakeAgents, AStateEndpointRefusesAnyKeyButTheMigrationsOwn) {
  FakeAgent& source = node("node-1");
  FakeAgent& target = node("node-2");
  auto from = cluster_.connect("node-1");
  auto to = cluster_.connect("node-2");
  ASSERT_TRUE(from->start_function("c/1", FunctionSpec{.kind = "compute"}));
  const CurveKeyPair once = make_curve_key_pair();
  const auto incoming = to->start_incoming("c/1", FunctionSpec{.kind = "compute"}, once.public_key);
  ASSERT_TRUE(incoming);
  MigrationOrder order;
  order.target = incoming->state;
  order.key = make_curve_key_pair();  // another key
  auto report = from->migrate_out("c/1", order, std::chrono::seconds(1));
  ASSERT_TRUE(report);
  EXPECT_NE(report->error.find("another key"), std::string::npos) << report->error;
  order.key = once;
  report = from->migrate_out("c/1", order, std::chrono::seconds(1));
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->error;
  EXPECT_TRUE(source.runs("c/1"));  // frozen, until the orchestrator stops it
  EXPECT_TRUE(target.runs("c/1"));
  std::string error;
  EXPECT_FALSE(from->stop_function("c/9", &error));
  EXPECT_EQ(error.rfind("NOT_FOUND", 0), 0u) << error;
  EXPECT_FALSE(to->start_function("c/1", FunctionSpec{.kind = "compute"}, &error));
  EXPECT_EQ(error.rfind("ALREADY_EXISTS", 0), 0u) << error;
}

}  // namespace
}  // namespace vfo::runtime
