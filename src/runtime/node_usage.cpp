#include "vfo/runtime/node_usage.hpp"

#include <exception>
#include <fstream>
#include <sstream>
#include <string>

namespace vfo::runtime {
namespace {

std::optional<std::string> slurp(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<CpuTimes> parse_cpu_times(std::string_view proc_stat) {
  const std::string line(proc_stat.substr(0, proc_stat.find('\n')));
  std::istringstream in(line);
  std::string label;
  in >> label;
  if (label != "cpu") return std::nullopt;
  CpuTimes t;
  std::uint64_t value = 0;
  // user nice system idle iowait irq softirq steal; guest and guest_nice (fields 8, 9) are already counted
  // in user and nice.
  for (int field = 0; field < 8 && in >> value; ++field) {
    t.total += value;
    if (field != 3 && field != 4) t.busy += value;  // not idle, not iowait
  }
  if (t.total == 0) return std::nullopt;
  return t;
}

std::optional<MemoryInfo> parse_meminfo(std::string_view proc_meminfo) {
  std::istringstream in{std::string(proc_meminfo)};
  std::string key, unit;
  std::uint64_t value = 0;
  MemoryInfo m;
  bool total = false, available = false;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemTotal:") {
      m.total_bytes = value * 1024;
      total = true;
    } else if (key == "MemAvailable:") {
      m.available_bytes = value * 1024;
      available = true;
    }
  }
  if (!total || !available || m.total_bytes == 0) return std::nullopt;
  return m;
}

double cpu_busy_pct(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total) return 0;
  const double busy = static_cast<double>(after.busy - before.busy);
  return 100.0 * busy / static_cast<double>(after.total - before.total);
}

std::optional<std::string> cgroup_dir(std::string_view proc_self_cgroup, const std::string& root) {
  std::istringstream in{std::string(proc_self_cgroup)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return root + line.substr(3);
  }
  return std::nullopt;
}

std::optional<MemoryInfo> read_cgroup_memory(const std::string& dir) {
  const auto max = slurp((dir + "/memory.max").c_str());
  const auto current = slurp((dir + "/memory.current").c_str());
  if (!max || !current || max->rfind("max", 0) == 0) return std::nullopt;
  try {
    const std::uint64_t limit = std::stoull(*max);
    const std::uint64_t used = std::stoull(*current);
    if (limit == 0) return std::nullopt;
    return MemoryInfo{limit, limit > used ? limit - used : 0};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<CpuTimes> read_cgroup_cpu(const std::string& dir, std::uint64_t wall_usec) {
  const auto max = slurp((dir + "/cpu.max").c_str());
  const auto stat = slurp((dir + "/cpu.stat").c_str());
  if (!max || !stat || max->rfind("max", 0) == 0) return std::nullopt;
  std::istringstream limits(*max);
  double quota = 0, period = 0;
  if (!(limits >> quota >> period) || quota <= 0 || period <= 0) return std::nullopt;
  std::istringstream in(*stat);
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "usage_usec") {
      return CpuTimes{value, static_cast<std::uint64_t>(static_cast<double>(wall_usec) * quota / period)};
    }
  }
  return std::nullopt;
}

std::optional<CpuTimes> read_cpu_times() {
  const auto text = slurp("/proc/stat");
  return text ? parse_cpu_times(*text) : std::nullopt;
}

std::optional<MemoryInfo> read_memory() {
  const auto text = slurp("/proc/meminfo");
  return text ? parse_meminfo(*text) : std::nullopt;
}

}  // namespace vfo::runtime
