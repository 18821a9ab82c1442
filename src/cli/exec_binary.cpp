#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "vfo/util/start_process.hpp"

namespace vfo::cli {

std::filesystem::path sibling_binary(const std::string& name) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw CommandFailed("cannot find the running binary (/proc/self/exe): " + ec.message());
  return self.parent_path() / name;
}

void exec_binary(const std::filesystem::path& binary, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {binary.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string error = replace_process(argv);
  throw CommandFailed("cannot run " + error + " (it is built with vfo: cmake --build build --target " +
                      binary.filename().string() + ")");
}

}  // namespace vfo::cli
