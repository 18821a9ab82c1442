#include "vfo/runtime/node_usage.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/scratch.hpp"

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

TEST(NodeUsage, CgroupLimitsWhenTheAgentHasThem) {
  EXPECT_EQ(cgroup_dir("12:cpu:/x\n0::/system.slice/agent.service\n", "/root"), "/root/system.slice/agent.service");
  EXPECT_FALSE(cgroup_dir("12:cpu:/x\n"));  // cgroup v1 only
  const auto dir = test::fresh_dir("cgroup");
  std::filesystem::create_directories(dir);
  test::write_file("cgroup/memory.max", "1000000\n");
  test::write_file("cgroup/memory.current", "250000\n");
  test::write_file("cgroup/cpu.max", "50000 100000\n");  // half a CPU
  test::write_file("cgroup/cpu.stat", "usage_usec 300000\nuser_usec 200000\n");
  const auto memory = read_cgroup_memory(dir.string());
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->total_bytes, 1000000u);
  EXPECT_EQ(memory->available_bytes, 750000u);
  const auto a = read_cgroup_cpu(dir.string(), 1'000'000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->busy, 300000u);
  EXPECT_EQ(a->total, 500000u);
  test::write_file("cgroup/cpu.stat", "usage_usec 550000\n");
  const auto b = read_cgroup_cpu(dir.string(), 2'000'000);  // 0.25 s of CPU in 1 s, of a 0.5 CPU limit
  ASSERT_TRUE(b);
  EXPECT_DOUBLE_EQ(cpu_busy_pct(*a, *b), 50.0);
  test::write_file("cgroup/memory.max", "max\n");
  test::write_file("cgroup/cpu.max", "max 100000\n");
  EXPECT_FALSE(read_cgroup_memory(dir.string()));  // no limit: the node's /proc figures apply
  EXPECT_FALSE(read_cgroup_cpu(dir.string(), 1));
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
