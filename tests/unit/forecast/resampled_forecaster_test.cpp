#include "vfo/forecast/resampled_forecaster.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "vfo/runtime/orchestrator.hpp"

namespace vfo {
namespace {

// Records the snapshots it is given; answers each answering node's CPU reading / 100 as its p_fail.
class RecordingForecaster : public Forecaster {
 public:
  explicit RecordingForecaster(std::vector<ClusterSnapshot>* seen) : seen_(seen) {}
  std::vector<double> assess(const ClusterSnapshot& snapshot, double /*horizon_s*/) override {
    seen_->push_back(snapshot);
    std::vector<double> p;
    for (const NodeReport& n : snapshot.nodes) p.push_back(n.answered ? n.measured_cpu_pct / 100 : 0.0);
    return p;
  }
  std::optional<double> p_fail_with(std::size_t index, const Resources& /*extra*/) const override {
    return static_cast<double>(index) + 0.5;
  }

 private:
  std::vector<ClusterSnapshot>* seen_;
};

ClusterSnapshot two_nodes(double cpu0, double cpu1, bool second_answers = true) {
  ClusterSnapshot s;
  for (std::uint32_t i = 0; i < 2; ++i) {
    NodeReport n;
    n.node = NodeId(i);
    n.answered = i == 0 || second_answers;
    n.measured_cpu_pct = i == 0 ? cpu0 : cpu1;
    n.measured_ram_pct = 10.0 * (i + 1);
    s.nodes.push_back(n);
  }
  return s;
}

TEST(ResampledForecaster, AssessesEveryThirdRoundOnTheMeanOfTheRoundsAndHoldsItsAnswerBetween) {
  std::vector<ClusterSnapshot> seen;
  ResampledForecaster f(std::make_unique<RecordingForecaster>(&seen), 3);
  EXPECT_EQ(f.assess(two_nodes(10, 40), 1), (std::vector<double>{0, 0}));
  EXPECT_FALSE(f.p_fail_with(0, {}).has_value());  // nothing assessed yet
  EXPECT_EQ(f.assess(two_nodes(20, 0, /*second_answers=*/false), 1), (std::vector<double>{0, 0}));
  EXPECT_TRUE(seen.empty());
  const std::vector<double> third = f.assess(two_nodes(30, 80), 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_DOUBLE_EQ(seen[0].nodes[0].measured_cpu_pct, 20);  // (10 + 20 + 30) / 3
  EXPECT_DOUBLE_EQ(seen[0].nodes[1].measured_cpu_pct, 60);  // (40 + 80) / 2: the round it missed is not counted
  EXPECT_DOUBLE_EQ(seen[0].nodes[1].measured_ram_pct, 20);
  EXPECT_TRUE(seen[0].nodes[1].answered);
  EXPECT_DOUBLE_EQ(third[0], 0.2);
  EXPECT_DOUBLE_EQ(third[1], 0.6);
  // The next block's first rounds keep that answer (but for a node that does not answer now).
  const std::vector<double> held = f.assess(two_nodes(90, 90, false), 1);
  EXPECT_DOUBLE_EQ(held[0], 0.2);
  EXPECT_DOUBLE_EQ(held[1], 0);
  EXPECT_EQ(f.p_fail_with(1, {}), 1.5);  // the inner forecaster's
  EXPECT_EQ(seen.size(), 1u);
}

TEST(ResampledForecaster, ANodeSilentForAWholeBlockIsPassedAsNotAnswering) {
  std::vector<ClusterSnapshot> seen;
  ResampledForecaster f(std::make_unique<RecordingForecaster>(&seen), 2);
  f.assess(two_nodes(10, 0, false), 1);
  const std::vector<double> p = f.assess(two_nodes(30, 0, false), 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].nodes[1].answered);
  EXPECT_DOUBLE_EQ(p[0], 0.2);
  EXPECT_DOUBLE_EQ(p[1], 0);
}

TEST(ResampledForecaster, EveryRoundGoesThroughWhenEveryIsOne) {
  std::vector<ClusterSnapshot> seen;
  ResampledForecaster f(std::make_unique<RecordingForecaster>(&seen), 1);
  EXPECT_DOUBLE_EQ(f.assess(two_nodes(50, 70), 1)[1], 0.7);
  EXPECT_DOUBLE_EQ(f.assess(two_nodes(10, 20), 1)[1], 0.2);
  EXPECT_EQ(seen.size(), 2u);
}

TEST(ResampledForecaster, RefusesNoForecasterAndABlockBelowOne) {
  std::vector<ClusterSnapshot> seen;
  EXPECT_THROW(ResampledForecaster(nullptr, 2), std::invalid_argument);
  EXPECT_THROW(ResampledForecaster(std::make_unique<RecordingForecaster>(&seen), 0), std::invalid_argument);
}

TEST(ModelRounds, AModelIntervalMustBeAWholeNumberOfProbingPeriods) {
  EXPECT_EQ(runtime::model_rounds(5, 1), 5);
  EXPECT_EQ(runtime::model_rounds(0.5, 0.5), 1);
  EXPECT_EQ(runtime::model_rounds(1, 0.3), std::nullopt);  // 3.33 periods
  EXPECT_EQ(runtime::model_rounds(300, 299.9), 1);         // within 1 %
  EXPECT_EQ(runtime::model_rounds(1, 2), std::nullopt);    // the model reads faster than the probes come
  EXPECT_EQ(runtime::model_rounds(0, 1), std::nullopt);
  EXPECT_EQ(runtime::model_rounds(1, std::numeric_limits<double>::quiet_NaN()), std::nullopt);
}

}  // namespace
}  // namespace vfo
