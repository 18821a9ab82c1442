#pragma once
// What an agent reports of its node: CPU busy share between two readings of /proc/stat, and RAM in use from
// /proc/meminfo (MemTotal - MemAvailable); or, when the agent runs in a cgroup (v2) with limits, the same
// relative to the cgroup's limits. The parsers take the files' text or a root folder, so tests feed them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfo::runtime {

struct CpuTimes {
  std::uint64_t busy = 0;   // jiffies not idle or iowait
  std::uint64_t total = 0;  // all jiffies
};
struct MemoryInfo {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;
};

std::optional<CpuTimes> parse_cpu_times(std::string_view proc_stat);  // its first ("cpu ") line
std::optional<MemoryInfo> parse_meminfo(std::string_view proc_meminfo);
// 100 x busy / total between the two readings; 0 when no time passed.
double cpu_busy_pct(const CpuTimes& before, const CpuTimes& after);

// The same from this machine's /proc; nullopt when it cannot be read.
std::optional<CpuTimes> read_cpu_times();
std::optional<MemoryInfo> read_memory();

// The agent's cgroup v2 folder: ROOT + the path of the "0::PATH" line of `proc_self_cgroup` (nullopt when
// there is none, as under cgroup v1).
std::optional<std::string> cgroup_dir(std::string_view proc_self_cgroup, const std::string& root = "/sys/fs/cgroup");
// Memory of the cgroup in `dir`: total = memory.max, available = memory.max - memory.current; nullopt when
// there is no limit ("max") or the files cannot be read.
std::optional<MemoryInfo> read_cgroup_memory(const std::string& dir);
// CPU of the cgroup in `dir` after `wall_usec` microseconds of wall time: busy = cpu.stat usage_usec and
// total = wall_usec x quota / period from cpu.max, so that cpu_busy_pct between two readings is the share
// of the cgroup's CPU limit used; nullopt when there is no limit ("max") or the files cannot be read.
std::optional<CpuTimes> read_cgroup_cpu(const std::string& dir, std::uint64_t wall_usec);

}  // namespace vfo::runtime
