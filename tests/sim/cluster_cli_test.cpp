// `vfo up`, `deploy`, `status`, `chaos kill` and `down` end to end: daemons on loopback, a 1 s probing period.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include "support/store_tamper.hpp"
#include "vfo_process.hpp"

namespace {

using Json = nlohmann::json;

class LocalClusterCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = vfo::test::fresh_dir("cluster").string(); }
  void TearDown() override { vfo::test::run_vfo("down --cluster " + dir_); }
  Json status() {
    const auto o = vfo::test::run_vfo("status --json --cluster " + dir_);
    EXPECT_EQ(o.exit_code, 0) << o.all();
    try {
      return Json::parse(o.out);
    } catch (const Json::parse_error&) {
      return Json::object();
    }
  }
  std::string dir_;
};

TEST_F(LocalClusterCli, AChainSurvivesTheKillOfAMiddleNodeWithinThreeProbingPeriods) {
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 5 --period 1 --cluster " + dir_).exit_code, 0);
  const auto deployed = vfo::test::run_vfo("deploy " + std::string(VFO_SOURCE_DIR) +
                                           "/scenarios/chains/pedestrian.yaml --cluster " + dir_);
  ASSERT_EQ(deployed.exit_code, 0) << deployed.all();
  EXPECT_NE(deployed.out.find("detect     -> node-"), std::string::npos) << deployed.out;
  // The cluster's folder, store and keys are its owner's only.
  const auto mode = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  };
  EXPECT_EQ(mode(dir_), 0700u);
  EXPECT_EQ(mode(dir_ + "/cluster.db"), 0600u);
  EXPECT_EQ(mode(dir_ + "/certs/data-plane.key"), 0600u);
  Json s = status();
  ASSERT_EQ(s["chains"].size(), 1u) << s.dump();
  EXPECT_EQ(s["chains"][0]["epoch"], 1);
  const std::string victim = s["chains"][0]["functions"][1]["node"];
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto killed = vfo::test::run_vfo("chaos kill " + victim + " --cluster " + dir_);
  ASSERT_EQ(killed.exit_code, 0) << killed.all();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // three probing periods
  s = status();
  EXPECT_EQ(s["chains"][0]["whole"], true) << s.dump();
  EXPECT_NE(s["chains"][0]["functions"][1]["node"], victim);
  EXPECT_EQ(s["chains"][0]["epoch"], 2);
  // The node view: the victim does not answer; the others run the chain's four VFs between them.
  ASSERT_EQ(s["nodes"].size(), 5u) << s.dump();
  int vfs = 0;
  for (const Json& n : s["nodes"]) {
    EXPECT_EQ(n["health"], n["name"] == victim ? "not answering" : "up") << n.dump();
    EXPECT_FALSE(n.contains("p_fail")) << n.dump();  // no forecaster without live migration
    vfs += n.value("vfs", 0);
  }
  EXPECT_EQ(vfs, 4) << s.dump();
  const auto text = vfo::test::run_vfo("status --cluster " + dir_);
  EXPECT_NE(text.out.find(victim + "   not answering"), std::string::npos) << text.out;
  const Json& sink = s["chains"][0]["sink"];
  EXPECT_GT(sink.value("frames", 0), 20) << s.dump();
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 1ull)) << s.dump();  // none lost, none twice
  EXPECT_EQ(sink.value("out_of_order", 1), 0) << s.dump();

  // The logs: every line timed and levelled; the move named; a state that lasts (the victim stays dead)
  // logged once, not every round; the agent that took "detect" says so.
  const std::string log = vfo::test::slurp(dir_ + "/logs/orchestrator.log");
  const std::regex line_form(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info |warn |error) orchestrator: .+)");
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) EXPECT_TRUE(std::regex_match(line, line_form)) << line;
  EXPECT_NE(log.find("cold migration of detect (c1/1) from " + victim + " to node-"), std::string::npos) << log;
  const std::string lasting = "round: failed nodes [" + victim + "], lost 0, cold migrations 0";
  const auto first = log.find(lasting);
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(lasting, first + 1), std::string::npos) << log;
  // The events: the node's failure and the move, in order, in JSON and for people; status shows the latest.
  const auto events = vfo::test::run_vfo("events --json --cluster " + dir_);
  ASSERT_EQ(events.exit_code, 0) << events.all();
  std::vector<std::string> kinds;
  for (const Json& e : Json::parse(events.out)) {
    if (e["kind"] == "node-failed") {
      EXPECT_EQ(e["text"], victim + " did not answer its probe");
    } else if (e["kind"] == "cold-migration") {
      EXPECT_EQ(e["text"].get<std::string>().rfind("detect (c1/1) from " + victim, 0), 0u);
    }
    kinds.push_back(e["kind"]);
  }
  const auto at = [&](const std::string& kind) { return std::find(kinds.begin(), kinds.end(), kind) - kinds.begin(); };
  EXPECT_EQ(at("chain-placed"), 0) << events.out;
  EXPECT_LT(at("node-failed"), at("cold-migration")) << events.out;
  EXPECT_LT(at("cold-migration"), static_cast<long>(kinds.size())) << events.out;
  const auto last = vfo::test::run_vfo("events --tail 1 --cluster " + dir_);
  EXPECT_EQ(vfo::test::line_count(last.out), 1) << last.out;
  EXPECT_NE(last.out.find("cold-migration"), std::string::npos) << last.out;
  EXPECT_NE(text.out.find("recent events"), std::string::npos) << text.out;
  const std::string target = s["chains"][0]["functions"][1]["node"];
  const std::string agent_log = vfo::test::slurp(dir_ + "/logs/" + target + ".log");
  EXPECT_NE(agent_log.find("info  vfo-agent " + target + ": started VF c1/1 (compute)"), std::string::npos)
      << agent_log;

  EXPECT_EQ(vfo::test::run_vfo("down --cluster " + dir_).exit_code, 0);
  EXPECT_NE(vfo::test::run_vfo("status --cluster " + dir_).exit_code, 0);  // nothing runs any more
}

// The value of the Prometheus sample line of `text` that starts with `series`; -1 when there is none.
double metric(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

TEST_F(LocalClusterCli, TheMetricsEndpointsCountersMoveWithAMigrationAndLogsShowsEachLog) {
  const auto up = vfo::test::run_vfo("up --nodes 5 --period 1 --cluster " + dir_);
  ASSERT_EQ(up.exit_code, 0) << up.all();
  EXPECT_NE(up.out.find("metrics for Prometheus: http://127.0.0.1:"), std::string::npos) << up.out;
  ASSERT_EQ(vfo::test::run_vfo("deploy " + std::string(VFO_SOURCE_DIR) +
                               "/scenarios/chains/pedestrian.yaml --cluster " + dir_)
                .exit_code,
            0);
  Json s = status();
  const std::string url = s.value("metrics", "");
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << s.dump();
  const auto scrape = [&] {
    const auto o = vfo::test::run_shell("curl -sSf " + url);
    EXPECT_EQ(o.exit_code, 0) << o.all();
    return o.out;
  };
  const std::string chain = "chain=\"pedestrian-detection\"";
  const std::string sink = chain + ",vf=\"display\"";
  std::string before;
  for (int i = 0; i < 100 && metric(before, "vfo_frames_delivered_total{" + sink + "}") <= 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    before = scrape();
  }
  EXPECT_GT(metric(before, "vfo_frames_delivered_total{" + sink + "}"), 0) << before;
  EXPECT_EQ(metric(before, R"(vfo_migrations_total{kind="cold",result="ok"})"), 0) << before;
  EXPECT_EQ(metric(before, R"(vfo_chains{state="whole"})"), 1) << before;
  EXPECT_EQ(metric(before, "vfo_chain_epoch{" + chain + "}"), 1) << before;
  const std::string victim = s["chains"][0]["functions"][1]["node"];
  EXPECT_EQ(metric(before, "vfo_node_up{node=\"" + victim + "\"}"), 1) << before;
  ASSERT_EQ(vfo::test::run_vfo("chaos kill " + victim + " --cluster " + dir_).exit_code, 0);
  std::string after;
  for (int i = 0; i < 100 && metric(after, R"(vfo_migrations_total{kind="cold",result="ok"})") < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = scrape();
  }
  EXPECT_EQ(metric(after, R"(vfo_migrations_total{kind="cold",result="ok"})"), 1) << after;
  EXPECT_GE(metric(after, R"(vfo_vfs_lost_total)"), 1) << after;
  EXPECT_GE(metric(after, "vfo_probes_total{node=\"" + victim + "\",result=\"failed\"}"), 1) << after;
  EXPECT_EQ(metric(after, "vfo_node_up{node=\"" + victim + "\"}"), 0) << after;
  EXPECT_EQ(metric(after, "vfo_chain_epoch{" + chain + "}"), 2) << after;
  EXPECT_GT(metric(after, "vfo_rounds_total"), metric(before, "vfo_rounds_total")) << after;
  // The replayed frames: the upstream of the moved VF sent again what the end of the chain had not acknowledged.
  EXPECT_GE(metric(after, "vfo_frames_replayed_total{" + chain + ",vf=\"camera\"}"), 0) << after;
  const std::string text = vfo::test::run_vfo("status --cluster " + dir_).out;
  EXPECT_NE(text.find("metrics for Prometheus: " + url), std::string::npos) << text;

  // vfo logs: the daemon's, a node's, a VF's by its names and by its id, the last lines only.
  const auto daemon = vfo::test::run_vfo("logs orchestrator --cluster " + dir_);
  ASSERT_EQ(daemon.exit_code, 0) << daemon.all();
  EXPECT_NE(daemon.out.find("cold migration of detect (c1/1) from " + victim), std::string::npos) << daemon.out;
  EXPECT_NE(vfo::test::run_vfo("logs " + victim + " --cluster " + dir_).out.find("vfo-agent " + victim),
            std::string::npos);
  const auto by_name = vfo::test::run_vfo("logs pedestrian-detection/detect --cluster " + dir_);
  ASSERT_EQ(by_name.exit_code, 0) << by_name.all();
  EXPECT_EQ(by_name.out, vfo::test::run_vfo("logs c1/1 --cluster " + dir_).out);
  EXPECT_EQ(vfo::test::line_count(vfo::test::run_vfo("logs orchestrator --tail 2 --cluster " + dir_).out), 2);
  const auto unknown = vfo::test::run_vfo("logs node-9 --cluster " + dir_);
  EXPECT_EQ(unknown.exit_code, 2) << unknown.all();
  EXPECT_EQ(vfo::test::line_count(unknown.err), 1) << unknown.err;
  EXPECT_NE(unknown.err.find("pedestrian-detection/detect"), std::string::npos) << unknown.err;

  // vfo status --watch: the status again and again until interrupted.
  const auto watched =
      vfo::test::run_shell("timeout -s INT 6 " + std::string(VFO_BINARY) + " status --watch 0.5 --cluster " + dir_);
  const auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto at = watched.out.find(what); at != std::string::npos; at = watched.out.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_GE(count("(every 0.5 s; Ctrl-C ends the watch)"), 2u) << watched.out;
  EXPECT_EQ(count("chain pedestrian-detection (epoch 2): whole"), count("(every 0.5 s")) << watched.out;
  const auto too_often = vfo::test::run_vfo("status --watch 0.1 --cluster " + dir_);
  EXPECT_EQ(too_often.exit_code, 2) << too_often.all();
}

TEST_F(LocalClusterCli, DeployingTheSameManifestChangesNothingAnotherReplacesTheChainAndDeleteStopsItsVfs) {
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 4 --period 0.5 --cluster " + dir_).exit_code, 0);
  const std::string manifest =
      "name: c\nfps: 20\nfunctions:\n  - {kind: source}\n  - {kind: compute}\n  - {kind: sink}\n";
  const auto file = vfo::test::write_file("lifecycle.yaml", manifest);
  ASSERT_EQ(vfo::test::run_vfo("deploy " + file.string() + " --cluster " + dir_).exit_code, 0);
  const auto again = vfo::test::run_vfo("deploy " + file.string() + " --cluster " + dir_);
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_NE(again.out.find("chain c (id 1) runs this manifest already: nothing to do"), std::string::npos) << again.out;
  EXPECT_EQ(status()["chains"][0]["id"], 1);

  vfo::test::write_file("lifecycle.yaml", "name: c\nfps: 10\nfunctions:\n  - {kind: source}\n  - {kind: sink}\n");
  const auto changed = vfo::test::run_vfo("deploy " + file.string() + " --cluster " + dir_);
  EXPECT_EQ(changed.exit_code, 0) << changed.all();
  EXPECT_NE(changed.out.find("chain c (id 1) has a new manifest: it is replaced"), std::string::npos) << changed.out;
  // The new chain (two VFs) runs, and the old one's three VFs are stopped: two VFs on the nodes in all.
  const auto vfs_in_all = [&] {
    const Json s = status();
    int vfs = 0;
    for (const Json& n : s["nodes"]) vfs += n.value("vfs", 0);
    return std::pair{s, vfs};
  };
  std::pair<Json, int> now;
  for (int i = 0; i < 50 && (now = vfs_in_all()).second != 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(now.second, 2) << now.first.dump();
  ASSERT_EQ(now.first["chains"].size(), 1u) << now.first.dump();
  EXPECT_EQ(now.first["chains"][0]["id"], 2);
  EXPECT_EQ(now.first["chains"][0]["functions"].size(), 2u);

  const auto deleted = vfo::test::run_vfo("delete c --cluster " + dir_);
  EXPECT_EQ(deleted.exit_code, 0) << deleted.all();
  for (int i = 0; i < 50 && (now = vfs_in_all()).second != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(now.second, 0) << now.first.dump();
  EXPECT_TRUE(now.first["chains"].empty()) << now.first.dump();
  const auto twice = vfo::test::run_vfo("delete c --cluster " + dir_);
  EXPECT_EQ(twice.exit_code, 2) << twice.all();
  EXPECT_EQ(vfo::test::line_count(twice.err), 1) << twice.err;
  EXPECT_NE(twice.err.find("CHAIN: c is not deployed (no chain is)"), std::string::npos) << twice.err;
}

TEST_F(LocalClusterCli, BadInputGivesOneLineAndExitCode2) {
  const auto bad =
      vfo::test::write_file("bad-chain.yaml", "name: c\nfunctions:\n  - {kind: sink}\n  - {kind: source}\n");
  const auto o = vfo::test::run_vfo("deploy " + bad.string() + " --cluster " + dir_);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(o.err), 1) << o.err;
  EXPECT_NE(o.err.find("bad-chain.yaml:3: functions[0].kind: sink at position 0 of 2"), std::string::npos) << o.err;
  const auto nodes = vfo::test::run_vfo("up --nodes 0 --cluster " + dir_);
  EXPECT_EQ(nodes.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(nodes.err), 1) << nodes.err;
  for (const std::string& args : {"events --tail 0 --cluster " + dir_, "events --cluster " + dir_ + "/none"}) {
    const auto e = vfo::test::run_vfo(args);
    EXPECT_EQ(e.exit_code, 2) << args << ": " << e.all();
    EXPECT_EQ(vfo::test::line_count(e.err), 1) << args << ": " << e.err;
  }
}

TEST_F(LocalClusterCli, AChainThatFitsNowhereIsPendingWithTheReasonInDeployAndStatus) {
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 3 --period 2 --cluster " + dir_).exit_code, 0);  // 4 VFs, 3 nodes
  // The reason comes with the daemon's next round, within a period (2 s, and the round's probes), and deploy ends
  // there, long before its wait of 60 s would.
  const auto start = std::chrono::steady_clock::now();
  const auto deployed = vfo::test::run_vfo("deploy " + std::string(VFO_SOURCE_DIR) +
                                           "/scenarios/chains/pedestrian.yaml --wait 60 --cluster " + dir_);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(deployed.exit_code, 3) << deployed.all();
  EXPECT_LT(took, 30) << deployed.all();
  EXPECT_NE(deployed.out.find("waiting for the orchestrator's next round (it probes every 2 s; at most 60 s)"),
            std::string::npos)
      << deployed.out;
  EXPECT_NE(deployed.out.find("not placed yet: "), std::string::npos) << deployed.out;
  EXPECT_NE(deployed.err.find("chain pedestrian-detection is pending: no room: "), std::string::npos) << deployed.err;
  EXPECT_NE(deployed.err.find("fits on none of the 3 nodes"), std::string::npos) << deployed.err;
  EXPECT_EQ(vfo::test::line_count(deployed.err), 1) << deployed.err;
  const Json status = Json::parse(vfo::test::run_vfo("status --json --cluster " + dir_).out);
  EXPECT_EQ(status["chains"][0]["state"], "pending") << status.dump();
  EXPECT_NE(status["chains"][0].value("reason", "").find("fits on none of the 3 nodes"), std::string::npos)
      << status.dump();
  bool event_with_reason = false;
  for (const Json& e : status["recent_events"]) {
    event_with_reason =
        event_with_reason || e.value("text", "").find("fits on none of the 3 nodes") != std::string::npos;
  }
  EXPECT_TRUE(event_with_reason) << status.dump();
  const auto text = vfo::test::run_vfo("status --cluster " + dir_);
  EXPECT_NE(text.out.find("chain pedestrian-detection (epoch 0): pending: "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("recent events"), std::string::npos) << text.out;
}

TEST_F(LocalClusterCli, ScaleRunsWholeReplicasOfAChainAndRemovesThemAgain) {
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 4 --period 0.5 --cluster " + dir_).exit_code, 0);
  const auto file = vfo::test::write_file(
      "scaled.yaml", "name: c\nfps: 20\nfunctions:\n  - {kind: source}\n  - {kind: compute}\n  - {kind: sink}\n");
  ASSERT_EQ(vfo::test::run_vfo("deploy " + file.string() + " --cluster " + dir_).exit_code, 0);
  const auto up = vfo::test::run_vfo("scale c --replicas 3 --cluster " + dir_);
  ASSERT_EQ(up.exit_code, 0) << up.all();
  EXPECT_NE(up.out.find("chain c scaled from 1 to 3 replicas"), std::string::npos) << up.out;
  EXPECT_NE(up.out.find("chain c#3 (id 3):"), std::string::npos) << up.out;
  // Every replica is a whole chain of its own; the nodes run the three replicas' nine VFs between them. `look`
  // polls the status (20 s at most) until the nodes run `want` VFs in all.
  const auto look = [&](int want) {
    Json s;
    int vfs = -1;
    for (int i = 0; i < 200 && vfs != want; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      s = status();
      vfs = 0;
      for (const Json& n : s["nodes"]) vfs += n.value("vfs", 0);
    }
    std::vector<std::string> chains;
    for (const Json& c : s["chains"])
      chains.push_back(c["name"].get<std::string>() + ":" + c["state"].get<std::string>());
    return std::tuple{s, vfs, chains};
  };
  auto [s, vfs, chains] = look(9);
  EXPECT_EQ(vfs, 9) << s.dump();
  EXPECT_EQ(chains, (std::vector<std::string>{"c:whole", "c#2:whole", "c#3:whole"})) << s.dump();
  const auto same = vfo::test::run_vfo("scale c --replicas 3 --cluster " + dir_);
  EXPECT_EQ(same.exit_code, 0) << same.all();
  EXPECT_NE(same.out.find("chain c has 3 replicas already: nothing to do"), std::string::npos) << same.out;
  const auto again = vfo::test::run_vfo("deploy " + file.string() + " --cluster " + dir_);
  EXPECT_NE(again.out.find("runs this manifest already: nothing to do"), std::string::npos) << again.out;

  const auto down = vfo::test::run_vfo("scale c --replicas 1 --cluster " + dir_);
  ASSERT_EQ(down.exit_code, 0) << down.all();
  EXPECT_NE(down.out.find("chain c scaled from 3 to 1 replica; removed c#2, c#3"), std::string::npos) << down.out;
  std::tie(s, vfs, chains) = look(3);
  EXPECT_EQ(vfs, 3) << s.dump();
  EXPECT_EQ(chains, std::vector<std::string>{"c:whole"}) << s.dump();
  EXPECT_EQ(s["chains"][0]["id"], 1) << s.dump();  // the chain itself was left alone

  // A new manifest replaces the chain and its replicas, as many as there were; delete removes them all.
  ASSERT_EQ(vfo::test::run_vfo("scale c --replicas 2 --cluster " + dir_).exit_code, 0);
  vfo::test::write_file("scaled.yaml",
                        "name: c\nfps: 10\nfunctions:\n  - {kind: source}\n  - {kind: compute}\n  - {kind: sink}\n");
  const auto replaced = vfo::test::run_vfo("deploy " + file.string() + " --cluster " + dir_);
  EXPECT_EQ(replaced.exit_code, 0) << replaced.all();
  EXPECT_NE(replaced.out.find("chain c (id 5, 2 replicas) handed to the orchestrator"), std::string::npos)
      << replaced.out;
  std::tie(s, vfs, chains) = look(6);
  EXPECT_EQ(vfs, 6) << s.dump();
  EXPECT_EQ(chains, (std::vector<std::string>{"c:whole", "c#2:whole"})) << s.dump();
  EXPECT_EQ(s["chains"][1]["id"], 6) << s.dump();
  const auto deleted = vfo::test::run_vfo("delete c --cluster " + dir_);
  EXPECT_EQ(deleted.exit_code, 0) << deleted.all();
  EXPECT_NE(deleted.out.find("chain c (id 5) and its 1 other replica deleted"), std::string::npos) << deleted.out;
  std::tie(s, vfs, chains) = look(0);
  EXPECT_EQ(vfs, 0) << s.dump();
  EXPECT_TRUE(chains.empty()) << s.dump();

  for (const std::string args : {"scale c --replicas 2", "scale c --replicas 0", "scale c"}) {
    const auto bad = vfo::test::run_vfo(args + " --cluster " + dir_);
    EXPECT_EQ(bad.exit_code, 2) << args << ": " << bad.all();
    EXPECT_EQ(vfo::test::line_count(bad.err), 1) << args << ": " << bad.err;
  }
  EXPECT_NE(vfo::test::run_vfo("scale c --replicas 2 --cluster " + dir_).err.find("CHAIN: c is not deployed"),
            std::string::npos);
}

TEST_F(LocalClusterCli, ARestartedNodeIsSeenFailingAndBackAndTakesVfsAgain) {
  // Three nodes for a chain of three VFs (each on a node of its own): while node-1 is down its VF has nowhere to go,
  // and the chain is whole again only once node-1 takes it back.
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 3 --period 0.5 --cluster " + dir_).exit_code, 0);
  const auto file = vfo::test::write_file(
      "restarted.yaml", "name: r\nfps: 20\nfunctions:\n  - {kind: source}\n  - {kind: compute}\n  - {kind: sink}\n");
  ASSERT_EQ(vfo::test::run_vfo("deploy " + file.string() + " --cluster " + dir_).exit_code, 0);
  const auto pid_of = [&](const std::string& node) {
    const Json cluster = Json::parse(vfo::test::slurp(dir_ + "/cluster.json"));
    for (const Json& a : cluster["agents"]) {
      if (a["name"] == node) return a["pid"].get<int>();
    }
    return 0;
  };
  const int before = pid_of("node-1");
  const auto restarted = vfo::test::run_vfo("chaos restart node-1 --cluster " + dir_);
  ASSERT_EQ(restarted.exit_code, 0) << restarted.all();
  EXPECT_NE(restarted.out.find("killed node-1 (pid " + std::to_string(before) + ") and its VFs"), std::string::npos)
      << restarted.out;
  EXPECT_NE(restarted.out.find("the orchestrator saw node-1 fail"), std::string::npos) << restarted.out;
  EXPECT_NE(restarted.out.find("the orchestrator sees node-1 again"), std::string::npos) << restarted.out;
  const int after = pid_of("node-1");
  EXPECT_NE(after, before);
  EXPECT_TRUE(vfo::test::runs(after));
  std::vector<std::string> kinds;
  for (const Json& e : Json::parse(vfo::test::run_vfo("events --json --cluster " + dir_).out)) {
    if (e["text"].get<std::string>().rfind("node-1 ", 0) == 0) kinds.push_back(e["kind"]);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"node-failed", "node-back"}));
  // The node is usable: the chain is whole again, one of its VFs started anew on node-1.
  Json s;
  const auto whole_with_node_1 = [&] {
    s = status();
    if (s["chains"].size() != 1 || s["chains"][0]["state"] != "whole") return false;
    for (const Json& f : s["chains"][0]["functions"]) {
      if (f["node"] == "node-1") return true;
    }
    return false;
  };
  bool whole = false;
  for (int i = 0; i < 300 && !(whole = whole_with_node_1()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(whole) << s.dump();
  EXPECT_GE(s["chains"][0]["epoch"].get<int>(), 2) << s.dump();
  const auto bad = vfo::test::run_vfo("chaos restart node-9 --cluster " + dir_);
  EXPECT_EQ(bad.exit_code, 2) << bad.all();
  EXPECT_EQ(vfo::test::line_count(bad.err), 1) << bad.err;
  // vfo down stops the agent that restart started.
  ASSERT_EQ(vfo::test::run_vfo("down --cluster " + dir_).exit_code, 0);
  EXPECT_FALSE(vfo::test::runs(after));
}

TEST(ClusterCommandsDocs, EveryOptionOfACommandsHelpIsInItsUsageInDocsCli) {
  const std::string doc = vfo::test::slurp(std::string(VFO_SOURCE_DIR) + "/docs/cli.md");
  const auto section = doc.find("## `vfo up`, `vfo deploy`");
  ASSERT_NE(section, std::string::npos);
  const auto begin = doc.find("```", section);
  const auto end = doc.find("```", begin + 3);
  ASSERT_NE(end, std::string::npos);
  const std::string usage = doc.substr(begin, end - begin);
  const std::regex flag(R"((?:^|[ ,])(--[a-z][a-z-]*))");
  for (const std::string command :
       {"up", "deploy", "scale", "status", "events", "delete", "chaos kill", "chaos restart", "chaos stress", "down"}) {
    EXPECT_NE(usage.find("vfo " + command + " "), std::string::npos) << command << " is not in docs/cli.md";
    const auto help = vfo::test::run_vfo(command + " --help");
    ASSERT_EQ(help.exit_code, 0) << command << ": " << help.all();
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) {
      for (std::sregex_iterator m(line.begin(), line.end(), flag), none; m != none; ++m) {
        const std::string name = (*m)[1];
        if (name == "--help") continue;
        const bool documented =
            usage.find("[" + name) != std::string::npos || usage.find(" " + name + " ") != std::string::npos;
        EXPECT_TRUE(documented) << "vfo " << command << " " << name << " is not in docs/cli.md's usage";
      }
    }
  }
}

TEST_F(LocalClusterCli, UpRefusesAFolderItDidNotWriteAndRemovesNothingThere) {
  std::filesystem::create_directories(dir_ + "/chapter");
  { std::ofstream(dir_ + "/thesis.tex") << "\\documentclass{book}\n"; }
  const auto o = vfo::test::run_vfo("up --nodes 1 --period 1 --cluster " + dir_);
  EXPECT_EQ(o.exit_code, 2) << o.all();
  EXPECT_EQ(vfo::test::line_count(o.err), 1) << o.err;
  EXPECT_NE(o.err.find("which vfo up did not write"), std::string::npos) << o.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/thesis.tex"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/chapter"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/certs"));
  // A cluster's own folder is used again: up, down, up.
  std::filesystem::remove_all(dir_);
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 1 --period 1 --cluster " + dir_).exit_code, 0);
  ASSERT_EQ(vfo::test::run_vfo("down --cluster " + dir_).exit_code, 0);
  const auto again = vfo::test::run_vfo("up --nodes 1 --period 1 --cluster " + dir_);
  EXPECT_EQ(again.exit_code, 0) << again.all();
  // The folder from VFO_CLUSTER, without --cluster; down twice is no error.
  const auto status = vfo::test::run_vfo_in("VFO_CLUSTER=" + dir_, "status");
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_NE(status.out.find("cluster " + dir_ + " (orchestrator up)"), std::string::npos) << status.out;
  EXPECT_EQ(vfo::test::run_vfo_in("VFO_CLUSTER=" + dir_, "down").exit_code, 0);
  const auto twice = vfo::test::run_vfo("down --cluster " + dir_);
  EXPECT_EQ(twice.exit_code, 0) << twice.all();
  EXPECT_NE(twice.out.find("the cluster in " + dir_ + " is already down; nothing to stop"), std::string::npos)
      << twice.out;
  const auto never = vfo::test::run_vfo("down --cluster " + dir_ + "/never");
  EXPECT_EQ(never.exit_code, 0) << never.all();
  EXPECT_NE(never.out.find("no cluster was ever started in " + dir_ + "/never; nothing to stop"), std::string::npos)
      << never.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/never"));
}

TEST_F(LocalClusterCli, ADamagedClusterJsonIsNamedInOneLineAndUpStartsANewCluster) {
  std::filesystem::create_directories(dir_);
  for (const std::string text :
       {"", "{not json", R"({"agents": 5, "orchestrator": {}})", R"({"agents": [{"name": 3}], "orchestrator": {}})"}) {
    std::ofstream(dir_ + "/cluster.json") << text;
    for (const char* command : {"status", "down", "chaos kill node-1"}) {
      const auto o = vfo::test::run_vfo(std::string(command) + " --cluster " + dir_);
      EXPECT_EQ(o.exit_code, 2) << command << " on '" << text << "': " << o.all();
      EXPECT_EQ(vfo::test::line_count(o.err), 1) << o.err;
      EXPECT_NE(o.err.find(dir_ + "/cluster.json: "), std::string::npos) << o.err;
      EXPECT_EQ(o.err.find("internal error"), std::string::npos) << o.err;
    }
  }
  const auto up = vfo::test::run_vfo("up --nodes 1 --period 1 --cluster " + dir_);
  EXPECT_EQ(up.exit_code, 0) << up.all();
}

TEST_F(LocalClusterCli, ADamagedStoreIsReportedByStatusAndTheDaemonActsOnNothingUntilItIsRepaired) {
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 5 --period 1 --cluster " + dir_).exit_code, 0);
  ASSERT_EQ(vfo::test::run_vfo("deploy " + std::string(VFO_SOURCE_DIR) +
                               "/scenarios/chains/pedestrian.yaml --cluster " + dir_)
                .exit_code,
            0);
  const std::string node = status()["chains"][0]["functions"][1]["node"];
  vfo::test::tamper(dir_ + "/cluster.db", "UPDATE placements SET node = 'node-77' WHERE idx = 1");
  auto o = vfo::test::run_vfo("status --cluster " + dir_);
  EXPECT_EQ(o.exit_code, 1) << o.all();
  EXPECT_NE(o.out.find("store: cannot be trusted: " + dir_ +
                       "/cluster.db: chain 1 (pedestrian-detection): VF 1 is placed on "
                       "'node-77', not a node of the cluster"),
            std::string::npos)
      << o.out;
  // Waits (30 s at most) for the daemon's log to hold `text`; returns the log.
  const auto log_with = [&](const std::string& text) {
    std::string log;
    for (int i = 0; i < 300; ++i) {
      log = vfo::test::slurp(dir_ + "/logs/orchestrator.log");
      if (log.find(text) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return log;
  };
  std::string log = log_with("round: the store cannot be trusted: ");
  EXPECT_NE(log.find("round: the store cannot be trusted: "), std::string::npos) << log;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // another round, which must not act either
  EXPECT_EQ(vfo::test::slurp(dir_ + "/logs/orchestrator.log").find("cold migrations 1"),
            std::string::npos);  // "detect" not moved

  vfo::test::tamper(dir_ + "/cluster.db", "UPDATE placements SET node = '" + node + "' WHERE idx = 1");
  log = log_with("round: the store is sound again");
  EXPECT_NE(log.find("round: the store is sound again"), std::string::npos) << log;
  const Json s = status();
  EXPECT_EQ(s["chains"][0]["state"], "whole") << s.dump();
  EXPECT_EQ(s["chains"][0]["epoch"], 1) << s.dump();  // nothing was redone
}

TEST_F(LocalClusterCli, UpInterruptedWithCtrlCEndsTheDaemonsItHadStarted) {
  const std::string mark = "up-interrupted-" + std::to_string(::getpid());
  // 16 agents start one after another, each once the one before is ready: the interrupt comes among them.
  const pid_t pid = vfo::test::start_vfo_marked(mark, {"up", "--nodes", "16", "--period", "1", "--cluster", dir_});
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (vfo::test::slurp(dir_ + "/logs/node-1.ready").find('\n') == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGINT);
  EXPECT_EQ(vfo::test::ending_signal(pid), SIGINT) << "vfo up had ended: the interrupt came late";
  EXPECT_EQ(vfo::test::processes_marked_after(mark), std::vector<int>{});
}

TEST_F(LocalClusterCli, DownEndsAStoppedAgentAndItsStoppedVfsAsItEndsRunningOnes) {
  const std::string mark = "down-stopped-" + std::to_string(::getpid());
  ASSERT_EQ(vfo::test::run_vfo_marked(mark, "up --nodes 5 --period 1 --cluster " + dir_).exit_code, 0);
  ASSERT_EQ(vfo::test::run_vfo("deploy " + std::string(VFO_SOURCE_DIR) +
                               "/scenarios/chains/pedestrian.yaml --cluster " + dir_)
                .exit_code,
            0);
  Json s = status();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!(s.contains("chains") && s["chains"].size() == 1 && s["chains"][0]["whole"] == true) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    s = status();
  }
  ASSERT_EQ(s["chains"][0]["whole"], true) << s.dump();
  const std::string node = s["chains"][0]["functions"][1]["node"];
  const Json cluster = Json::parse(vfo::test::slurp(dir_ + "/cluster.json"));
  pid_t agent = 0;
  for (const Json& a : cluster["agents"]) {
    if (a["name"] == node) agent = static_cast<pid_t>(a["pid"].get<long>());
  }
  ASSERT_GT(agent, 0) << cluster.dump();
  std::vector<pid_t> hosts;  // its VFs' function hosts
  for (const int pid : vfo::test::processes_marked(mark)) {
    const auto stat = vfo::test::process_stat(pid);
    if (stat && stat->parent == agent) hosts.push_back(pid);
  }
  ASSERT_FALSE(hosts.empty());
  for (const pid_t host : hosts) ASSERT_TRUE(vfo::test::stop_process(host));
  ASSERT_TRUE(vfo::test::stop_process(agent));

  const auto down = vfo::test::run_vfo("down --cluster " + dir_);
  ASSERT_EQ(down.exit_code, 0) << down.all();
  EXPECT_EQ(vfo::test::processes_marked_after(mark), std::vector<int>{});
  // The stopped agent went on to end as a running one does, not by the SIGKILL that follows 5 s later.
  EXPECT_NE(vfo::test::slurp(dir_ + "/logs/" + node + ".log").find("stopping its VFs and shutting down"),
            std::string::npos);
}

}  // namespace

// A pid names a process only while the process lives: once a node killed earlier has been reaped, the system may
// give its pid to any later process. cluster.json records each daemon's start time with its pid, and the commands
// that signal them (down, chaos kill) leave alone a process that holds a recorded pid but started at another time.
TEST(ClusterRecords, DownAndChaosKillSignalOnlyTheProcessesTheyRecordedNotALaterHolderOfTheirPids) {
  const std::string dir = vfo::test::fresh_dir("recorded-pids").string();
  std::filesystem::create_directories(dir);
  const pid_t stranger = ::fork();  // stands for the later process that got a dead daemon's pid
  ASSERT_GE(stranger, 0);
  if (stranger == 0) {
    for (;;) ::pause();
  }
  const auto stat = vfo::test::process_stat(stranger);
  ASSERT_TRUE(stat) << stranger;
  const auto write_cluster = [&](unsigned long long started) {
    const Json record = {{"pid", stranger}, {"started", started}};
    Json agent = record;
    agent.update({{"name", "node-1"}, {"address", "127.0.0.1:9"}});
    std::ofstream(dir + "/cluster.json") << Json{{"agents", {agent}}, {"orchestrator", record}}.dump();
  };

  write_cluster(stat->start_ticks + 1);  // the daemons recorded there started a tick later: they are gone
  const auto killed = vfo::test::run_vfo("chaos kill node-1 --cluster " + dir);
  EXPECT_EQ(killed.exit_code, 1) << killed.all();
  EXPECT_NE(killed.err.find("node-1 is not running"), std::string::npos) << killed.err;
  const auto down = vfo::test::run_vfo("down --cluster " + dir);
  EXPECT_EQ(down.exit_code, 0) << down.all();
  EXPECT_TRUE(vfo::test::runs(stranger));

  write_cluster(stat->start_ticks);  // the very process: down ends it
  const auto ended = vfo::test::run_vfo("down --cluster " + dir);
  EXPECT_EQ(ended.exit_code, 0) << ended.all();
  int status = 0;
  if (vfo::test::runs(stranger)) {
    ::kill(stranger, SIGKILL);
    ADD_FAILURE() << "down did not end the process it recorded";
  }
  ASSERT_EQ(::waitpid(stranger, &status, 0), stranger);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;

  // A start time that is not a count of ticks is a damaged folder, named in one line.
  std::ofstream(dir + "/cluster.json") << R"({"agents": [], "orchestrator": {"pid": 12, "started": -1}})";
  const auto damaged = vfo::test::run_vfo("down --cluster " + dir);
  EXPECT_EQ(damaged.exit_code, 2) << damaged.all();
  EXPECT_EQ(vfo::test::line_count(damaged.err), 1) << damaged.err;
  EXPECT_NE(damaged.err.find(dir + "/cluster.json: "), std::string::npos) << damaged.err;
}
