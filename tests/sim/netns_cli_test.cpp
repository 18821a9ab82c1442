// `vfo up --netns` end to end: agents in network namespaces on a bridge with tbf-shaped links when run as root,
// loopback and one line saying so otherwise; `vfo down` removes the network; bad rates are bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/command_output.hpp"
#include "vfo_process.hpp"

namespace {

using Json = nlohmann::json;

using vfo::test::output_of;

class NetnsCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = vfo::test::fresh_dir("netns-cluster").string(); }
  void TearDown() override { vfo::test::run_vfo("down --cluster " + dir_); }
  std::string dir_;
};

TEST_F(NetnsCli, BadRatesGiveOneLineAndExitCode2BeforeAnythingIsMade) {
  const std::string cases[] = {"--node-rate node-3=5",
                               "--node-rate node-1=fast",
                               "--node-rate node-1=0",
                               "--node-rate node-1",
                               "--rate -2",
                               "--node-rate node-1=5 --node-rate node-1=6"};
  for (const std::string& flags : cases) {
    const auto o = vfo::test::run_vfo("up --netns --nodes 2 " + flags + " --cluster " + dir_);
    EXPECT_EQ(o.exit_code, 2) << flags << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.err), 1) << flags << ": " << o.err;
    EXPECT_FALSE(std::filesystem::exists(dir_)) << flags;
  }
  const auto unknown = vfo::test::run_vfo("up --netns --nodes 2 --node-rate node-3=5 --cluster " + dir_);
  EXPECT_NE(unknown.err.find("node-3 is not a node of the cluster (expected node-1 to node-2)"), std::string::npos)
      << unknown.err;
  const auto without = vfo::test::run_vfo("up --nodes 2 --rate 5 --cluster " + dir_);  // --rate needs --netns
  EXPECT_EQ(without.exit_code, 2) << without.all();
  EXPECT_EQ(vfo::test::line_count(without.err), 1) << without.err;
}

TEST_F(NetnsCli, UpPutsEachAgentInItsNamespaceAndDownRemovesThemOrItSaysItStaysOnLoopback) {
  const auto up =
      vfo::test::run_vfo("up --netns --nodes 2 --period 1 --rate 50 --node-rate node-2=20 --cluster " + dir_);
  ASSERT_EQ(up.exit_code, 0) << up.all();
  const Json cluster = Json::parse(vfo::test::slurp(std::filesystem::path(dir_) / "cluster.json"));
  const auto fallback = up.out.find("staying on loopback");
  if (fallback != std::string::npos) {
    const std::string line = up.out.substr(0, up.out.find('\n'));
    EXPECT_EQ(line.rfind("vfo up: --netns ", 0), 0u) << up.out;  // the first line, and only one
    EXPECT_EQ(up.out.find("staying on loopback", fallback + 1), std::string::npos) << up.out;
    EXPECT_FALSE(cluster.contains("network"));
    for (const Json& a : cluster["agents"]) EXPECT_EQ(a["address"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
    EXPECT_EQ(vfo::test::run_vfo("down --cluster " + dir_).exit_code, 0);
    if (geteuid() == 0) GTEST_SKIP() << "namespaces unavailable although root: " << line;
    return;
  }
  ASSERT_TRUE(cluster.contains("network")) << cluster.dump(2);
  const Json& network = cluster["network"];
  const std::string prefix = network["prefix"];
  ASSERT_EQ(network["nodes"].size(), 2u);
  EXPECT_EQ(network["nodes"][0]["rate_mbit"], 50.0);
  EXPECT_EQ(network["nodes"][1]["rate_mbit"], 20.0);
  const std::string netns = output_of("ip netns list");
  for (std::size_t i = 0; i < 2; ++i) {
    const Json& node = network["nodes"][i];
    EXPECT_NE(netns.find(node["netns"].get<std::string>()), std::string::npos) << netns;
    EXPECT_EQ(cluster["agents"][i]["address"].get<std::string>().rfind(node["address"].get<std::string>() + ":", 0), 0u)
        << cluster.dump(2);
    // The agent runs inside its namespace.
    const std::string pids = output_of("ip netns pids " + node["netns"].get<std::string>());
    EXPECT_NE(pids.find(std::to_string(cluster["agents"][i]["pid"].get<long>())), std::string::npos) << pids;
    const std::string qdisc = output_of("tc -n " + node["netns"].get<std::string>() + " qdisc show dev eth0");
    EXPECT_NE(qdisc.find(i == 0 ? "rate 50Mbit" : "rate 20Mbit"), std::string::npos) << qdisc;
  }
  EXPECT_NE(up.out.find("20 Mbit/s"), std::string::npos) << up.out;
  const auto status = vfo::test::run_vfo("status --json --cluster " + dir_);
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_EQ(Json::parse(status.out)["network"]["prefix"], prefix);
  const auto down = vfo::test::run_vfo("down --cluster " + dir_);
  EXPECT_EQ(down.exit_code, 0) << down.all();
  EXPECT_NE(down.out.find("network " + prefix + " removed"), std::string::npos) << down.out;
  EXPECT_EQ(output_of("ip netns list").find(prefix + "-n"), std::string::npos);
  EXPECT_EQ(output_of("ip -o link show").find(prefix + "br"), std::string::npos);
}

}  // namespace
