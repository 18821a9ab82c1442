#include "vfo/runtime/node_usage.hpp"

#include <gtest/gtest.h>

namespace vfo::runtime {
namespace {

TEST(NodeUsage, CpuBusyShareBetweenTwoReadings) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const auto a = parse_cpu_times("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n");
  const auto b = parse_cpu_times("cpu  160 0 70 860 50 10 0 0 0 0\n");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->total, 1000u);
  EXPECT_EQ(a->busy, 150u);
  EXPECT_DOUBLE_EQ(cpu_busy_pct(*a, *b), 100.0 * 90 / 150);
  EXPECT_DOUBLE_EQ(cpu_busy_pct(*a, *a), 0.0);
  EXPECT_FALSE(parse_cpu_times("intr 5\n"));
  EXPECT_FALSE(parse_cpu_times(""));
}

TEST(NodeUsage, MemoryFromMeminfo) {
  const auto m = parse_meminfo("MemTotal:       4000 kB\nMemFree:  100 kB\nMemAvailable:   1000 kB\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->total_bytes, 4000u * 1024);
  EXPECT_EQ(m->available_bytes, 1000u * 1024);
  EXPECT_FALSE(parse_meminfo("MemTotal: 4000 kB\n"));
}

TEST(NodeUsage, ThisMachineCanBeRead) {
  const auto cpu = read_cpu_times();
  const auto mem = read_memory();
  ASSERT_TRUE(cpu && mem);
  EXPECT_GT(cpu->total, cpu->busy);
  EXPECT_GT(mem->total_bytes, mem->available_bytes);
}

}  // namespace
}  // namespace vfo::runtime
