#include "vfo/control/chain_autoscaler.hpp"
#include "support/input_error.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace vfo {
namespace {

using Counts = std::vector<int>;

using vfo::test::rejection;

// Two VFs of 2e6 and 8e6 instructions per frame on 1e9 instructions/s nodes: 2 ms and 8 ms per frame.
const std::vector<double> kTwo = {2e6, 8e6};
// Three VFs: 6 ms, 3 ms and 1 ms per frame on 1e9 instructions/s nodes.
const std::vector<double> kThree = {6e6, 3e6, 1e6};

ChainScale scale(const std::vector<double>& loads, double fps, AutoscalerConfig config = {}) {
  return minimal_replicas(loads, 1e9, fps, config);
}

TEST(ChainAutoscalerTest, DefaultsAreVfos) {
  const AutoscalerConfig c;
  EXPECT_DOUBLE_EQ(c.utilisation_cap, 0.8);
  EXPECT_EQ(c.max_replicas_per_vf, 8);
  EXPECT_DOUBLE_EQ(c.scale_down_hold_s, 0);
}

TEST(ChainAutoscalerTest, LightChainNeedsOneReplicaPerVf) {
  // 15 fps: 2 + 8 = 10 ms <= 66.7 ms; the heavier VF takes 8e6 x 15 = 1.2e8 <= 0.8 x 1e9 instructions/s.
  const ChainScale s = scale(kTwo, 15);
  EXPECT_EQ(s.replicas, (Counts{1, 1}));
  EXPECT_EQ(s.recommended, (Counts{1, 1}));
  EXPECT_TRUE(s.feasible);
  EXPECT_EQ(s.why, "");
}

TEST(ChainAutoscalerTest, BothRulesExactlyAtTheirBoundsAreMet) {
  // 100 fps: 2 + 8 = 10 ms = 1/100 s, and 8e6 x 100 = 8e8 = 0.8 x 1e9: both bounds reached, not exceeded.
  const ChainScale s = scale(kTwo, 100);
  EXPECT_EQ(s.replicas, (Counts{1, 1}));
  EXPECT_TRUE(s.feasible);
}

TEST(ChainAutoscalerTest, CapacityRuleSplitsTheHeavyVf) {
  // 150 fps: 8e6 x 150 = 1.2e9 > 8e8, so the 8e6 VF needs ceil(1.5) = 2 replicas; then 2 + 8/2 = 6 ms <= 6.67 ms.
  EXPECT_EQ(scale(kTwo, 150).replicas, (Counts{1, 2}));
}

TEST(ChainAutoscalerTest, TimeRuleTakesTheLargestSaving) {
  // 200 fps, 5 ms per frame. Capacity: 8e6 x 200 / 8e8 = 2 replicas, 2e6 x 200 / 8e8 = 0.5 -> 1. {1, 2} takes
  // 2 + 4 = 6 ms. A second copy of VF 0 saves 2 - 1 = 1 ms, a third of VF 1 saves 4 - 8/3 = 1.33 ms: {1, 3}
  // takes 4.67 ms. {2, 2} (5 ms) also has 4 replicas; the least chain time breaks the tie.
  const ChainScale s = scale(kTwo, 200);
  EXPECT_EQ(s.replicas, (Counts{1, 3}));
  EXPECT_TRUE(s.feasible);
}

TEST(ChainAutoscalerTest, ThreeVfs) {
  // 125 fps, 8 ms: capacity 6e6 x 125 = 7.5e8 <= 8e8, so {1, 1, 1} at 10 ms; VF 0's second copy saves 3 ms -> 7 ms.
  EXPECT_EQ(scale(kThree, 125).replicas, (Counts{2, 1, 1}));
  // 250 fps, 4 ms: capacity 6e6 x 250 / 8e8 = 1.875 -> VF 0 starts at 2: {2, 1, 1} takes 3 + 3 + 1 = 7 ms.
  // Savings 1, 1.5, 0.5 -> {2, 2, 1}, 5.5 ms; savings 1, 0.5, 0.5 -> {3, 2, 1}, 4.5 ms; savings all 0.5 (a tie: the
  // earliest VF) -> {4, 2, 1}, 1.5 + 1.5 + 1 = 4 ms. No 6 replicas do it: {3, 2, 1} is the best of them at 4.5 ms.
  const ChainScale s = scale(kThree, 250);
  EXPECT_EQ(s.replicas, (Counts{4, 2, 1}));
  EXPECT_TRUE(s.feasible);
  // Equal loads: equal savings go to the earlier VF. 100 fps, 10 ms; four VFs of 3 ms = 12 ms -> {2, 1, 1, 1}
  // 10.5 ms -> {2, 2, 1, 1} 9 ms.
  EXPECT_EQ(scale({3e6, 3e6, 3e6, 3e6}, 100, {.max_replicas_per_vf = 2}).replicas, (Counts{2, 2, 1, 1}));
}

TEST(ChainAutoscalerTest, ZeroFpsDeploysNothing) {
  const ChainScale s = scale(kTwo, 0);
  EXPECT_EQ(s.replicas, (Counts{0, 0}));
  EXPECT_EQ(s.recommended, (Counts{0, 0}));
  EXPECT_TRUE(s.feasible);
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, s.replicas, 1e9, 1), 0);
}

TEST(ChainAutoscalerTest, ZeroLoadVfStillRunsOnce) {
  // 300 fps: 5e6 x 300 / 8e8 = 1.875 -> 2 replicas; 0 + 2.5 ms <= 3.33 ms.
  EXPECT_EQ(scale({0, 5e6}, 300).replicas, (Counts{1, 2}));
}

TEST(ChainAutoscalerTest, CapacityBeyondMaxReplicasIsInfeasible) {
  // 7e7 x 100 = 7e9 instructions/s over 8e8 per replica: y >= 8.75, so 9 replicas; the cap is 8.
  const ChainScale s = scale({7e7}, 100);
  EXPECT_FALSE(s.feasible);
  EXPECT_EQ(s.recommended, (Counts{8}));
  EXPECT_NE(s.why.find("capacity: VF 0"), std::string::npos) << s.why;
  EXPECT_NE(s.why.find("y >= 8.75, above max_replicas_per_vf = 8"), std::string::npos) << s.why;
  EXPECT_EQ(s.why.find("time"), std::string::npos) << s.why;  // 70 ms / 8 = 8.75 ms <= 10 ms
  EXPECT_EQ(scale({7e7}, 100, {.max_replicas_per_vf = 9}).replicas, (Counts{9}));
  // With a second VF the time rule still holds at {8, 1}: 8.75 + 1 = 9.75 ms.
  const ChainScale two = scale({7e7, 1e6}, 100);
  EXPECT_FALSE(two.feasible);
  EXPECT_EQ(two.recommended, (Counts{8, 1}));
}

TEST(ChainAutoscalerTest, TimeBeyondMaxReplicasIsInfeasible) {
  // Four VFs of 3 ms at 100 fps with one replica each: 12 ms > 10 ms.
  const ChainScale s = scale({3e6, 3e6, 3e6, 3e6}, 100, {.max_replicas_per_vf = 1});
  EXPECT_FALSE(s.feasible);
  EXPECT_EQ(s.recommended, (Counts{1, 1, 1, 1}));
  EXPECT_EQ(s.replicas, s.recommended);
  EXPECT_NE(s.why.find("time: with max_replicas_per_vf = 1 replicas of every VF the chain takes 0.012 s per frame, "
                       "above 1 / fps = 0.01 s"),
            std::string::npos)
      << s.why;
  // Both rules fail: 1e8 x 100 = 1e10 instructions/s needs 12.5 replicas; 100 ms / 8 = 12.5 ms > 10 ms.
  const ChainScale both = scale({1e8}, 100);
  EXPECT_FALSE(both.feasible);
  EXPECT_EQ(both.recommended, (Counts{8}));
  EXPECT_NE(both.why.find("time: "), std::string::npos) << both.why;
  EXPECT_NE(both.why.find("; capacity: VF 0"), std::string::npos) << both.why;
}

TEST(ChainAutoscalerTest, FollowsDemandAtOnceWithoutHold) {
  ChainAutoscaler a({});
  EXPECT_EQ(a.desired(kTwo, 1e9, 15, 0).replicas, (Counts{1, 1}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 200, 30).replicas, (Counts{1, 3}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 150, 60).replicas, (Counts{1, 2}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 15, 90).replicas, (Counts{1, 1}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 0, 120).replicas, (Counts{0, 0}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 200, 150).replicas, (Counts{1, 3}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 200, 150).replicas, (Counts{1, 3}));  // same time again is allowed
}

TEST(ChainAutoscalerTest, HoldDelaysScaleDownOnly) {
  ChainAutoscaler a({.scale_down_hold_s = 30});
  EXPECT_EQ(a.desired(kTwo, 1e9, 0, 0).replicas, (Counts{0, 0}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 200, 30).replicas, (Counts{1, 3}));  // up at once
  ChainScale s = a.desired(kTwo, 1e9, 150, 40);
  EXPECT_EQ(s.recommended, (Counts{1, 2}));
  EXPECT_EQ(s.replicas, (Counts{1, 3}));  // held by t = 30
  EXPECT_TRUE(s.feasible);
  EXPECT_EQ(a.desired(kTwo, 1e9, 15, 50).replicas, (Counts{1, 3}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 15, 59).replicas, (Counts{1, 3}));  // t = 30 is 29 s old
  EXPECT_EQ(a.desired(kTwo, 1e9, 15, 60).replicas, (Counts{1, 2}));  // t = 30 is 30 s old: gone; t = 40 holds
  EXPECT_EQ(a.desired(kTwo, 1e9, 15, 70).replicas, (Counts{1, 1}));
  s = a.desired(kTwo, 1e9, 0, 80);
  EXPECT_EQ(s.recommended, (Counts{0, 0}));
  EXPECT_EQ(s.replicas, (Counts{1, 1}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 0, 95).replicas, (Counts{1, 1}));  // t = 70 is 25 s old
  EXPECT_EQ(a.desired(kTwo, 1e9, 0, 100).replicas, (Counts{0, 0}));
  EXPECT_EQ(a.desired(kTwo, 1e9, 150, 101).replicas, (Counts{1, 2}));
}

TEST(ChainAutoscalerTest, CostIsLoadSquaredOverSpeedPerReplica) {
  // c(l) = l^2 / cpu per replica executing l = fps x l_j / y_j: at 1 fps (2e6)^2 / 1e9 = 4000, (8e6)^2 / 1e9 = 64000.
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, {1, 1}, 1e9, 1), 68000);
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, {1, 3}, 1e9, 1), 4000 + 3 * (8e6 / 3) * (8e6 / 3) / 1e9);  // 25333.33
  EXPECT_NEAR(chain_cost_per_s(kTwo, {1, 3}, 1e9, 1), 25333.333333, 1e-6);
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, {2, 2}, 1e9, 1), 2000 + 32000);
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, {0, 1}, 1e9, 1), 64000);
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, {1, 1}, 2e9, 1), 34000);
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, {0, 0}, 1e9, 1), 0);
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, {1, 1}, 1e9, 3), 9 * 68000);  // the work per second, squared
  EXPECT_DOUBLE_EQ(chain_cost_per_s(kTwo, {1, 1}, 1e9, 0), 0);
}

TEST(ChainAutoscalerTest, BadInputNamesTheField) {
  const auto config_error = [](AutoscalerConfig c) { return rejection([&] { validate(c); }); };
  EXPECT_EQ(config_error({}), "");
  EXPECT_EQ(config_error({.utilisation_cap = 1}), "");
  EXPECT_EQ(config_error({.utilisation_cap = 0}).rfind("utilisation_cap", 0), 0u);
  EXPECT_EQ(config_error({.utilisation_cap = 1.5}).rfind("utilisation_cap", 0), 0u);
  EXPECT_EQ(config_error({.max_replicas_per_vf = 0}).rfind("max_replicas_per_vf", 0), 0u);
  EXPECT_EQ(config_error({.scale_down_hold_s = -1}).rfind("scale_down_hold_s", 0), 0u);
  EXPECT_THROW(ChainAutoscaler({.utilisation_cap = 0}), std::invalid_argument);

  EXPECT_EQ(rejection([] { scale(kTwo, -1); }).rfind("fps", 0), 0u);
  EXPECT_EQ(rejection([] { scale(kTwo, std::numeric_limits<double>::infinity()); }).rfind("fps", 0), 0u);
  EXPECT_EQ(rejection([] { minimal_replicas(kTwo, 0, 15, {}); }).rfind("node_speed_ips", 0), 0u);
  EXPECT_EQ(rejection([] { scale({}, 15); }).rfind("load_ipf", 0), 0u);
  EXPECT_EQ(rejection([] { scale({1e6, -1}, 15); }).rfind("load_ipf[1]", 0), 0u);
  EXPECT_EQ(rejection([] { chain_cost_per_s(kTwo, {1}, 1e9, 1); }).rfind("replicas", 0), 0u);
  EXPECT_EQ(rejection([] { chain_cost_per_s(kTwo, {1, -1}, 1e9, 1); }).rfind("replicas[1]", 0), 0u);
  EXPECT_EQ(rejection([] { chain_cost_per_s(kTwo, {1, 1}, -1, 1); }).rfind("node_speed_ips", 0), 0u);
  EXPECT_EQ(rejection([] { chain_cost_per_s(kTwo, {1, 1}, 1e9, -1); }).rfind("fps", 0), 0u);

  ChainAutoscaler a({});
  a.desired(kTwo, 1e9, 15, 10);
  EXPECT_EQ(rejection([&] { a.desired(kTwo, 1e9, 15, 9); }).rfind("now_s", 0), 0u);
  EXPECT_EQ(rejection([&] { a.desired(kThree, 1e9, 15, 20); }).rfind("load_ipf", 0), 0u);
  EXPECT_EQ(rejection([&] { a.desired(kTwo, 1e9, -1, 20); }).rfind("fps", 0), 0u);
  EXPECT_EQ(a.desired(kTwo, 1e9, 15, 20).replicas, (Counts{1, 1}));  // rejected calls changed nothing
}

// Every y in [1, most]^n, by brute force, against the greedy: same feasibility, same least total, and among
// the counts of least total the least chain time.
TEST(ChainAutoscalerTest, MatchesBruteForceOnRandomInstances) {
  std::mt19937 rng(20261128);  // mt19937's output is fixed by the standard; u() below uses nothing else
  const auto u = [&] { return rng() / 4294967296.0; };
  int feasible = 0;
  int infeasible = 0;
  for (int instance = 0; instance < 1500; ++instance) {
    const int n = 1 + static_cast<int>(rng() % 4);
    const AutoscalerConfig config{.utilisation_cap = 0.3 + 0.7 * u(),
                                  .max_replicas_per_vf = 1 + static_cast<int>(rng() % 5)};
    const double speed = 5e8 + 1.5e9 * u();
    const double fps = 1 + 199 * u();
    std::vector<double> loads(n);
    for (double& l : loads) l = 1e5 + 2e7 * u();
    const int most = config.max_replicas_per_vf;
    const double budget = 1 / fps;
    const double cap_ips = config.utilisation_cap * speed;

    const auto time_of = [&](const Counts& y) {
      double t = 0;
      for (int j = 0; j < n; ++j) t += loads[j] / speed / y[j];
      return t;
    };
    const auto meets = [&](const Counts& y) {
      for (int j = 0; j < n; ++j) {
        if (y[j] < 1 || y[j] > most || loads[j] / y[j] * fps > cap_ips * (1 + 1e-9)) return false;
      }
      return time_of(y) <= budget * (1 + 1e-9);
    };
    int best_total = std::numeric_limits<int>::max();
    double best_time = 0;
    Counts y(n, 1);
    for (;;) {
      if (meets(y)) {
        int total = 0;
        for (int k : y) total += k;
        if (total < best_total || (total == best_total && time_of(y) < best_time)) {
          best_total = total;
          best_time = time_of(y);
        }
      }
      int j = 0;
      while (j < n && y[j] == most) y[j++] = 1;
      if (j == n) break;
      ++y[j];
    }

    const ChainScale s = minimal_replicas(loads, speed, fps, config);
    const bool brute_feasible = best_total != std::numeric_limits<int>::max();
    ASSERT_EQ(s.feasible, brute_feasible) << "instance " << instance << ": " << s.why;
    ASSERT_EQ(s.recommended.size(), static_cast<std::size_t>(n));
    if (!brute_feasible) {
      ++infeasible;
      EXPECT_FALSE(s.why.empty());
      continue;
    }
    ++feasible;
    EXPECT_TRUE(meets(s.recommended)) << "instance " << instance;
    int total = 0;
    for (int k : s.recommended) total += k;
    EXPECT_EQ(total, best_total) << "instance " << instance;
    EXPECT_LE(time_of(s.recommended), best_time + 1e-9 * budget) << "instance " << instance;
  }
  EXPECT_GT(feasible, 300);
  EXPECT_GT(infeasible, 300);
}

}  // namespace
}  // namespace vfo
