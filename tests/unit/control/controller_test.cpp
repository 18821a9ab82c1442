#include "vfo/control/controller.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fakes/fake_cluster.hpp"
#include "vfo/placement/best_fit_placer.hpp"
#include "vfo/placement/exact_placer.hpp"

namespace vfo {
namespace {

using fakes::FakeCluster;
using fakes::FixedForecaster;

const Resources kNode{1e5, 4e9};
const Resources kVf{1e4, 64e6};

class ControllerTest : public ::testing::Test {
 protected:
  BestFitPlacer placer;
  FixedForecaster forecaster;
  ControllerConfig config = [] {
    ControllerConfig c;
    c.k = 0.5;
    c.utilisation_cap = 0.8;
    return c;
  }();
};

TEST_F(ControllerTest, QuietClusterGivesEmptyPlan) {
  FakeCluster cluster(4, kNode);
  cluster.run(0, 0, 0, kVf);
  cluster.run(0, 1, 1, kVf);
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  EXPECT_TRUE(plan.actions.empty());
  EXPECT_EQ(forecaster.calls, 1);
}

TEST_F(ControllerTest, SilentNodeGivesColdMigrationAwayFromTheChain) {
  FakeCluster cluster(4, kNode);
  cluster.run(0, 0, 0, kVf);
  cluster.run(0, 1, 1, kVf);
  cluster.run(0, 2, 2, kVf);
  cluster.silence(1);
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 1u);
  const Action& a = plan.actions[0];
  EXPECT_EQ(a.kind, Action::Kind::cold_migrate);
  EXPECT_EQ(a.function, (FunctionRef{ChainId(0), 1}));
  EXPECT_EQ(a.from, NodeId(1));
  EXPECT_EQ(a.to, NodeId(3));  // the only answering node without a VF of chain 0
}

TEST_F(ControllerTest, RiskAboveKGivesLiveMigration) {
  FakeCluster cluster(3, kNode);
  cluster.run(0, 0, 0, kVf);
  cluster.run(1, 0, 0, kVf);
  forecaster.p_fail = {0.9, 0.1, 0.49};
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 2u);
  for (const Action& a : plan.actions) {
    EXPECT_EQ(a.kind, Action::Kind::live_migrate);
    EXPECT_EQ(a.from, NodeId(0));
    EXPECT_NE(a.to, NodeId(0));
  }
  EXPECT_EQ(plan.actions[0].function.chain, ChainId(0));
  EXPECT_EQ(plan.actions[1].function.chain, ChainId(1));
}

TEST_F(ControllerTest, RiskExactlyKTriggersAndTargetsAvoidRiskyNodes) {
  FakeCluster cluster(3, kNode);
  cluster.run(0, 0, 0, kVf);
  forecaster.p_fail = {0.5, 0.5, 0.0};
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].to, NodeId(2));
}

TEST_F(ControllerTest, SilentAndRiskyNodesAtOnce) {
  FakeCluster cluster(5, kNode);
  cluster.run(0, 0, 0, kVf);
  cluster.run(0, 1, 1, kVf);
  cluster.run(1, 0, 2, kVf);
  cluster.silence(0);
  forecaster.p_fail = {0, 0, 1.0, 0, 0};
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 2u);
  EXPECT_EQ(plan.actions[0].kind, Action::Kind::cold_migrate);
  EXPECT_EQ(plan.actions[0].from, NodeId(0));
  EXPECT_NE(plan.actions[0].to, NodeId(1));  // node 1 holds another VF of chain 0
  EXPECT_EQ(plan.actions[1].kind, Action::Kind::live_migrate);
  EXPECT_EQ(plan.actions[1].from, NodeId(2));
  // Best fit: the cold move goes to the lowest of the equal empty nodes (3); the live move then
  // finds nodes 1 and 3 equally loaded and takes the lower id.
  EXPECT_EQ(plan.actions[0].to, NodeId(3));
  EXPECT_EQ(plan.actions[1].to, NodeId(1));
}

TEST_F(ControllerTest, LiveMigrationOffNeverConsultsTheForecaster) {
  FakeCluster cluster(3, kNode);
  cluster.run(0, 0, 0, kVf);
  forecaster.p_fail = {1.0, 0, 0};
  config.live_migration = false;
  Controller controller(config, placer, &forecaster);
  EXPECT_TRUE(controller.round(cluster.snapshot()).actions.empty());
  EXPECT_EQ(forecaster.calls, 0);
}

TEST_F(ControllerTest, NoRoomLeavesTheVfUnplacedForNextRound) {
  FakeCluster cluster(2, kNode);
  cluster.run(0, 0, 0, kVf);
  cluster.set_used(1, Resources{0.79e5, 0});  // 0.8 cap leaves 1e3 instructions/s: too little
  cluster.silence(0);
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  EXPECT_TRUE(plan.actions.empty());
  ASSERT_EQ(plan.unplaced.size(), 1u);
}

TEST_F(ControllerTest, MovesInOneRoundShareTheCapacityLedger) {
  FakeCluster cluster(3, kNode);
  // Node 0 holds 6 VFs of different chains; node 1 has room for 8 x 1e4 under the cap, node 2 for 2.
  for (std::uint32_t c = 0; c < 6; ++c) cluster.run(c, 0, 0, kVf);
  cluster.set_used(2, Resources{0.6e5, 0});
  cluster.set_used(1, Resources{0.4e5, 0});  // room for 4
  cluster.silence(0);
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 6u);
  int on1 = 0, on2 = 0;
  for (const auto& a : plan.actions) (a.to == NodeId(1) ? on1 : on2)++;
  EXPECT_EQ(on1, 4);
  EXPECT_EQ(on2, 2);
}

TEST_F(ControllerTest, ColdMigrationKeepsTheChainWithinItsQosBudget) {
  // VF 0 stays on node 0 (0.4 s per frame); VF 1 was on node 1, which died. The slow nodes 2 and 3
  // would make the chain take 1.2 s per frame, over 1/fps = 1 s: only the fast node 4 will do.
  FakeCluster cluster(5, kNode);
  const Resources heavy{4e4, 64e6};
  cluster.run(0, 0, 0, heavy);
  cluster.run(0, 1, 1, heavy);
  cluster.set_speed(2, 5e4);
  cluster.set_speed(3, 5e4);
  cluster.silence(1);
  config.placement.qos_time = true;
  ExactPlacer exact;
  Controller controller(config, exact, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].kind, Action::Kind::cold_migrate);
  EXPECT_EQ(plan.actions[0].to, NodeId(4));
}

TEST_F(ControllerTest, AdmitSpreadsAChainOrRejectsIt) {
  FakeCluster cluster(3, kNode);
  Controller controller(config, placer, &forecaster);
  Chain chain;
  chain.id = ChainId(7);
  chain.fps = 1;
  for (int j = 0; j < 3; ++j) chain.functions.push_back(Function{"f", 1e4, 1e5, 64e6, 0, 0, 0});
  Plan plan = controller.admit(chain, cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 3u);
  EXPECT_TRUE(plan.rejected_because.empty());
  EXPECT_NE(plan.actions[0].to, plan.actions[1].to);
  EXPECT_NE(plan.actions[1].to, plan.actions[2].to);
  EXPECT_NE(plan.actions[0].to, plan.actions[2].to);

  chain.functions.push_back(chain.functions.back());  // 4 VFs, 3 nodes
  plan = controller.admit(chain, cluster.snapshot());
  EXPECT_TRUE(plan.actions.empty());
  EXPECT_FALSE(plan.rejected_because.empty());
}

TEST_F(ControllerTest, ALiveTargetMustStayBelowKWithTheVfMovedIn) {
  FakeCluster cluster(4, kNode);
  cluster.run(0, 0, 0, kVf);
  forecaster.p_fail = {0.9, 0, 0, 0};
  // Best fit would take node 1 (equal loads, lowest id); with the VF there, node 1 would reach K, and so would
  // node 3; node 2 stays below.
  forecaster.p_fail_after = {1.0, 0.7, 0.2, 0.6};
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].kind, Action::Kind::live_migrate);
  EXPECT_EQ(plan.actions[0].to, NodeId(2));
}

TEST_F(ControllerTest, ALiveMigrationWithNoSafeTargetIsNotPlannedButAColdOneIs) {
  FakeCluster cluster(4, kNode);
  cluster.run(0, 0, 0, kVf);
  cluster.run(1, 0, 1, kVf);
  cluster.silence(1);
  forecaster.p_fail = {0.9, 0, 0, 0};
  forecaster.p_fail_after = {1.0, 1.0, 0.5, 0.5};
  Controller controller(config, placer, &forecaster);
  const Plan plan = controller.round(cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].kind, Action::Kind::cold_migrate);  // p_fail_after concerns live targets only
  EXPECT_EQ(plan.actions[0].function.chain, ChainId(1));
}

TEST_F(ControllerTest, TheAuthorsPlacementPutsOneVfPerNodeOnTheLeastLoadedNodes) {
  FakeCluster cluster(5, kNode);
  cluster.run(0, 0, 1, kVf);                 // node 1 already hosts a VF: no slot left
  cluster.set_used(0, Resources{5e4, 0});    // busy
  cluster.set_used(2, Resources{1e4, 0});    // a little load
  cluster.set_used(3, Resources{0, 0});      // idle
  cluster.set_used(4, Resources{0.2e4, 0});  // nearly idle
  config.placement.max_functions_per_node = 1;
  config.placement.cost = PlacementCost::load;
  ExactPlacer exact;
  Controller controller(config, exact, &forecaster);
  Chain chain;
  chain.id = ChainId(7);
  chain.fps = 1;
  for (int j = 0; j < 2; ++j) chain.functions.push_back(Function{"f", 1e4, 1e5, 64e6, 0, 0, 0});
  const Plan plan = controller.admit(chain, cluster.snapshot());
  ASSERT_EQ(plan.actions.size(), 2u) << plan.rejected_because;
  std::vector<std::uint32_t> targets = {plan.actions[0].to.value, plan.actions[1].to.value};
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets, (std::vector<std::uint32_t>{3, 4}));

  chain.functions.resize(5);  // 5 VFs, 4 free slots
  chain.functions.back() = chain.functions.front();
  for (auto& f : chain.functions) f = Function{"f", 1e4, 1e5, 64e6, 0, 0, 0};
  const Plan rejected = controller.admit(chain, cluster.snapshot());
  EXPECT_TRUE(rejected.actions.empty());
  EXPECT_NE(rejected.rejected_because.find("max_functions_per_node"), std::string::npos) << rejected.rejected_because;
}

}  // namespace
}  // namespace vfo
