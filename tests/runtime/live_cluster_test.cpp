// Live migration across real agents: a VF with 64 MB of state moved between two vfo-agent
// processes while frames flow, on loopback and over tbf-shaped links between network namespaces; and the
// orchestrator's forecaster seeing a ramping stress and moving the VF before its node overloads. Waits have
// generous deadlines; nothing asserts a duration except lower bounds a shaped link imposes.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "local_agents.hpp"
#include "runtime/chain_checks.hpp"
#include "support/busy_cpus.hpp"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/runtime/node_network.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/runtime/process_tree.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;
using testing::eventually;

constexpr std::uint64_t kStateBytes = 64u << 20;

// Four agents: source, compute, sink, and the compute's target. On loopback, or each in a namespace of
// `network`.
struct FourAgents {
  std::filesystem::path certs = test::fresh_dir("live-certs");
  std::vector<Agent> agents;
  std::vector<std::unique_ptr<AgentClient>> clients;

  explicit FourAgents(const NodeNetwork* network = nullptr, const std::vector<std::string>& agent_flags = {}) {
    std::vector<std::string> names = {"orchestrator"};
    for (int i = 1; i <= 4; ++i) names.push_back("node-" + std::to_string(i));
    write_cluster_certificates(certs, names);
    const Identity identity = Identity::from_dir(certs, "orchestrator");
    for (std::size_t i = 0; i < 4; ++i) {
      const std::string name = names[i + 1];
      std::vector<std::string> flags = agent_flags;
      if (network != nullptr) {
        flags.insert(flags.end(), {"--listen", network->node_address(i) + ":0"});
        agents.push_back(start_agent(certs, name, flags, network->exec_prefix(i)));
      } else {
        agents.push_back(start_agent(certs, name, flags));
      }
      clients.push_back(std::make_unique<AgentClient>(agents.back().address, identity, 10s, name));
    }
  }
};

Json stats(AgentClient& agent, const std::string& id) {
  return Json::parse(agent.function_stats(id).value_or("{}"));
}

// The chain's three VFs, and the bytes of the compute's tracked state.
struct ThreeVfs {
  FunctionSpec source{"source", 30, 1000};
  FunctionSpec compute{"compute", 30, 0, 20'000, kStateBytes, 16 << 10};  // 0.5 MB/s dirtied
  FunctionSpec sink{"sink", 30};
  std::uint64_t state_bytes = kStateBytes;
};

// Runs the chain, live-migrates "compute" from agent 1 to agent 3 and checks that the state moved intact and
// that every frame reached the sink once; returns the report.
MigrationReport migrate_between_agents(FourAgents& cluster, int max_rounds, const ThreeVfs& vfs = {}) {
  auto& c = cluster.clients;
  const FunctionSpec& source = vfs.source;
  const FunctionSpec& compute = vfs.compute;
  const FunctionSpec& sink = vfs.sink;
  std::optional<FunctionEndpoints> e0 = c[0]->start_function("s", source), e1 = c[1]->start_function("m", compute),
                                   e2 = c[2]->start_function("k", sink);
  EXPECT_TRUE(e0 && e1 && e2);
  if (!e0 || !e1 || !e2) return {};
  c[0]->rewire("s", 1, e1->data, "");
  c[1]->rewire("m", 1, e2->data, e0->ack);
  c[2]->rewire("k", 1, "", e1->ack);
  EXPECT_TRUE(eventually([&] { return stats(*c[2], "k").value("frames", 0) >= 30; }));

  std::string error;
  const auto target = c[3]->start_incoming("m", compute, "", &error);
  EXPECT_TRUE(target) << error;
  if (!target) return {};
  EXPECT_FALSE(target->state.empty());
  const auto report =
      c[1]->migrate_out("m", {.target = target->state, .max_rounds = max_rounds, .verify = true}, 300s, &error);
  EXPECT_TRUE(report) << error;
  if (!report) return {};
  EXPECT_TRUE(report->ok()) << report->error;
  EXPECT_EQ(report->state_bytes, vfs.state_bytes);
  EXPECT_NE(report->source_digest, 0u);
  EXPECT_EQ(report->target_digest, report->source_digest);  // the state moved intact

  c[3]->rewire("m", 2, e2->data, e0->ack);
  c[0]->rewire("s", 2, target->data, "");
  c[2]->rewire("k", 2, "", target->ack);
  EXPECT_TRUE(c[1]->stop_function("m"));
  const Json before = stats(*c[0], "s");
  Json after;
  EXPECT_TRUE(eventually([&] {
    after = stats(*c[2], "k");
    return after.value("last_seq", 0ull) >= before.value("produced", 0ull) + 30;
  }));
  EXPECT_EQ(after.value("frames", 0ull), after.value("last_seq", 1ull)) << after.dump();  // every seq once
  EXPECT_EQ(after.value("out_of_order", 1ull), 0u) << after.dump();
  EXPECT_EQ(after.value("bad_payloads", 1ull), 0u) << after.dump();
  const Json moved = stats(*c[3], "m");
  EXPECT_EQ(moved.value("restored_digest", 0ull), report->source_digest);
  EXPECT_GT(moved.value("first_frame_ns", std::int64_t{0}), report->freeze_ns);
  return *report;
}

TEST(AgentLiveMigration, Moves64MbBetweenAgentsWhileFramesFlowEveryFrameOnce) {
  FourAgents cluster;
  const MigrationReport report = migrate_between_agents(cluster, 8);
  ASSERT_GE(report.precopy_rounds(), 1);
  EXPECT_EQ(report.rounds.front().bytes, kStateBytes);
}

// The SDK's VFs: a C++ source and a Python compute stage whose 4 MB tracked state (and counters: its snapshot)
// moves between agents while frames flow. (A suite of its own: the sanitizer run leaves it out, as an
// uninstrumented Python cannot load a module built with a sanitizer.)
TEST(ExecVfLiveMigration, MovesAPythonVfsTrackedStateBehindACxxSourceEveryFrameOnce) {
  FourAgents cluster(nullptr, {"--exec-root", VFO_SOURCE_DIR});
  ThreeVfs vfs;
  vfs.source = {.kind = "exec", .fps = 30, .command = {VFO_TEST_VF_BINARY}, .role = "source"};
  vfs.compute = {.kind = "exec", .fps = 30, .command = {"/usr/bin/python3", "tests/sdk/test_vf.py"}, .role = "compute"};
  vfs.state_bytes = 4u << 20;
  const MigrationReport report = migrate_between_agents(cluster, 8, vfs);
  ASSERT_GE(report.precopy_rounds(), 1);
  EXPECT_EQ(report.rounds.front().bytes, vfs.state_bytes);
}

TEST(AgentLiveMigration, Moves64MbOverTbfShapedLinksBetweenNamespaces) {
  if (const auto why = NodeNetwork::unavailable_reason()) GTEST_SKIP() << "no network namespaces here: " << *why;
  std::vector<NodeLinkSpec> links;
  for (int i = 1; i <= 4; ++i) links.push_back({"node-" + std::to_string(i), 98});
  NodeNetwork network("vl" + std::to_string(getpid() % 100000), links);
  FourAgents cluster(&network);
  const MigrationReport report = migrate_between_agents(cluster, 8);
  ASSERT_GE(report.precopy_rounds(), 1);
  // The first round crossed a 98 Mbit/s link: it cannot have been faster than the link.
  const double link_bytes_per_s = 98e6 / 8;
  EXPECT_GT(report.rounds.front().seconds, 0.9 * static_cast<double>(kStateBytes) / link_bytes_per_s);
}

// On a loaded host: every core is kept busy beside the cluster for the whole test (a live migration is needed most
// when machines are busy). `ctest -R LiveCluster.AStress --repeat until-fail:10` runs it ten times in a row.
TEST(LiveCluster, AStressTheForecasterSeesComingMovesTheVfBeforeItsNodeOverloads) {
  const test::BusyCpus busy;
  const std::filesystem::path certs = test::fresh_dir("stress-certs");
  std::vector<std::string> names = {"orchestrator"};
  for (int i = 1; i <= 4; ++i) names.push_back("node-" + std::to_string(i));
  write_cluster_certificates(certs, names);
  std::vector<Agent> agents;
  OrchestratorOptions o;
  for (int i = 1; i <= 4; ++i) {
    // Emulated nodes of half a core: their probes read their own processes' share of it.
    agents.push_back(start_agent(certs, names[i], {"--node-cpus", "0.5", "--node-ram-mb", "1000"}));
    o.agents.push_back({names[i], agents.back().address});
  }
  const auto store = test::fresh_dir("stress-store");
  std::filesystem::create_directories(store);
  o.store = store / "cluster.db";
  o.identity = Identity::from_dir(certs, "orchestrator");
  o.control.live_migration = true;
  o.control.k = 0.5;
  o.control.horizon_s = 4;
  o.control.probing_period_s = 0.5;
  o.live.cpu_threshold_pct = 90;
  o.live.order.verify = true;
  Orchestrator orchestrator(o);
  const char* manifest = R"(name: stressed
fps: 30
functions:
  - {name: camera, kind: source, payload_bytes: 1000}
  - {name: detect, kind: compute, instructions: 20000, state_mb: 8, dirty_mb_per_s: 0.3}
  - {name: display, kind: sink}
)";
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(manifest, "stressed.yaml"), manifest);
  const std::string victim = orchestrator.status()[0].functions[1].node;
  const int victim_index = std::stoi(victim.substr(5)) - 1;
  if (geteuid() == 0) {
    // An emulated node gets its half core whatever else the machine runs: it and its VFs' hosts run at a
    // higher priority than the busy threads beside them (which would otherwise hold the node below 90 %).
    const pid_t agent_pid = agents[victim_index].process->pid();
    std::vector<pid_t> node = descendant_processes(agent_pid);
    ASSERT_FALSE(node.empty()) << "the node's VF host is not a child of its agent";
    node.push_back(agent_pid);
    for (const pid_t pid : node) {
      errno = 0;
      EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(pid)), -10) << "pid " << pid << ": " << errno;
    }
  }
  for (int r = 0; r < 4; ++r) {  // a calm start: the forecaster learns the nodes' usual load
    orchestrator.round();
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_TRUE(orchestrator.live_migrations().empty());

  // The node of "detect" is loaded to 100 % of its CPU over 20 s: slow enough that a busy machine, whose rounds
  // stretch, still probes the rise several times before the node reaches 90 %.
  AgentClient victim_agent(agents[victim_index].address, o.identity, 5s, victim);
  std::string error;
  ASSERT_TRUE(victim_agent.stress(100, 0, 20, 40, &error)) << error;
  double highest_before_decision = 0;
  for (int r = 0; r < 60 && orchestrator.live_migrations().empty(); ++r) {
    const RoundReport report = orchestrator.round();
    for (const auto& n : orchestrator.last_nodes()) {
      if (n.node == victim && report.live_started == 0)
        highest_before_decision = std::max(highest_before_decision, n.cpu_pct);
    }
    if (report.live_started > 0) break;
    std::this_thread::sleep_for(500ms);
  }
  const auto records = orchestrator.live_migrations(/*wait=*/true);
  ASSERT_EQ(records.size(), 1u) << "no live migration within 30 s of stress";
  const LiveMigrationRecord& m = records.front();
  EXPECT_TRUE(m.error.empty()) << m.error;
  EXPECT_EQ(m.from, victim);
  EXPECT_NE(m.to, victim);
  EXPECT_EQ(m.function, "detect");
  EXPECT_GE(m.p_fail, 0.5);
  EXPECT_LT(m.node_cpu_pct, 90) << "decided only once the node was overloaded";  // seen coming
  EXPECT_LT(highest_before_decision, 90);
  EXPECT_EQ(m.report.target_digest, m.report.source_digest);
  EXPECT_GT(m.downtime_s(), 0);
  // The chain runs through the target now, every frame once.
  const auto status = orchestrator.status();
  EXPECT_EQ(status[0].functions[1].node, m.to);
  EXPECT_EQ(status[0].epoch, 2u);
  const Json before = Json::parse(orchestrator.function_stats(chain, 0).value_or("{}"));
  Json sink;
  ASSERT_TRUE(eventually([&] {
    sink = Json::parse(orchestrator.function_stats(chain, 2).value_or("{}"));
    return sink.value("last_seq", 0ull) >= before.value("produced", 0ull) + 30;
  }));
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 1ull)) << sink.dump();
  EXPECT_EQ(sink.value("out_of_order", 1ull), 0u) << sink.dump();
}

}  // namespace
}  // namespace vfo::runtime
