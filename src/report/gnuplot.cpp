#include "vfo/report/gnuplot.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/core.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include "vfo/util/start_process.hpp"

namespace vfo::report {

std::optional<std::filesystem::path> find_gnuplot() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string_view rest = path;
  while (true) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / "gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

namespace {

// The first line of the log that looks like an error, else its last non-empty line.
std::string log_summary(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line, last, error;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t^") == std::string::npos) continue;
    if (error.empty() && line.find("rror") != std::string::npos) error = line;
    last = line;
  }
  return error.empty() ? last : error;
}

}  // namespace

RenderResult run_gnuplot(const std::filesystem::path& gnuplot, const std::filesystem::path& script) {
  RenderResult result;
  const std::filesystem::path dir = script.parent_path().empty() ? "." : script.parent_path();
  std::filesystem::path log = script;
  log += ".log";
  const std::string program = gnuplot.string();
  // The log is opened before the child enters the script's folder: its path is relative to this process.
  const Started started = start_process({program, script.filename().string()},
                                        {.cwd = dir, .out = Stdio::file(log), .err = Stdio::same_as_stdout()});
  if (!started.ok()) {
    result.outcome = RenderResult::Outcome::kGnuplotFailed;
    result.message = "cannot run " + started.error;
    return result;
  }
  const pid_t pid = started.pid;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      result.outcome = RenderResult::Outcome::kGnuplotFailed;
      result.message = fmt::format("waiting for {}: {}", program, std::strerror(errno));
      return result;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    std::error_code ec;
    std::filesystem::remove(log, ec);
    return result;
  }
  result.outcome = RenderResult::Outcome::kGnuplotFailed;
  const std::string why =
      WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status)) : fmt::format("signal {}", WTERMSIG(status));
  const std::string line = log_summary(log);
  result.message = fmt::format("gnuplot {} failed ({}){}{} (see {})", script.string(), why, line.empty() ? "" : ": ",
                               line, log.string());
  return result;
}

RenderResult render_figure(const CsvTable& aggregate, const FigureSpec& spec, const std::filesystem::path& dir,
                           const std::optional<std::filesystem::path>& gnuplot) {
  const FigureFiles files = write_figure_script(aggregate, spec, dir);
  RenderResult result;
  if (!gnuplot) {
    result.outcome = RenderResult::Outcome::kGnuplotMissing;
    result.message = "gnuplot not found";
  } else {
    result = run_gnuplot(*gnuplot, files.gp);
  }
  result.files = files;
  return result;
}

}  // namespace vfo::report
