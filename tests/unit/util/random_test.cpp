#include "vfo/util/random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace vfo {
namespace {

struct Moments {
  double mean = 0, stddev = 0;
};

template <typename F>
Moments moments(int n, F&& draw) {
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n;
  return {mean, std::sqrt(sum2 / n - mean * mean)};
}

TEST(Random, SameSeedSameStream) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differs |= x != c.next_u64();
  }
  EXPECT_TRUE(differs);
}

TEST(Random, NamedStreamsAreIndependentOfEachOther) {
  Rng a(7, "failures"), b(7, "arrivals");
  EXPECT_NE(a.next_u64(), b.next_u64());
  EXPECT_EQ(Rng(7, "failures").next_u64(), Rng(derive_seed(7, "failures")).next_u64());
}

TEST(Random, UniformInRangeWithRightMean) {
  Rng rng(1);
  const auto m = moments(200000, [&] {
    const double u = rng.uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    return u;
  });
  EXPECT_NEAR(m.mean, 0.5, 0.005);
  EXPECT_NEAR(m.stddev, std::sqrt(1.0 / 12), 0.005);
}

TEST(Random, NormalMoments) {
  Rng rng(2);
  const auto m = moments(200000, [&] { return rng.normal(98, 2.32); });
  EXPECT_NEAR(m.mean, 98, 0.03);
  EXPECT_NEAR(m.stddev, 2.32, 0.03);
}

TEST(Random, ExponentialMean) {
  Rng rng(3);
  const auto m = moments(200000, [&] { return rng.exponential(0.5); });
  EXPECT_NEAR(m.mean, 2.0, 0.03);
  EXPECT_TRUE(std::isinf(rng.exponential(0)));
}

TEST(Random, KeyedUniformIsAPureFunctionOfItsKey) {
  EXPECT_EQ(keyed_uniform(1, 2, 3), keyed_uniform(1, 2, 3));
  EXPECT_NE(keyed_uniform(1, 2, 3), keyed_uniform(1, 3, 2));
  const auto m = moments(100000, [i = 0]() mutable { return keyed_uniform(9, static_cast<std::uint64_t>(i++), 5); });
  EXPECT_NEAR(m.mean, 0.5, 0.01);
}

}  // namespace
}  // namespace vfo
