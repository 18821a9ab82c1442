#include "cli/small_disk.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace vfo::cli {
namespace {

constexpr const char* kFiller = ".filler";

std::runtime_error failure(const std::string& step) {
  return std::runtime_error(step + ": " + std::strerror(errno));
}

}  // namespace

std::optional<std::string> SmallDisk::unavailable_reason() {
  if (::geteuid() != 0) return "a tmpfs in a mount namespace of its own needs root";
  return std::nullopt;
}

SmallDisk::SmallDisk(std::filesystem::path mountpoint, std::uint64_t bytes) : mountpoint_(std::move(mountpoint)) {
  if (::unshare(CLONE_NEWNS) != 0) throw failure("unshare(CLONE_NEWNS)");
  // Mounts made here from now on stay here (the host's / is often shared, which would pass them on).
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) throw failure("mount --make-rprivate /");
  std::filesystem::remove_all(mountpoint_);
  std::filesystem::create_directories(mountpoint_);
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
  if (::mount("tmpfs", mountpoint_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    throw failure("mount tmpfs on " + mountpoint_.string());
  }
}

std::uint64_t SmallDisk::fill() {
  const std::string file = (mountpoint_ / kFiller).string();
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw failure("open " + file);
  const std::vector<char> block(1 << 16, 0);
  std::uint64_t written = 0;
  for (;;) {
    const ssize_t n = ::write(fd, block.data(), block.size());
    if (n > 0) {
      written += static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // ENOSPC (or a short write at the end: the next one says ENOSPC)
  }
  ::close(fd);
  return written;
}

void SmallDisk::free_space() {
  std::filesystem::remove(mountpoint_ / kFiller);
}

}  // namespace vfo::cli
