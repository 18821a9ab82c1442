// Agents that vfo did not start, as on other machines: each started by hand with a certificate bundle of `vfo
// certs --issue`, in a network namespace of its own with its own address (the path a LAN of Raspberry Pis takes),
// joining the orchestrator that `vfo up --join-listen` started; nodes named by an inventory file; and the
// certificates the cluster no longer trusts, refused at a join and in use.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "local_agents.hpp"
#include "runtime/chain_checks.hpp"
#include "sim/vfo_process.hpp"
#include "vfo/runtime/agent_port.hpp"
#include "vfo/runtime/node_network.hpp"

namespace vfo::runtime {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing::eventually;

constexpr const char* kChain = R"(name: remote
fps: 20
functions:
  - {name: camera, kind: source, payload_bytes: 2000}
  - {name: detect, kind: compute, instructions: 20000, state_mb: 4, dirty_mb_per_s: 0.2}
  - {name: track, kind: compute, instructions: 10000, state_mb: 2, dirty_mb_per_s: 0.1}
  - {name: display, kind: sink}
)";

// Each emulated node gets half a core, so that a stress can overload it and the readings are its own.
const std::vector<std::string> kNodeFlags = {"--node-cpus", "0.5", "--node-ram-mb", "1000"};

class RemoteAgents : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = test::fresh_dir("remote-pki");
    cluster_ = test::fresh_dir("remote-cluster");
    ASSERT_EQ(test::run_vfo("certs " + pki_.string() + " --nodes 0").exit_code, 0);
  }
  void TearDown() override { test::run_vfo("down --cluster " + cluster_.string()); }

  // Issues node `name` its bundle; its folder.
  fs::path issue(const std::string& name) {
    const auto o = test::run_vfo("certs " + pki_.string() + " --issue " + name);
    EXPECT_EQ(o.exit_code, 0) << o.all();
    return pki_ / "nodes" / name;
  }

  Json status() {
    const auto o = test::run_vfo("status --json --cluster " + cluster_.string());
    return o.exit_code == 0 ? Json::parse(o.out, nullptr, false) : Json();
  }
  // The node `vfo status` shows VF `index` of the first chain on, when the chain is whole; "" otherwise.
  std::string node_of_whole(std::size_t index) {
    const Json s = status();
    if (!s.is_object() || s["chains"].empty() || s["chains"][0]["state"] != "whole") return "";
    return s["chains"][0]["functions"][index]["node"].get<std::string>();
  }
  // How many nodes `vfo status` shows up.
  int nodes_up() {
    const Json s = status();
    int up = 0;
    if (s.is_object()) {
      for (const Json& n : s["nodes"]) up += n["health"] == "up";
    }
    return up;
  }
  // The address the daemon takes joins at.
  std::string join_address() {
    const std::string text = test::slurp(cluster_ / "join-address");
    return text.substr(0, text.find('\n'));
  }
  std::string events() { return test::run_vfo("events --cluster " + cluster_.string()).out; }
  std::uint64_t sink_last_seq() {
    const Json s = status();
    if (!s.is_object() || s["chains"].empty() || !s["chains"][0].contains("sink")) return 0;
    return s["chains"][0]["sink"].value("last_seq", 0ull);
  }
  void deploy() {
    const fs::path manifest = test::write_file("remote-chain.yaml", kChain);
    const auto o = test::run_vfo("deploy " + manifest.string() + " --cluster " + cluster_.string());
    ASSERT_EQ(o.exit_code, 0) << o.all();
  }

  fs::path pki_;
  fs::path cluster_;
};

TEST_F(RemoteAgents, AgentsStartedByHandInNamespacesJoinAndTheChainHealsLiveAndColdAcrossThem) {
  if (const auto reason = NodeNetwork::unavailable_reason()) GTEST_SKIP() << "no node networks: " << *reason;
  std::vector<NodeLinkSpec> links;
  for (int i = 1; i <= 5; ++i) links.push_back({"pi-" + std::to_string(i)});
  NodeNetwork network("vj" + std::to_string(getpid()), links);
  const auto up = test::run_vfo("up --certs " + pki_.string() + " --join-listen " + network.host_address() +
                                ":0 --period 0.5 --live --horizon 4 --cluster " + cluster_.string());
  ASSERT_EQ(up.exit_code, 0) << up.all();
  const std::string join = join_address();
  EXPECT_EQ(join.rfind(network.host_address() + ":", 0), 0u) << join;
  EXPECT_NE(up.out.find("nodes join at " + join), std::string::npos) << up.out;

  // On each node, by hand: its bundle, its own address, and the orchestrator's join address.
  std::vector<Agent> agents;
  for (std::size_t i = 0; i < links.size(); ++i) {
    std::vector<std::string> flags = kNodeFlags;
    flags.insert(flags.end(), {"--listen", network.node_address(i) + ":7000", "--join", join});
    agents.push_back(start_agent(issue(links[i].node), links[i].node, flags, network.exec_prefix(i)));
    EXPECT_EQ(agents.back().address, network.node_address(i) + ":7000");
  }
  ASSERT_TRUE(eventually([&] { return nodes_up() == 5; }, 30s)) << status().dump(2) << events();
  for (const NodeLinkSpec& l : links) EXPECT_NE(events().find(l.node + " joined at 10."), std::string::npos);
  deploy();
  ASSERT_TRUE(eventually([&] { return !node_of_whole(1).empty() && sink_last_seq() > 20; }, 30s)) << status().dump(2);

  // The detector's node is loaded over 20 s (slow enough that a busy machine, whose rounds stretch, still probes
  // the rise several times before the node overloads): the forecaster sees it coming and moves the detector live,
  // across namespaces. A busy machine may make another node look overloaded too, and move its VF live first: the
  // test waits for the detector's move itself.
  const std::string stressed = node_of_whole(1);
  const auto stress =
      test::run_vfo("chaos stress " + stressed + " --cpu 100 --ramp 20 --for 40 --cluster " + cluster_.string());
  ASSERT_EQ(stress.exit_code, 0) << stress.all();
  std::string readings;  // the stressed node's, as vfo status saw them meanwhile
  ASSERT_TRUE(eventually(
      [&] {
        const Json s = status();
        if (s.is_object()) {
          for (const Json& n : s["nodes"]) {
            if (n["name"] == stressed) readings += fmt::format(" {:.0f}", n.value("cpu_pct", -1.0));
          }
        }
        std::istringstream lines(events());
        for (std::string line; std::getline(lines, line);) {
          if (line.find(" live-migration ") != std::string::npos &&
              line.find("detect from " + stressed + " to pi-") != std::string::npos &&
              line.find(": done") != std::string::npos) {
            return true;
          }
        }
        return false;
      },
      60s))
      << events() << stressed << " CPU %:" << readings;

  // A node dies (its agent killed on its machine): the orchestrator moves its VF cold to another node.
  ASSERT_TRUE(eventually([&] { return !node_of_whole(2).empty(); }, 30s)) << status().dump(2);
  const std::string killed = node_of_whole(2);
  const std::uint64_t before_kill = sink_last_seq();
  agents[static_cast<std::size_t>(std::stoi(killed.substr(3)) - 1)].process->kill(SIGKILL);
  ASSERT_TRUE(eventually(
      [&] {
        const std::string now = node_of_whole(2);
        return !now.empty() && now != killed;
      },
      30s))
      << status().dump(2) << events();
  EXPECT_NE(events().find("track (c1/2) from " + killed + " to pi-"), std::string::npos) << events();
  ASSERT_TRUE(eventually([&] { return sink_last_seq() > before_kill + 40; }, 30s)) << status().dump(2);
  const Json sink = status()["chains"][0]["sink"];
  EXPECT_EQ(sink.value("out_of_order", 1ull), 0u) << sink.dump();
  EXPECT_EQ(sink.value("seq_missing", 1ull), 0u) << sink.dump();
  // vfo did not start them, so it neither kills nor restarts them.
  const auto kill = test::run_vfo("chaos kill pi-1 --cluster " + cluster_.string());
  EXPECT_EQ(kill.exit_code, 2) << kill.all();
  EXPECT_NE(kill.err.find("pi-1 was started by hand (it joined)"), std::string::npos) << kill.err;
}

TEST_F(RemoteAgents, InventoryNodesAndJoinsRunAChainAndARevokedCertificateIsRefusedAtItsJoinAndInUse) {
  // pi-1 and pi-2 from an inventory (their addresses known beforehand), pi-3 to pi-6 join; pi-5 is revoked first.
  // A chain's VFs go to distinct nodes: five trusted nodes leave one free for the VF of the node revoked later.
  std::vector<Agent> agents;
  std::string inventory = "nodes:\n";
  for (const char* name : {"pi-1", "pi-2"}) {
    const std::string address = free_agent_address("127.0.0.1");
    std::vector<std::string> flags = kNodeFlags;
    flags.insert(flags.end(), {"--listen", address});
    agents.push_back(start_agent(issue(name), name, flags));
    inventory += std::string("  - {name: ") + name + ", address: \"" + agents.back().address + "\"}\n";
  }
  const fs::path inventory_file = test::write_file("inventory.yaml", inventory);
  for (const char* name : {"pi-3", "pi-4", "pi-5", "pi-6"}) issue(name);
  const auto revoked = test::run_vfo("certs " + pki_.string() + " --revoke pi-5");
  ASSERT_EQ(revoked.exit_code, 0) << revoked.all();
  const auto up = test::run_vfo("up --certs " + pki_.string() + " --inventory " + inventory_file.string() +
                                " --join-listen 127.0.0.1:0 --period 0.5 --cluster " + cluster_.string());
  ASSERT_EQ(up.exit_code, 0) << up.all();
  EXPECT_NE(up.out.find("pi-1"), std::string::npos) << up.out;
  const std::string join = join_address();
  for (const char* name : {"pi-3", "pi-4", "pi-5", "pi-6"}) {
    std::vector<std::string> flags = kNodeFlags;
    flags.insert(flags.end(), {"--listen", "127.0.0.1:0", "--join", join});
    agents.push_back(start_agent(pki_ / "nodes" / name, name, flags));
  }
  ASSERT_TRUE(eventually([&] { return nodes_up() == 5; }, 30s)) << status().dump(2) << events();
  EXPECT_EQ(status()["nodes"].size(), 5u);  // pi-5 never joined
  const std::string refusal = "refused the join of 'pi-5'";
  EXPECT_TRUE(eventually(
      [&] { return test::slurp(cluster_ / "logs" / "orchestrator.log").find(refusal) != std::string::npos; }, 10s));
  EXPECT_TRUE(eventually(
      [&] {
        return test::slurp(test::scratch_dir() / "logs-pi-5" / "agent.log")
                   .find("PERMISSION_DENIED: the certificate of pi-5 is revoked") != std::string::npos;
      },
      10s));
  deploy();
  ASSERT_TRUE(eventually([&] { return !node_of_whole(1).empty() && sink_last_seq() > 20; }, 30s)) << status().dump(2);

  // The detector's node is revoked while it runs: refused from the next probe on, its VF moves elsewhere.
  const std::string node = node_of_whole(1);
  ASSERT_EQ(test::run_vfo("certs " + pki_.string() + " --revoke " + node).exit_code, 0);
  ASSERT_TRUE(eventually(
      [&] {
        const std::string now = node_of_whole(1);
        return !now.empty() && now != node;
      },
      30s))
      << status().dump(2) << events();
  EXPECT_NE(events().find(node + ": PERMISSION_DENIED: its certificate is revoked"), std::string::npos) << events();
  EXPECT_NE(events().find("node-refused"), std::string::npos) << events();
  const Json now = status();
  Json shown;
  for (const Json& n : now["nodes"]) {
    if (n["name"] == node) shown = n;
  }
  EXPECT_EQ(shown["health"], "refused") << now.dump(2);
}

TEST_F(RemoteAgents, BadCertificateInventoryAndJoinInputGetsOneLineAndExitCode2) {
  const std::string pki = pki_.string();
  for (const std::string& args :
       {"certs " + pki + " --issue orchestrator", "certs " + pki + " --issue 'pi 1'",
        "certs " + pki + " --revoke nobody", "certs " + pki + " --issue pi-1 --nodes 2",
        "certs " + pki + " --issue pi-1 --revoke pi-2", "certs " + (pki_ / "nothing").string() + " --issue pi-1",
        "up --nodes 0 --cluster " + cluster_.string(),
        "up --certs " + (pki_ / "nothing").string() + " --nodes 1 --cluster " + cluster_.string()}) {
    const auto o = test::run_vfo(args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(test::line_count(o.err), 1) << args << ": " << o.err;
  }
  const std::pair<const char*, const char*> inventories[] = {
      {"nodes:\n  - {name: pi-1, address: \"127.0.0.1:7000\"}\n  - {name: pi-1, address: \"127.0.0.1:7001\"}\n",
       "inventory.yaml:3: nodes[1].name: 'pi-1' is given twice (first at line 2)"},
      {"nodes:\n  - {name: pi-1, address: \"127.0.0.1\"}\n", "inventory.yaml:2: nodes[0].address: '127.0.0.1'"},
      {"nodes:\n  - {name: orchestrator, address: \"127.0.0.1:7000\"}\n", "inventory.yaml:2: nodes[0].name"},
      {"nodes:\n  - {name: pi-1, adress: \"127.0.0.1:7000\"}\n", "inventory.yaml:2"},
      {"nodes: []\n", "inventory.yaml:1: nodes: an empty list"}};
  for (const auto& [text, expected] : inventories) {
    const fs::path file = test::write_file("inventory.yaml", text);
    const auto o =
        test::run_vfo("up --certs " + pki + " --inventory " + file.string() + " --cluster " + cluster_.string());
    EXPECT_EQ(o.exit_code, 2) << text << o.all();
    EXPECT_EQ(test::line_count(o.err), 1) << o.err;
    EXPECT_NE(o.err.find(expected), std::string::npos) << o.err;
    EXPECT_FALSE(fs::exists(cluster_ / "cluster.json"));
  }
  // An agent that joins must say where it is: not every address.
  const auto agent = test::run_shell(std::string(VFO_AGENT_BINARY) + " --name pi-1 --certs " +
                                     (pki_ / "nodes" / "pi-1").string() + " --listen 0.0.0.0:0 --join 127.0.0.1:1");
  EXPECT_EQ(agent.exit_code, 2) << agent.all();
  EXPECT_EQ(test::line_count(agent.err), 1) << agent.err;
  EXPECT_NE(agent.err.find("--listen 0.0.0.0:0: with --join, give this node's own address"), std::string::npos)
      << agent.err;
}

}  // namespace
}  // namespace vfo::runtime
