#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace vfo::cli {

std::filesystem::path sibling_binary(const std::string& name) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw CommandFailed("cannot find the running binary (/proc/self/exe): " + ec.message());
  return self.parent_path() / name;
}

void exec_binary(const std::filesystem::path& binary, const std::vector<std::string>& args) {
  std::vector<std::string> all = {binary.string()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  throw CommandFailed(binary.string() + ": cannot run it (" + std::strerror(errno) +
                      "; it is built with vfo: cmake --build build --target " + binary.filename().string() + ")");
}

}  // namespace vfo::cli
