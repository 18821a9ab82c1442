// The pedestrian example (examples/pedestrian: OpenCV's people detector on the VF SDK, in Python and in C++) on
// five agents, as a user runs it: deployed, the detector's node killed (the detector moved cold), then its new
// node stressed until the forecaster moves it live; the display's record shows every frame once.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "local_agents.hpp"
#include "runtime/chain_checks.hpp"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/runtime/orchestrator.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;
using testing::eventually;

// The example's manifest, its build/ paths made the build folder's (wherever that is).
std::string manifest_text(const std::string& file) {
  std::string text = test::slurp(std::filesystem::path(VFO_SOURCE_DIR) / "examples" / "pedestrian" / file);
  const std::string build = "[build/";
  for (auto at = text.find(build); at != std::string::npos; at = text.find(build, at + 1)) {
    text.replace(at + 1, build.size() - 1, std::string(VFO_BUILD_DIR) + "/");
  }
  return text;
}

class ExampleChain : public ::testing::TestWithParam<const char*> {};

TEST_P(ExampleChain, ADetectorsNodeKilledAndItsNextStressedMovesItColdThenLiveWithEveryFrameOnce) {
  const std::filesystem::path certs = test::fresh_dir("example-certs");
  std::vector<std::string> names = {"orchestrator"};
  for (int i = 1; i <= 5; ++i) names.push_back("node-" + std::to_string(i));
  write_cluster_certificates(certs, names);
  std::vector<Agent> agents;
  OrchestratorOptions o;
  for (int i = 1; i <= 5; ++i) {
    agents.push_back(
        start_agent(certs, names[i], {"--exec-root", VFO_SOURCE_DIR, "--node-cpus", "1", "--node-ram-mb", "4000"}));
    o.agents.push_back({names[i], agents.back().address});
  }
  const auto store = test::fresh_dir("example-store");
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
  const std::string manifest = manifest_text(GetParam());
  const std::uint32_t chain = orchestrator.deploy(parse_chain_manifest(manifest, GetParam()), manifest);
  const auto display = [&] { return Json::parse(orchestrator.function_stats(chain, 2).value_or("{}")); };
  Json seen;
  ASSERT_TRUE(eventually([&] { return (seen = display()).value("frames", 0) >= 15; }, 60s)) << seen.dump();

  // The detector's node dies: the next rounds start the detector elsewhere.
  const std::string killed = orchestrator.status()[0].functions[1].node;
  agents[static_cast<std::size_t>(std::stoi(killed.substr(5)) - 1)].process->kill(SIGKILL);
  int cold = 0;
  ASSERT_TRUE(eventually(
      [&] {
        cold += orchestrator.round().migrated;
        const auto s = orchestrator.status()[0];
        return cold > 0 && s.reason.empty() && s.functions[1].node != killed;
      },
      60s));
  const std::uint64_t after_kill = display().value("last_seq", 0ull);
  ASSERT_TRUE(eventually([&] { return display().value("last_seq", 0ull) >= after_kill + 10; }, 60s));

  // Its new node is loaded over 10 s: the forecaster sees it coming and the detector moves live.
  const std::string stressed = orchestrator.status()[0].functions[1].node;
  AgentClient stressed_agent(agents[static_cast<std::size_t>(std::stoi(stressed.substr(5)) - 1)].address, o.identity,
                             5s, stressed);
  std::string error;
  ASSERT_TRUE(stressed_agent.stress(100, 0, 10, 40, &error)) << error;
  for (int r = 0; r < 80 && orchestrator.live_migrations().empty(); ++r) {
    if (orchestrator.round().live_started > 0) break;
    std::this_thread::sleep_for(500ms);
  }
  const auto records = orchestrator.live_migrations(/*wait=*/true);
  ASSERT_EQ(records.size(), 1u) << "no live migration within 40 s of stress";
  EXPECT_TRUE(records[0].error.empty()) << records[0].error;
  EXPECT_EQ(records[0].function, "detect");
  EXPECT_EQ(records[0].from, stressed);
  EXPECT_EQ(records[0].report.target_digest, records[0].report.source_digest) << "the heat map moved intact";
  EXPECT_EQ(records[0].report.state_bytes, 32u * 24 * 4);

  const std::uint64_t produced =
      Json::parse(orchestrator.function_stats(chain, 0).value_or("{}")).value("produced", 0ull);
  ASSERT_TRUE(eventually([&] { return (seen = display()).value("last_seq", 0ull) >= produced + 10; }, 60s))
      << seen.dump();
  EXPECT_EQ(seen.value("first_seq", 0), 1) << seen.dump();
  EXPECT_EQ(seen.value("frames", 0ull), seen.value("last_seq", 1ull)) << seen.dump();  // every seq once
  EXPECT_EQ(seen.value("seq_repeats", 1), 0) << seen.dump();
  EXPECT_EQ(seen.value("seq_missing", 1), 0) << seen.dump();
  const Json detect = Json::parse(orchestrator.function_stats(chain, 1).value_or("{}"));
  EXPECT_GT(detect.value("restored_digest", 0ull), 0u) << detect.dump();
}

INSTANTIATE_TEST_SUITE_P(Pedestrian, ExampleChain, ::testing::Values("chain.yaml", "chain-cpp.yaml"),
                         [](const auto& info) { return std::string(info.index == 0 ? "Python" : "Cxx"); });

}  // namespace
}  // namespace vfo::runtime
