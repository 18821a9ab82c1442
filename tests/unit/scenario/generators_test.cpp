#include "vfo/scenario/generators.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "vfo/model/units.hpp"

namespace vfo {
namespace {

TEST(Generators, TopologyFollowsTable2) {
  EnvironmentSpec spec;
  spec.nodes = 20000;
  Rng rng(11);
  const Topology t = generate_topology(spec, rng);
  ASSERT_EQ(t.nodes.size(), 20000u);
  double speed = 0, speed2 = 0, bw = 0, bw2 = 0;
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    EXPECT_EQ(t.nodes[i].id.value, i);
    const double s = t.nodes[i].capacity.cpu_ips;
    const double w = units::bytes_per_second_to_mbps(t.nodes[i].uplink.bandwidth_bps);
    speed += s;
    speed2 += s * s;
    bw += w;
    bw2 += w * w;
  }
  const double n = static_cast<double>(t.nodes.size());
  EXPECT_NEAR(speed / n, 1e5, 30);
  EXPECT_NEAR(std::sqrt(speed2 / n - (speed / n) * (speed / n)), 1e3, 30);
  EXPECT_NEAR(bw / n, 98, 0.07);
  EXPECT_NEAR(std::sqrt(bw2 / n - (bw / n) * (bw / n)), 2.32, 0.07);
}

TEST(Generators, ChainsFollowTable3) {
  ChainSpec spec;
  Rng rng(12);
  double length = 0, load = 0, out = 0, out2 = 0;
  int functions = 0, ones = 0;
  const int chains = 20000;
  for (int c = 0; c < chains; ++c) {
    const Chain chain = generate_chain(ChainId(c), spec, rng);
    ASSERT_GE(chain.functions.size(), 1u);
    ones += chain.functions.size() == 1;
    length += static_cast<double>(chain.functions.size());
    for (const auto& f : chain.functions) {
      ++functions;
      load += f.load_ipf;
      out += f.output_bytes_per_frame;
      out2 += f.output_bytes_per_frame * f.output_bytes_per_frame;
    }
  }
  // n = max(1, floor(N(8, 4))): E[n] = 7.587 (by 2e6 draws in Python); P(n = 1) = P(N(8, 4) < 2) = 0.0668.
  EXPECT_NEAR(length / chains, 7.587, 0.08);
  EXPECT_NEAR(static_cast<double>(ones) / chains, 0.0668, 0.006);
  EXPECT_NEAR(load / functions, 1e4, 20);
  const double mean_out = out / functions;
  EXPECT_NEAR(mean_out, 1e5, 200);
  EXPECT_NEAR(std::sqrt(out2 / functions - mean_out * mean_out), 1e4, 200);
}

TEST(Generators, ClampsAtTheMinimum) {
  Rng rng(1);
  NormalSpec spec{0, 10, 5};
  for (int i = 0; i < 1000; ++i) EXPECT_GE(draw(spec, rng), 5);
}

TEST(Generators, SameSeedSameEnvironment) {
  EnvironmentSpec spec;
  Rng a(5), b(5);
  const auto ta = generate_topology(spec, a);
  const auto tb = generate_topology(spec, b);
  for (std::size_t i = 0; i < ta.nodes.size(); ++i) {
    EXPECT_EQ(ta.nodes[i].capacity.cpu_ips, tb.nodes[i].capacity.cpu_ips);
    EXPECT_EQ(ta.nodes[i].uplink.bandwidth_bps, tb.nodes[i].uplink.bandwidth_bps);
  }
}

}  // namespace
}  // namespace vfo
