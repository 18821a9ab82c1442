#include "cli/testbed_stress.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vfo::cli {
namespace {

// node-2, node-3 and node-6 host the chain.
const std::vector<bool> kHosts = {false, true, true, false, false, true, false, false};

TEST(StressTarget, AnEpisodeOnTheChainHitsANodeOfTheChain) {
  std::set<std::size_t> hit;
  for (double pick = 0; pick < 1; pick += 0.05) hit.insert(stress_target(kHosts, {}, true, pick));
  EXPECT_EQ(hit, (std::set<std::size_t>{1, 2, 5}));  // every chain node, and only those
}

TEST(StressTarget, AnEpisodeOffTheChainHitsANodeWithoutIt) {
  std::set<std::size_t> hit;
  for (double pick = 0; pick < 1; pick += 0.05) hit.insert(stress_target(kHosts, {}, false, pick));
  EXPECT_EQ(hit, (std::set<std::size_t>{0, 3, 4, 6, 7}));
}

TEST(StressTarget, PrefersANodeNotUnderStressUnlessAllOfItsClassAre) {
  std::vector<bool> stressed(8, false);
  stressed[1] = stressed[2] = true;
  for (double pick = 0; pick < 1; pick += 0.1) EXPECT_EQ(stress_target(kHosts, stressed, true, pick), 5u);
  stressed[5] = true;
  EXPECT_EQ(stress_target(kHosts, stressed, true, 0.0), 1u);
  EXPECT_EQ(stress_target(kHosts, stressed, true, 0.99), 5u);
}

TEST(StressTarget, FallsBackToAnyNodeWhenNoneIsOfTheClass) {
  const std::vector<bool> all(4, true);
  EXPECT_EQ(stress_target(all, {}, false, 0.0), 0u);
  EXPECT_EQ(stress_target(all, {}, false, 0.99), 3u);
}

}  // namespace
}  // namespace vfo::cli
