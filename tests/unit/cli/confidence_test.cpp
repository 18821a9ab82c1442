#include "cli/confidence.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace vfo::cli {
namespace {

TEST(MeanInterval, IsTheMeanPlusMinusTTimesTheStandardError) {
  const MeanInterval m = mean_interval({1, 2, 3, 4, 5});
  EXPECT_EQ(m.n, 5u);
  EXPECT_DOUBLE_EQ(m.mean, 3);
  EXPECT_NEAR(m.sd, 1.5811388, 1e-6);
  EXPECT_NEAR(m.half_width, 2.7764451 * 1.5811388 / std::sqrt(5.0), 1e-6);  // t(0.975, 4)
  EXPECT_NEAR(m.low(), 3 - m.half_width, 1e-12);
  const nlohmann::json j = to_json(m);
  EXPECT_EQ(j["n"], 5);
  EXPECT_NEAR(j["ci95_high"].get<double>(), m.high(), 1e-12);
}

TEST(MeanInterval, OneValueHasNoInterval) {
  const MeanInterval m = mean_interval({4});
  EXPECT_DOUBLE_EQ(m.mean, 4);
  EXPECT_EQ(m.half_width, 0);
  EXPECT_TRUE(to_json(m)["ci95_low"].is_null());
  EXPECT_EQ(mean_interval({}).n, 0u);
}

}  // namespace
}  // namespace vfo::cli
