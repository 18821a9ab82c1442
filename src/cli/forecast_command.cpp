#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace vfo::cli {
namespace {

// The vfo-forecast binary in the folder of the running vfo binary.
std::filesystem::path forecast_binary() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw CommandFailed("cannot find the running binary (/proc/self/exe): " + ec.message());
  return self.parent_path() / "vfo-forecast";
}

}  // namespace

void add_forecast_command(CLI::App& app) {
  CLI::App* forecast = app.add_subcommand("forecast",
                                          "Train and evaluate the overload forecaster on usage traces "
                                          "(vfo forecast --help)");
  forecast->prefix_command();  // everything after `forecast` goes to vfo-forecast as is
  forecast->set_help_flag();   // including --help
  forecast->callback([forecast] {
    const std::filesystem::path binary = forecast_binary();
    std::vector<std::string> args = {binary.string()};
    for (const std::string& a : forecast->remaining()) args.push_back(a);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    throw CommandFailed(binary.string() + ": cannot run it (" + std::strerror(errno) +
                        "; it is built with vfo: cmake --build build --target vfo-forecast)");
  });
}

}  // namespace vfo::cli
