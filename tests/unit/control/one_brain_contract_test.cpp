// The contract of one brain: given the same control policy, the same trained model and the same snapshots, the
// runtime's orchestrator and the simulator decide alike. The runtime runs on FakeAgents (its snapshots are the
// ones it builds from its agents' probes) and hands each round's snapshot and plan to a recorder; the simulator's
// brain, built from a scenario the way EdgeSimulation builds it (Brain and scenario_forecaster), is fed the
// recorded snapshots in order and must return the same plans.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/fake_agent_options.hpp"
#include "support/four_vf_chain.hpp"
#include "vfo/control/brain.hpp"
#include "vfo/forecast/baselines.hpp"
#include "vfo/runtime/fake_agent.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/sim/scenario_forecaster.hpp"

namespace vfo {
namespace {

// Persistence as the model and as its one baseline, calibrated without uncertainty (p_fail 1 when the last
// reading is above the default threshold), read every second.
std::shared_ptr<ForecastModel> persistence_model() {
  auto m = std::make_shared<ForecastModel>();
  m->point = std::make_shared<PersistenceModel>();
  m->spec.window = 3;
  m->interval_s = 1;
  m->baselines.push_back({std::make_shared<PersistenceModel>(), m->calibration});
  return m;
}

// A scenario whose control block is the runtime's policy with live migration on and the model above. The nodes'
// speed (8e6 instructions/s, set in the test) makes the utilisation cap matter: a chain's detect needs 5e6 and its
// track 2.5e6, which fit one node under a cap of 1, not under 0.8.
Scenario contract_scenario() {
  Scenario s;
  s.control.live_migration = true;
  s.control.k = 0.5;
  s.control.probing_period_s = 1;
  s.control.utilisation_cap = 0.8;
  s.control.max_functions_per_node = 0;
  s.control.placer = "best-fit";
  s.control.placement_cost = PlacementCost::load;
  s.control.predictor.kind = "forecast";
  s.control.predictor.model = "persistence";
  s.control.predictor.guard = true;
  return s;
}

struct Round {
  ClusterSnapshot snapshot;
  Plan plan;
};

TEST(OneBrain, TheRuntimeAndTheSimulatorMakeTheSamePlansFromTheSameSnapshots) {
  const Scenario scenario = contract_scenario();
  const auto model = persistence_model();
  runtime::FakeAgentCluster cluster({"node-1", "node-2", "node-3", "node-4", "node-5", "node-6", "node-7"});
  std::vector<Round> rounds;

  runtime::OrchestratorOptions options = test::fake_agent_options(cluster, "one-brain-store");
  options.node_cpu_ips = 8e6;
  options.control = scenario.control;  // the policy, sliced off the scenario's control block
  options.live.model = model;
  options.on_round = [&](const ClusterSnapshot& s, const Plan& p) { rounds.push_back({s, p}); };
  runtime::Orchestrator orchestrator(options);
  for (int i = 0; i < 3; ++i) {
    const std::string name = "chain-" + std::to_string(i);
    std::string text = test::kFourVfChain;
    text.replace(text.find("name: ped"), 9, "name: " + name);
    orchestrator.deploy(parse_chain_manifest(text, name + ".yaml"), text);
  }
  const auto placed = orchestrator.status();
  const std::string hot = placed[0].functions[1].node;   // chain 0's detect
  const std::string dead = placed[1].functions[2].node;  // chain 1's track
  ASSERT_NE(hot, dead);
  cluster.node(hot).hold_migrations();  // the live migration stays in flight: its VF is reported moving
  for (int round = 0; round < 8; ++round) {
    for (const auto& [name, address] : cluster.addresses()) cluster.node(name).set_load(20 + 2 * round, 30);
    if (round >= 2) cluster.node(hot).set_load(97, 30);  // overloading: persistence alarms from here on
    if (round == 4) cluster.node(dead).kill();
    orchestrator.round();
  }
  cluster.node(hot).release_migrations();
  ASSERT_EQ(rounds.size(), 8u);
  int live = 0, cold = 0;
  for (const Round& r : rounds) {
    for (const Action& a : r.plan.actions) {
      live += a.kind == Action::Kind::live_migrate;
      cold += a.kind == Action::Kind::cold_migrate;
    }
  }
  EXPECT_GE(live, 1) << "the contract is shown only if the runtime moved a VF live";
  EXPECT_GE(cold, 1) << "the contract is shown only if the runtime moved a VF cold";

  SimulationOptions sim_options;
  sim_options.model = model;
  Brain simulator(scenario.control, sim::scenario_forecaster(scenario, sim_options, {}));
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    const Plan plan = simulator.controller().round(rounds[i].snapshot);
    EXPECT_EQ(plan.actions, rounds[i].plan.actions) << "round " << i + 1;
    EXPECT_EQ(plan.unplaced, rounds[i].plan.unplaced) << "round " << i + 1;
  }

  // The snapshots tell policies apart: a brain that may fill its nodes whole decides otherwise.
  ControlPolicy uncapped = scenario.control;
  uncapped.utilisation_cap = 1.0;
  Brain other(uncapped, sim::scenario_forecaster(scenario, sim_options, {}));
  int differing = 0;
  for (const Round& r : rounds) differing += other.controller().round(r.snapshot).actions != r.plan.actions;
  EXPECT_GE(differing, 1);
}

TEST(OneBrain, ASnapshotOfTheRuntimeCarriesTheTimeOfItsRound) {
  runtime::FakeAgentCluster cluster({"node-1", "node-2"});
  std::vector<double> now;
  runtime::OrchestratorOptions options = test::fake_agent_options(cluster, "one-brain-now");
  options.on_round = [&](const ClusterSnapshot& s, const Plan&) { now.push_back(s.now); };
  runtime::Orchestrator orchestrator(options);
  orchestrator.round();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  orchestrator.round();
  ASSERT_EQ(now.size(), 2u);
  EXPECT_GE(now[0], 0);
  EXPECT_GE(now[1] - now[0], 0.019);  // seconds on the steady clock since the orchestrator started
}

}  // namespace
}  // namespace vfo
