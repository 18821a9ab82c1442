#include "vfo/forecast/examples.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace vfo {
namespace {

using ::testing::ElementsAre;

UsageSeries series(std::string name, std::vector<double> cpu, std::vector<double> ram = {}) {
  UsageSeries s;
  s.name = std::move(name);
  s.interval_s = 300;
  s.cpu_pct = std::move(cpu);
  s.ram_pct = std::move(ram);
  return s;
}

TEST(Examples, LayoutIsExampleStepChannel) {
  const std::vector<UsageSeries> in = {series("a", {1, 2, 3, 4, 5, 6}, {11, 12, 13, 14, 15, 16})};
  const Examples e = make_examples(in, {.window = 3, .horizon = 1}, 2);
  // 6 readings, window 3 + horizon 1: starts 0, 1, 2.
  ASSERT_EQ(e.count(), 3u);
  EXPECT_EQ(e.window, 3);
  EXPECT_EQ(e.channels, 2);
  EXPECT_THAT(e.inputs, ElementsAre(1, 11, 2, 12, 3, 13,  //
                                    2, 12, 3, 13, 4, 14,  //
                                    3, 13, 4, 14, 5, 15));
  EXPECT_THAT(e.targets, ElementsAre(4, 14, 5, 15, 6, 16));
  EXPECT_EQ(e.peaks, e.targets);  // horizon 1
  EXPECT_THAT(e.series, ElementsAre(0, 0, 0));
}

TEST(Examples, PeaksOverAHorizonOfThree) {
  const std::vector<UsageSeries> in = {series("a", {1, 5, 2, 9, 3, 4, 0})};
  const Examples e = make_examples(in, {.window = 2, .horizon = 3}, 1);
  // 7 - (2 + 3) + 1 = 3 examples:
  //   [1 5] then [2 9 3]: target 3, peak 9
  //   [5 2] then [9 3 4]: target 4, peak 9
  //   [2 9] then [3 4 0]: target 0, peak 4
  ASSERT_EQ(e.count(), 3u);
  EXPECT_THAT(e.inputs, ElementsAre(1, 5, 5, 2, 2, 9));
  EXPECT_THAT(e.targets, ElementsAre(3, 4, 0));
  EXPECT_THAT(e.peaks, ElementsAre(9, 9, 4));
}

TEST(Examples, ShortSeriesAreSkipped) {
  const std::vector<UsageSeries> in = {series("short", {1, 2, 3}), series("exact", {1, 2, 3, 4}),
                                       series("long", {5, 6, 7, 8, 9})};
  const Examples e = make_examples(in, {.window = 3, .horizon = 1}, 1);
  // "short" needs 4 readings and has 3; "exact" gives 1 example, "long" 2.
  EXPECT_THAT(e.series, ElementsAre(1, 2, 2));
  EXPECT_THAT(e.targets, ElementsAre(4, 8, 9));
  EXPECT_EQ(e.inputs.size(), 3u * 3u);
  EXPECT_EQ(make_examples({}, {}, 1).count(), 0u);
}

TEST(Examples, NoTargetIsAReadingThatWasNotMeasured) {
  UsageSeries s = series("gappy", {1, 2, 3, 4, 5, 6});
  s.measured = {1, 1, 1, 0, 1, 1};  // reading 3 repeats reading 2 (a gap filled by resampling)
  // Window 2, horizon 2: starts 0..2 have horizons {2,3}, {3,4}, {4,5}; the first two hold reading 3.
  const Examples e = make_examples({s}, {.window = 2, .horizon = 2}, 1);
  EXPECT_THAT(e.targets, ElementsAre(6));
  EXPECT_THAT(e.inputs, ElementsAre(3, 4));  // an unmeasured reading may still be an input
}

TEST(Examples, ChannelsAreChecked) {
  const std::vector<UsageSeries> both = {series("a", {1, 2}, {3, 4}), series("b", {5, 6}, {7, 8})};
  const std::vector<UsageSeries> mixed = {series("a", {1, 2}, {3, 4}), series("b", {5, 6})};
  EXPECT_EQ(channels_of(both), 2);
  EXPECT_EQ(channels_of(mixed), 1);
  EXPECT_EQ(channels_of({}), 1);
  EXPECT_THROW(make_examples(mixed, {.window = 1, .horizon = 1}, 2), std::invalid_argument);
  EXPECT_THROW(make_examples(both, {.window = 1, .horizon = 1}, 3), std::invalid_argument);
  EXPECT_THROW(make_examples(both, {.window = 1, .horizon = 1}, 0), std::invalid_argument);
  EXPECT_THROW(make_examples(both, {.window = 0, .horizon = 1}, 1), std::invalid_argument);
  EXPECT_THROW(make_examples(both, {.window = 1, .horizon = 0}, 1), std::invalid_argument);
  // One channel reads CPU only, even when RAM is there.
  const Examples e = make_examples(mixed, {.window = 1, .horizon = 1}, 1);
  EXPECT_THAT(e.inputs, ElementsAre(1, 5));
  EXPECT_THAT(e.targets, ElementsAre(2, 6));
}

std::vector<std::string> names(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("planetlab:20110303/vm_" + std::to_string(i));
  return out;
}

TEST(Split, IsDeterministicAndDependsOnTheSeed) {
  int differ = 0;
  for (const std::string& name : names(200)) {
    EXPECT_EQ(split_of(name, 7), split_of(name, 7));
    differ += split_of(name, 7) != split_of(name, 8);
  }
  EXPECT_GT(differ, 20);  // another seed gives another split
}

TEST(Split, IsIndependentOfTheOtherSeries) {
  // The split of a name is computed from that name alone: asking in another order, or among other
  // names, gives the same answers.
  const std::vector<std::string> all = names(300);
  std::vector<Split> forward;
  for (const std::string& name : all) forward.push_back(split_of(name, 3));
  for (std::size_t i = all.size(); i-- > 0;) {
    split_of("unrelated/" + std::to_string(i), 3);
    EXPECT_EQ(split_of(all[i], 3), forward[i]) << all[i];
  }
}

TEST(Split, FractionsAreRoughlyRespected) {
  for (const SplitFractions f : {SplitFractions{}, SplitFractions{.validation = 0.2, .test = 0.1}}) {
    int counts[3] = {0, 0, 0};
    for (const std::string& name : names(10000)) ++counts[static_cast<int>(split_of(name, 11, f))];
    // Binomial standard deviation at 10,000 draws is at most 0.005: allow four of them.
    EXPECT_NEAR(counts[static_cast<int>(Split::validation)] / 10000.0, f.validation, 0.02);
    EXPECT_NEAR(counts[static_cast<int>(Split::test)] / 10000.0, f.test, 0.02);
    EXPECT_NEAR(counts[static_cast<int>(Split::train)] / 10000.0, 1 - f.validation - f.test, 0.02);
  }
  EXPECT_THROW(split_of("a", 1, {.validation = -0.1, .test = 0.1}), std::invalid_argument);
  EXPECT_THROW(split_of("a", 1, {.validation = 0.6, .test = 0.5}), std::invalid_argument);
}

TEST(Split, NoNameIsInTwoSplits) {
  std::set<std::string> by_split[3];
  const std::vector<std::string> all = names(10000);
  for (const std::string& name : all) by_split[static_cast<int>(split_of(name, 5))].insert(name);
  std::set<std::string> joined;
  std::size_t total = 0;
  for (const auto& s : by_split) {
    total += s.size();
    joined.insert(s.begin(), s.end());
  }
  EXPECT_EQ(total, all.size());
  EXPECT_EQ(joined.size(), all.size());  // disjoint: no name counted twice
  EXPECT_STREQ(split_name(Split::train), "train");
  EXPECT_STREQ(split_name(Split::validation), "validation");
  EXPECT_STREQ(split_name(Split::test), "test");
}

}  // namespace
}  // namespace vfo
