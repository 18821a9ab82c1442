#pragma once
// A cgroup of one VF's own, holding its CPU and memory limits (a manifest's `cpus` and `memory_mb` for an exec
// VF). The agent makes it under its own cgroup, "vfo-<node>/<VF id>", before the VF's process starts; the
// process joins it before its exec (ChildSetup::cgroups) and so runs under the limits from its first
// instruction; the cgroup is removed once the process is gone.
//
// Both hierarchies: cgroup v2 (one folder; cpu.max and memory.max, with the cpu and memory controllers enabled
// in the agent's cgroup for its children) and cgroup v1 (a folder in the cpu hierarchy, cpu.cfs_quota_us, and
// one in the memory hierarchy, memory.limit_in_bytes). Making one needs the right to write there: root, or a
// delegated cgroup. Where that is missing, create() says so and the VF does not start: a limit the manifest
// asks for is never dropped silently.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vfo::runtime {

// Where a process's cgroups are, as folders of the mounted hierarchies.
struct CgroupPlaces {
  std::optional<std::filesystem::path> unified;  // cgroup v2
  std::optional<std::filesystem::path> cpu;      // cgroup v1, the hierarchy with the cpu controller
  std::optional<std::filesystem::path> memory;   // cgroup v1, the one with the memory controller
};

// From the texts of /proc/self/mountinfo and /proc/self/cgroup. A v1 hierarchy mounted at a cgroup other than
// its root (a container's) is taken into account.
CgroupPlaces cgroup_places(const std::string& mountinfo, const std::string& proc_cgroup);
// This process's.
CgroupPlaces own_cgroup_places();

class FunctionCgroup {
 public:
  // Makes `name` (a path of plain names, "vfo-node-1/c1_2") under `places` with the limits: `cpus` cores (> 0)
  // and/or `memory_bytes` (> 0). Throws std::runtime_error with one line (what could not be done, where, why).
  static std::unique_ptr<FunctionCgroup> create(const CgroupPlaces& places, const std::string& name, double cpus,
                                                std::uint64_t memory_bytes);
  ~FunctionCgroup();  // removes its folders (waits up to 1 s for a process that is still ending)
  FunctionCgroup(const FunctionCgroup&) = delete;
  FunctionCgroup& operator=(const FunctionCgroup&) = delete;

  // The cgroup.procs files the VF's process joins (one for v2, one per hierarchy for v1).
  const std::vector<std::filesystem::path>& procs_files() const { return procs_; }
  const std::vector<std::filesystem::path>& folders() const { return folders_; }

 private:
  FunctionCgroup() = default;
  std::vector<std::filesystem::path> folders_;
  std::vector<std::filesystem::path> procs_;
};

}  // namespace vfo::runtime
