// The orchestrator on a local edge cluster: real agents and VF processes on loopback, the shared controller
// and placer, cold migration (Algorithm 2) after an agent is killed, and a restart on the same store.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include <map>

#include "local_agents.hpp"
#include "support/four_vf_chain.hpp"
#include "support/store_tamper.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/runtime/sqlite_store.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;

const char* const kManifest = test::kFourVfChain;

class LocalCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = test::fresh_dir("orchestrator-certs");
    std::vector<std::string> names = {"orchestrator"};
    for (int i = 1; i <= 5; ++i) names.push_back("node-" + std::to_string(i));
    write_cluster_certificates(certs_, names);
    for (int i = 1; i <= 5; ++i) agents_.push_back(start_agent(certs_, "node-" + std::to_string(i)));
    store_ = test::fresh_dir("orchestrator-store");
    std::filesystem::create_directories(store_);
  }
  OrchestratorOptions options() const {
    OrchestratorOptions o;
    o.store = store_ / "cluster.db";
    o.identity = Identity::from_dir(certs_, "orchestrator");
    for (int i = 0; i < 5; ++i) o.agents.push_back({"node-" + std::to_string(i + 1), agents_[i].address});
    return o;
  }
  // The sink's counters once its last seq reaches `last` (or after 30 s).
  static Json sink_when(Orchestrator& o, std::uint32_t chain, std::uint64_t last) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    Json s = Json::object();
    while (std::chrono::steady_clock::now() < deadline) {
      s = Json::parse(o.function_stats(chain, 3).value_or("{}"));
      if (s.value("last_seq", 0ull) >= last) break;
      std::this_thread::sleep_for(20ms);
    }
    return s;
  }
  // The agent of node `name` ("node-K").
  Agent& agent_of(const std::string& name) { return agents_.at(std::stoul(name.substr(5)) - 1); }
  // Kills node `name`'s agent (SIGKILL: the node dies, its VFs with it) and reaps it.
  void kill_node(const std::string& name) {
    agent_of(name).process->kill(SIGKILL);
    agent_of(name).process->wait();
  }
  void expect_reset_reestablishes_the_chain(bool concurrent_starts);
  std::filesystem::path certs_, store_;
  std::vector<Agent> agents_;
};

TEST_F(LocalCluster, AKilledAgentsVfIsColdMigratedAndNoFrameIsLost) {
  Orchestrator orchestrator(options());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  auto status = orchestrator.status();
  ASSERT_EQ(status.size(), 1u);
  ASSERT_EQ(status[0].functions.size(), 4u);
  std::set<std::string> nodes;
  for (const VfStatus& f : status[0].functions) {
    EXPECT_TRUE(f.running) << f.name;
    nodes.insert(f.node);
  }
  EXPECT_EQ(nodes.size(), 4u);  // a chain is spread over distinct nodes
  ASSERT_GE(sink_when(orchestrator, chain, 100).value("last_seq", 0ull), 100u);

  // Kill the agent of the middle VF "detect" (and with it the VF).
  const std::string victim = status[0].functions[1].node;
  kill_node(victim);
  EXPECT_EQ(status[0].reason, "");
  EXPECT_EQ(orchestrator.status()[0].reason,
            "detect on " + victim + " is not running (its node does not answer); the next round recovers it");

  const RoundReport report = orchestrator.round();  // one probing round detects it and migrates
  EXPECT_EQ(report.failed_nodes, std::vector<std::string>{victim});
  EXPECT_EQ(report.lost, 1);
  EXPECT_EQ(report.migrated, 1);
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  status = orchestrator.status();
  EXPECT_NE(status[0].functions[1].node, victim);
  EXPECT_EQ(status[0].epoch, 2u);
  for (const VfStatus& f : status[0].functions) EXPECT_TRUE(f.running) << f.name;
  EXPECT_EQ(status[0].reason, "");

  const Json before = Json::parse(orchestrator.function_stats(chain, 0).value_or("{}"));
  const Json s = sink_when(orchestrator, chain, before.value("produced", 0ull) + 100);
  ASSERT_GE(s.value("last_seq", 0ull), before.value("produced", 0ull) + 100) << s.dump();
  EXPECT_EQ(s.value("frames", 0ull), s.value("last_seq", 1ull)) << s.dump();  // every seq once
  EXPECT_EQ(s.value("out_of_order", 1ull), 0u) << s.dump();
  EXPECT_EQ(orchestrator.round().migrated, 0);  // nothing more to do
}

TEST_F(LocalCluster, AKilledSourcesReplacementGoesOnAfterWhatTheChainDeliveredAndNoSeqRepeats) {
  Orchestrator orchestrator(options());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  const std::uint64_t delivered = sink_when(orchestrator, chain, 100).value("last_seq", 0ull);
  ASSERT_GE(delivered, 100u);
  const std::string victim = orchestrator.status()[0].functions[0].node;  // "camera"
  kill_node(victim);

  const RoundReport report = orchestrator.round();
  EXPECT_EQ(report.lost, 1);
  EXPECT_EQ(report.migrated, 1);
  const auto status = orchestrator.status();
  EXPECT_NE(status[0].functions[0].node, victim);
  // The new camera numbers its frames from 1, learns from its downstream's ack what the chain delivered, and
  // goes on from there: the sink sees the seq climb past the old source's with every seq once and in order.
  const Json sink = sink_when(orchestrator, chain, delivered + 100);
  ASSERT_GE(sink.value("last_seq", 0ull), delivered + 100) << sink.dump();
  EXPECT_EQ(sink.value("out_of_order", 1ull), 0u) << sink.dump();
  const auto healed = orchestrator.status();
  for (const VfStatus& f : healed[0].functions) EXPECT_TRUE(f.running) << f.name;
}

TEST_F(LocalCluster, AKilledSinksReplacementGetsWhatTheOldOneHadNotAcknowledgedEachSeqOnce) {
  Orchestrator orchestrator(options());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  const Json old_sink = sink_when(orchestrator, chain, 100);
  ASSERT_GE(old_sink.value("last_seq", 0ull), 100u);
  EXPECT_EQ(old_sink.value("frames", 0ull), old_sink.value("last_seq", 1ull));  // each seq once so far
  const std::string victim = orchestrator.status()[0].functions[3].node;        // "alert", the sink
  // What the end of the chain had acknowledged to "track" just before the kill: delivered, never sent again.
  const std::uint64_t acked =
      Json::parse(orchestrator.function_stats(chain, 2).value_or("{}")).value("acked_seq", 0ull);
  ASSERT_GT(acked, 0u);
  kill_node(victim);

  const RoundReport report = orchestrator.round();
  EXPECT_EQ(report.lost, 1);
  EXPECT_EQ(report.migrated, 1);
  EXPECT_NE(orchestrator.status()[0].functions[3].node, victim);
  const Json sink = sink_when(orchestrator, chain, acked + 100);
  ASSERT_GE(sink.value("last_seq", 0ull), acked + 100) << sink.dump();
  const std::uint64_t first = sink.value("first_seq", 0ull);
  EXPECT_GT(first, acked) << sink.dump();  // nothing acknowledged came again
  // From there on every seq once, in order; nothing counted out of order for starting past 1.
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 0ull) - first + 1) << sink.dump();
  EXPECT_EQ(sink.value("out_of_order", 1ull), 0u) << sink.dump();
  EXPECT_EQ(sink.value("bad_payloads", 1ull), 0u) << sink.dump();
}

TEST_F(LocalCluster, AVfWhoseProcessDiesOnAHealthyNodeIsLostAndRecoveredNotReportedRunning) {
  Orchestrator orchestrator(options());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  ASSERT_GE(sink_when(orchestrator, chain, 50).value("last_seq", 0ull), 50u);
  const std::string node = orchestrator.status()[0].functions[1].node;  // "detect"
  const std::vector<pid_t> vfs = children_of(agent_of(node).process->pid());
  ASSERT_EQ(vfs.size(), 1u);
  ::kill(vfs.front(), SIGKILL);  // the VF dies; its agent answers on

  RoundReport report;
  for (int r = 0; r < 50 && report.exited.empty(); ++r) {
    report = orchestrator.round();
    if (report.exited.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(report.exited, std::vector<std::string>{node + ": c" + std::to_string(chain) + "/1: killed by signal 9"});
  EXPECT_TRUE(report.failed_nodes.empty());
  EXPECT_EQ(report.lost, 1);
  EXPECT_EQ(report.migrated, 1);
  const auto status = orchestrator.status();
  EXPECT_EQ(status[0].epoch, 2u);
  for (const VfStatus& f : status[0].functions) EXPECT_TRUE(f.running) << f.name;
  const Json before = Json::parse(orchestrator.function_stats(chain, 0).value_or("{}"));
  const Json sink = sink_when(orchestrator, chain, before.value("produced", 0ull) + 50);
  ASSERT_GE(sink.value("last_seq", 0ull), before.value("produced", 0ull) + 50) << sink.dump();
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 1ull)) << sink.dump();  // every seq once
}

TEST_F(LocalCluster, AnInstanceTheStoreDoesNotPlaceThereIsStoppedAndThePlacedOnesRunOn) {
  Orchestrator orchestrator(options());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  const auto placed = orchestrator.status()[0].functions;
  // A second "detect" on a node other than its own (as a node taken for dead brings back when it returns), and a
  // VF of a chain the store no longer has (removed).
  const std::string detect = "c" + std::to_string(chain) + "/1";
  std::string removed;
  {
    SqliteStore store(options().store);
    const std::uint32_t gone = store.add_chain("gone", "name: gone\n");
    store.remove_chain(gone);
    removed = "c" + std::to_string(gone) + "/0";
  }
  std::size_t other = 0;
  while ("node-" + std::to_string(other + 1) == placed[1].node) ++other;
  AgentClient client(agents_[other].address, options().identity);
  std::string error;
  ASSERT_TRUE(client.start_function(detect, FunctionSpec{.kind = "compute", .fps = 15}, &error)) << error;
  ASSERT_TRUE(client.start_function(removed, FunctionSpec{.kind = "source", .fps = 15}, &error)) << error;

  const RoundReport report = orchestrator.round();
  std::vector<std::string> stopped = report.stale_stopped;
  std::sort(stopped.begin(), stopped.end());
  const std::string node = "node-" + std::to_string(other + 1);
  EXPECT_EQ(stopped, (std::vector<std::string>{node + ": " + detect, node + ": " + removed}));
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_EQ(report.lost, 0);
  const auto probe = client.probe();
  ASSERT_TRUE(probe);
  EXPECT_EQ(std::count(probe->functions.begin(), probe->functions.end(), detect), 0);
  const auto after = orchestrator.status();  // a range-for over status()[0] would read a destroyed vector
  for (const VfStatus& f : after[0].functions) EXPECT_TRUE(f.running) << f.name;  // untouched
  EXPECT_TRUE(orchestrator.round().stale_stopped.empty());
}

TEST_F(LocalCluster, AnAgentBackFromAStopAfterItsVfMovedHasTheOldInstanceStoppedAndTheChainDeliversOnce) {
  Orchestrator orchestrator(options());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  ASSERT_GE(sink_when(orchestrator, chain, 50).value("last_seq", 0ull), 50u);
  const std::string victim = orchestrator.status()[0].functions[1].node;  // "detect"
  const std::string detect = "c" + std::to_string(chain) + "/1";
  Agent& agent = agent_of(victim);
  ASSERT_TRUE(test::stop_process(agent.process->pid()));  // the agent freezes; its VF, a process of its own, runs on

  RoundReport report = orchestrator.round();  // the node misses its probe: late, graced
  ASSERT_EQ(report.late_nodes.size(), 1u);
  EXPECT_EQ(report.late_nodes[0].rfind(victim + ": DEADLINE_EXCEEDED", 0), 0u) << report.late_nodes[0];
  EXPECT_EQ(report.migrated, 0);
  report = orchestrator.round();  // and misses the next: detect is started elsewhere
  EXPECT_EQ(report.failed_nodes, std::vector<std::string>{victim});
  EXPECT_EQ(report.migrated, 1);
  ::kill(agent.process->pid(), SIGCONT);
  report = orchestrator.round();  // it answers again, with the old detect
  EXPECT_EQ(report.stale_stopped, std::vector<std::string>{victim + ": " + detect});
  const auto probe = AgentClient(agent.address, options().identity).probe();
  ASSERT_TRUE(probe);
  EXPECT_EQ(std::count(probe->functions.begin(), probe->functions.end(), detect), 0);
  const Json before = Json::parse(orchestrator.function_stats(chain, 0).value_or("{}"));
  const Json sink = sink_when(orchestrator, chain, before.value("produced", 0ull) + 50);
  ASSERT_GE(sink.value("last_seq", 0ull), before.value("produced", 0ull) + 50) << sink.dump();
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 1ull)) << sink.dump();  // every seq once
  EXPECT_EQ(sink.value("out_of_order", 1ull), 0u) << sink.dump();
  EXPECT_TRUE(orchestrator.round().stale_stopped.empty());
}

TEST_F(LocalCluster, ARestartedOrchestratorResumesWithoutRestartingHealthyVfs) {
  std::uint32_t chain = 0;
  std::vector<VfStatus> placed;
  {
    Orchestrator first(options());
    chain = first.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
    placed = first.status()[0].functions;
    ASSERT_GE(sink_when(first, chain, 50).value("last_seq", 0ull), 50u);
  }  // killed: nothing but the store remains
  Orchestrator second(options());
  const RoundReport report = second.round();
  EXPECT_EQ(report.lost, 0);
  EXPECT_EQ(report.migrated, 0);
  // The same VFs, rewired at an epoch of the new orchestrator's (whatever the first was doing is fenced off).
  EXPECT_EQ(report.taken_over, std::vector<std::string>{"ped (chain 1) at epoch 2"});
  const auto status = second.status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].epoch, 2u);
  for (std::size_t j = 0; j < placed.size(); ++j) {
    EXPECT_EQ(status[0].functions[j].node, placed[j].node);
    EXPECT_TRUE(status[0].functions[j].running);
  }
  // The sink kept counting through the restart: its frames were never reset.
  const Json s = sink_when(second, chain, 150);
  EXPECT_EQ(s.value("frames", 0ull), s.value("last_seq", 1ull)) << s.dump();
  EXPECT_THROW(second.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest), std::runtime_error);
}

TEST_F(LocalCluster, ARestartedOrchestratorSendsTheWiringItsPredecessorStoredButDidNotSend) {
  std::uint32_t chain = 0;
  std::string old_node, new_node;
  {
    Orchestrator first(options());
    chain = first.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
    ASSERT_GE(sink_when(first, chain, 50).value("last_seq", 0ull), 50u);
    const auto placed = first.status()[0].functions;
    old_node = placed[1].node;
    for (int i = 1; i <= 5 && new_node.empty(); ++i) {
      const std::string n = "node-" + std::to_string(i);
      if (std::none_of(placed.begin(), placed.end(), [&](const VfStatus& f) { return f.node == n; })) new_node = n;
    }
  }  // killed in a cold migration of "detect": its new instance started and the wiring stored, nothing sent
  const std::string detect = "c" + std::to_string(chain) + "/1";
  AgentClient target(agent_of(new_node).address, options().identity);
  std::string error;
  const auto endpoints = target.start_function(
      detect, FunctionSpec{.kind = "compute", .fps = 50, .instructions = 100'000, .state_bytes = 1'000'000}, &error);
  ASSERT_TRUE(endpoints) << error;
  {
    SqliteStore store(options().store);
    store.commit_wiring(chain, 2, {{1, new_node, endpoints->data, endpoints->ack}});
  }

  Orchestrator second(options());
  const RoundReport report = second.round();
  EXPECT_EQ(report.stale_stopped, std::vector<std::string>{old_node + ": " + detect});  // the old detect
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_EQ(report.lost, 0);
  // The whole chain rewired at a new epoch, the new detect (which was never wired) with it.
  EXPECT_EQ(report.taken_over, std::vector<std::string>{"ped (chain 1) at epoch 3"});
  const Json before = Json::parse(second.function_stats(chain, 0).value_or("{}"));
  const Json sink = sink_when(second, chain, before.value("produced", 0ull) + 50);
  ASSERT_GE(sink.value("last_seq", 0ull), before.value("produced", 0ull) + 50) << sink.dump();  // not frozen
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 1ull)) << sink.dump();           // every seq once
  EXPECT_EQ(second.status()[0].functions[1].node, new_node);
  EXPECT_GT(Json::parse(target.function_stats(detect).value_or("{}")).value("accepted", 0ull), 0u);
}

TEST_F(LocalCluster, ARoundSendsTheStoredWiringToAVfWiredAnotherWay) {
  Orchestrator orchestrator(options());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  ASSERT_GE(sink_when(orchestrator, chain, 50).value("last_seq", 0ull), 50u);
  EXPECT_TRUE(orchestrator.round().rewired.empty());  // every VF applied what the store says
  const std::string detect = "c" + std::to_string(chain) + "/1";
  const std::string node = orchestrator.status()[0].functions[1].node;
  AgentClient agent(agent_of(node).address, options().identity);
  std::string error;
  ASSERT_TRUE(agent.rewire(detect, 1, "", "", &error)) << error;  // detect now sends nowhere: the sink starves
  const Json starved = Json::parse(orchestrator.function_stats(chain, 2).value_or("{}"));

  const RoundReport report = orchestrator.round();
  EXPECT_EQ(report.rewired, std::vector<std::string>{node + ": " + detect});
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  const Json sink = sink_when(orchestrator, chain, starved.value("last_seq", 0ull) + 50);
  EXPECT_GE(sink.value("last_seq", 0ull), starved.value("last_seq", 0ull) + 50) << sink.dump();
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 1ull)) << sink.dump();  // every seq once
  EXPECT_TRUE(orchestrator.round().rewired.empty());
}

TEST_F(LocalCluster, ADamagedStoreIsNotActedOnNoVfIsStartedTwiceOrStoppedAndNoEpochIsReused) {
  Orchestrator orchestrator(options());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  ASSERT_GE(sink_when(orchestrator, chain, 30).value("last_seq", 0ull), 30u);
  {  // The chain at epoch 2 (the agents report it), so that a store rolled back to 1 can be told.
    SqliteStore store(options().store);
    store.commit_wiring(chain, 2, {});
  }
  ASSERT_TRUE(orchestrator.round().store_problem.empty());
  const auto running = [&] {  // every VF id the agents run, with how many run it
    std::map<std::string, int> count;
    for (const Agent& a : agents_) {
      const std::optional<NodeProbe> probe = AgentClient(a.address, options().identity).probe();
      if (probe) {
        for (const std::string& f : probe->functions) ++count[f];
      }
    }
    return count;
  };
  const auto before = running();
  ASSERT_EQ(before.size(), 4u);
  const std::string db = options().store.string();
  const std::vector<std::pair<std::string, std::string>> damages = {
      {"UPDATE placements SET idx = 7 WHERE idx = 3", "VF 3 is past its end"},
      {"DELETE FROM placements WHERE idx = 1", "VF 1 is missing"},
      {"DELETE FROM placements", "runs c1/"},  // all placements gone: the chain would be started again
      {"UPDATE placements SET node = 'node-9' WHERE idx = 1", "placed on 'node-9', not a node of the cluster"},
      {"UPDATE chains SET epoch = 'abc'", "epoch: 'abc' is not a whole number"},
      {"UPDATE chains SET epoch = 1", "is at epoch 2, past the store's 1: the store is older than the cluster"},
      {"UPDATE chains SET manifest = 'functions: [['", "its manifest does not parse"},
  };
  for (const auto& [sql, why] : damages) {
    test::tamper(
        db,
        "CREATE TABLE saved AS SELECT * FROM placements; CREATE TABLE saved_chains AS SELECT * FROM chains; " + sql);
    const RoundReport report = orchestrator.round();
    EXPECT_NE(report.store_problem.find(why), std::string::npos) << sql << ": " << report.store_problem;
    if (why.find("runs") == std::string::npos && why.find("is at epoch") == std::string::npos) {
      EXPECT_EQ(orchestrator.store_problem().value_or(""), report.store_problem) << sql;  // the store's own rows
    }
    EXPECT_EQ(report.deployed + report.migrated + report.live_started + report.lost, 0) << sql;
    EXPECT_TRUE(report.stale_stopped.empty() && report.rewired.empty()) << sql;
    EXPECT_EQ(running(), before) << sql;  // nothing stopped, nothing started twice
    test::tamper(db,
                 "DELETE FROM placements; INSERT INTO placements SELECT * FROM saved; DROP TABLE saved; "
                 "DELETE FROM chains WHERE id NOT IN (SELECT id FROM saved_chains); "
                 "UPDATE chains SET epoch = (SELECT epoch FROM saved_chains WHERE saved_chains.id = chains.id), "
                 "manifest = (SELECT manifest FROM saved_chains WHERE saved_chains.id = chains.id); "
                 "DROP TABLE saved_chains");
    const RoundReport repaired = orchestrator.round();
    EXPECT_TRUE(repaired.store_problem.empty()) << sql << ": " << repaired.store_problem;
    EXPECT_EQ(repaired.migrated + repaired.deployed, 0) << sql;
  }
  // The file deleted and a new one made in its place: the daemon's store is gone.
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  { SqliteStore fresh(options().store); }
  EXPECT_NE(orchestrator.round().store_problem.find("deleted or replaced since the daemon opened it"),
            std::string::npos);
  // A daemon restarted on that empty store: the agents run VFs of a chain it never had.
  Orchestrator restarted(options());
  const RoundReport report = restarted.round();
  EXPECT_NE(report.store_problem.find("of a chain this store never had"), std::string::npos) << report.store_problem;
  EXPECT_EQ(running(), before);
}

// Reset mode after the node of "detect" is killed: the whole chain placed and started anew in one round, its
// VFs started one after another or, with `concurrent_starts`, all at once.
void LocalCluster::expect_reset_reestablishes_the_chain(bool concurrent_starts) {
  OrchestratorOptions o = options();
  o.control.recovery = Recovery::reset;
  o.concurrent_starts = concurrent_starts;
  Orchestrator orchestrator(o);
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(kManifest, "ped.yaml"), kManifest);
  ASSERT_GE(sink_when(orchestrator, chain, 50).value("last_seq", 0ull), 50u);
  const std::vector<VfStatus> before = orchestrator.status()[0].functions;
  const std::string victim = before[1].node;
  kill_node(victim);
  const RoundReport report = orchestrator.round();
  EXPECT_EQ(report.reset_chains, 1);
  EXPECT_EQ(report.migrated, 0);
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  const auto status = orchestrator.status()[0];
  EXPECT_EQ(status.epoch, 2u);
  for (const VfStatus& f : status.functions) {
    EXPECT_TRUE(f.running) << f.name;
    EXPECT_NE(f.node, victim);
  }
  // A new sink, fed by a new source whose frames start from 1 again.
  const Json s = sink_when(orchestrator, chain, 20);
  EXPECT_GE(s.value("last_seq", 0ull), 20u);
  EXPECT_EQ(s.value("frames", 0ull), s.value("last_seq", 1ull)) << s.dump();
}

TEST_F(LocalCluster, ResetModeReestablishesTheWholeChain) {
  expect_reset_reestablishes_the_chain(false);
}

TEST_F(LocalCluster, ResetModeWithConcurrentStartsReestablishesTheWholeChain) {
  expect_reset_reestablishes_the_chain(true);
}

}  // namespace
}  // namespace vfo::runtime
