#pragma once
// A small disk of this process's own, for faults of a full disk: a tmpfs of a set size mounted in a mount
// namespace that only this process and the children it starts from then on see (it goes with the last of
// them), so nothing of it outlives the command, whatever ends it. Needs root (CAP_SYS_ADMIN), and must be made
// while the process has one thread (unshare(CLONE_NEWNS) refuses a process with more).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace vfo::cli {

class SmallDisk {
 public:
  // Why a SmallDisk cannot be made here (not root), or nullopt.
  static std::optional<std::string> unavailable_reason();

  // Mounts a tmpfs of `bytes` at `mountpoint` (created, emptied). Throws std::runtime_error naming the step
  // that failed.
  SmallDisk(std::filesystem::path mountpoint, std::uint64_t bytes);
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  const std::filesystem::path& path() const { return mountpoint_; }
  // Fills what is free of it with a file of zeros until a write finds no space (ENOSPC); its bytes.
  std::uint64_t fill();
  // Removes the file fill() made: the space is free again.
  void free_space();

 private:
  std::filesystem::path mountpoint_;
};

}  // namespace vfo::cli
