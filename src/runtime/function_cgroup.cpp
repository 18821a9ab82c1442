#include "vfo/runtime/function_cgroup.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace vfo::runtime {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, separator)) out.push_back(item);
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `path` (a cgroup path, "/a/b") as a folder of the hierarchy mounted at `mount_point` from its cgroup
// `mount_root`; nullopt when the path is not inside the mounted part.
std::optional<fs::path> folder_of(const std::string& mount_point, const std::string& mount_root,
                                  const std::string& path) {
  if (mount_root == "/") return fs::path(mount_point) / fs::path(path).relative_path();
  if (path != mount_root && path.rfind(mount_root + "/", 0) != 0) return std::nullopt;
  return fs::path(mount_point) / fs::path(path.substr(mount_root.size())).relative_path();
}

// Writes `value` to the control file `file`; throws what could not be done.
void write_control(const fs::path& file, const std::string& value, const std::string& what) {
  std::ofstream out(file);
  out << value;
  out.flush();
  if (!out) {
    throw std::runtime_error(fmt::format("cgroup: cannot set {} ({} to {}): {}", what, value, file.string(),
                                         errno != 0 ? std::strerror(errno) : "write failed"));
  }
}

void make_folder(const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    throw std::runtime_error(fmt::format("cgroup: cannot make {}: {} (limits need root or a delegated cgroup)",
                                         folder.string(), error.message()));
  }
}

}  // namespace

CgroupPlaces cgroup_places(const std::string& mountinfo, const std::string& proc_cgroup) {
  // /proc/self/cgroup: "ID:CONTROLLERS:PATH"; v2 is "0::PATH".
  std::optional<std::string> unified_path, cpu_path, memory_path;
  for (const std::string& line : split(proc_cgroup, '\n')) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (controllers.empty()) unified_path = path;
    for (const std::string& c : split(controllers, ',')) {
      if (c == "cpu") cpu_path = path;
      if (c == "memory") memory_path = path;
    }
  }
  // /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS ... - FSTYPE SOURCE SUPER_OPTIONS".
  CgroupPlaces places;
  for (const std::string& line : split(mountinfo, '\n')) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    const std::vector<std::string> before = split(line.substr(0, dash), ' ');
    const std::vector<std::string> after = split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    const std::string& root = before[3];
    const std::string& mount_point = before[4];
    if (after[0] == "cgroup2" && unified_path && !places.unified) {
      places.unified = folder_of(mount_point, root, *unified_path);
    } else if (after[0] == "cgroup") {
      for (const std::string& option : split(after[2], ',')) {
        if (option == "cpu" && cpu_path && !places.cpu) places.cpu = folder_of(mount_point, root, *cpu_path);
        if (option == "memory" && memory_path && !places.memory) {
          places.memory = folder_of(mount_point, root, *memory_path);
        }
      }
    }
  }
  return places;
}

CgroupPlaces own_cgroup_places() {
  return cgroup_places(slurp("/proc/self/mountinfo"), slurp("/proc/self/cgroup"));
}

std::unique_ptr<FunctionCgroup> FunctionCgroup::create(const CgroupPlaces& places, const std::string& name, double cpus,
                                                       std::uint64_t memory_bytes) {
  std::unique_ptr<FunctionCgroup> group(new FunctionCgroup());
  constexpr long kPeriodUs = 100'000;
  const long quota_us = cpus > 0 ? std::max(1000L, std::lround(cpus * kPeriodUs)) : 0;
  const bool v1 = (cpus <= 0 || places.cpu) && (memory_bytes == 0 || places.memory);
  if (v1 && (places.cpu || places.memory)) {
    if (cpus > 0) {
      const fs::path folder = *places.cpu / name;
      make_folder(folder);
      group->folders_.push_back(folder);
      group->procs_.push_back(folder / "cgroup.procs");
      write_control(folder / "cpu.cfs_period_us", std::to_string(kPeriodUs), "the CPU period");
      write_control(folder / "cpu.cfs_quota_us", std::to_string(quota_us), "the CPU limit");
    }
    if (memory_bytes > 0) {
      const fs::path folder = *places.memory / name;
      make_folder(folder);
      group->folders_.push_back(folder);
      group->procs_.push_back(folder / "cgroup.procs");
      write_control(folder / "memory.limit_in_bytes", std::to_string(memory_bytes), "the memory limit");
    }
    return group;
  }
  if (!places.unified) {
    throw std::runtime_error(
        "cgroup: no cgroup hierarchy with the cpu and memory controllers is mounted here (limits cannot be set)");
  }
  // v2: the controllers must be enabled for the children of every folder from the agent's cgroup down.
  fs::path folder = *places.unified;
  for (const auto& part : fs::path(name)) {
    write_control(folder / "cgroup.subtree_control",
                  std::string(cpus > 0 ? "+cpu " : "") + (memory_bytes > 0 ? "+memory" : ""),
                  "the controllers of " + folder.string() + "'s children");
    folder /= part;
    make_folder(folder);
  }
  group->folders_.push_back(folder);
  group->procs_.push_back(folder / "cgroup.procs");
  if (cpus > 0) write_control(folder / "cpu.max", fmt::format("{} {}", quota_us, kPeriodUs), "the CPU limit");
  if (memory_bytes > 0) write_control(folder / "memory.max", std::to_string(memory_bytes), "the memory limit");
  return group;
}

FunctionCgroup::~FunctionCgroup() {
  for (const fs::path& folder : folders_) {
    // A process that was just killed leaves its cgroup a moment later: rmdir answers EBUSY until then.
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::error_code error;
      fs::remove(folder, error);
      if (!error || error == std::errc::no_such_file_or_directory) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

}  // namespace vfo::runtime
