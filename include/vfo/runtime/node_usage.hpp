#pragma once
// What an agent reports of its node: CPU busy share between two readings of /proc/stat, and RAM in use from
// /proc/meminfo (MemTotal - MemAvailable). The parsers take the files' text, so tests feed them.
#include <cstdint>
#include <optional>
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

}  // namespace vfo::runtime
