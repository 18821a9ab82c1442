#include "vfo/util/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "vfo/util/input_error.hpp"
#include "vfo/util/text.hpp"

namespace vfo {

std::string read_input_file(const std::filesystem::path& path, std::string_view expected) {
  const auto cannot_read = [&] {
    throw InputError(one_line(path.string() + ": cannot read file (expected " + std::string(expected) + ")"));
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) cannot_read();
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) cannot_read();
  std::string text;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) text.reserve(size);
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, got);
  if (std::ferror(file.get())) cannot_read();
  return text;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error(path.string() + ": cannot write (" + ec.message() + ")");
}

void write_private_file(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);  // a leftover of a failed write: O_EXCL below must create the file anew
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::runtime_error(tmp.string() + ": cannot create (" + std::strerror(errno) + ")");
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error(tmp.string() + ": cannot write (" + why + ")");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw std::runtime_error(tmp.string() + ": cannot write (" + std::strerror(errno) + ")");
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error(path.string() + ": cannot write (" + ec.message() + ")");
}

}  // namespace vfo
