#include "cli/confidence.hpp"

#include <gtest/gtest.h>

namespace vfo::cli {
namespace {

TEST(TQuantile, MatchesStudentsTable) {
  EXPECT_DOUBLE_EQ(t_quantile_975(1), 12.706);
  EXPECT_DOUBLE_EQ(t_quantile_975(19), 2.093);
  EXPECT_NEAR(t_quantile_975(40), 2.0211, 1e-3);
  EXPECT_NEAR(t_quantile_975(120), 1.9799, 1e-3);
  EXPECT_NEAR(t_quantile_975(100000), 1.95996, 1e-4);
  EXPECT_GT(t_quantile_975(30), t_quantile_975(31));  // the table and the expansion join without a step up
}

TEST(MeanInterval, IsTheMeanPlusMinusTTimesTheStandardError) {
  const MeanInterval m = mean_interval({1, 2, 3, 4, 5});
  EXPECT_EQ(m.n, 5u);
  EXPECT_DOUBLE_EQ(m.mean, 3);
  EXPECT_NEAR(m.sd, 1.5811388, 1e-6);
  EXPECT_NEAR(m.half_width, 2.776 * 1.5811388 / std::sqrt(5.0), 1e-6);
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
