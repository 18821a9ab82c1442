#include "cli/process_pool.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "vfo/util/start_process.hpp"

namespace vfo::cli {

namespace {

constexpr auto kPoll = std::chrono::milliseconds(10);

// Starts `spec`; returns its pid, or -1 and sets `error`.
pid_t spawn(const ProcessSpec& spec, std::string& error) {
  const auto output = [](const std::filesystem::path& path) {
    return path.empty() ? Stdio::null() : Stdio::file(path);
  };
  const Started started = start_process(
      spec.argv,
      {.cwd = spec.cwd, .out = output(spec.stdout_path), .err = output(spec.stderr_path), .die_with_parent = true});
  error = started.error;
  return started.pid;
}

ProcessOutcome outcome_of(int status) {
  ProcessOutcome outcome;
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

// Waits for `pid`; with `block` false, returns false at once if it is still running.
bool reap(pid_t pid, bool block, ProcessOutcome& outcome) {
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
    if (r == pid) {
      outcome = outcome_of(status);
      return true;
    }
    if (r == 0) return false;
    if (errno == EINTR) continue;
    outcome = ProcessOutcome{};
    outcome.spawn_error = fmt::format("lost track of process {}: {}", pid, std::strerror(errno));
    return true;
  }
}

}  // namespace

std::string ProcessOutcome::describe() const {
  if (!spawn_error.empty()) return "could not start: " + spawn_error;
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit code {}", exit_code);
}

ProcessPool::ProcessPool(std::size_t jobs, std::chrono::milliseconds tick)
    : jobs_(std::max<std::size_t>(jobs, 1)), tick_(tick) {}

bool ProcessPool::run(const std::vector<ProcessSpec>& specs, const OnFinish& on_finish, const OnTick& on_tick) {
  std::vector<std::pair<pid_t, std::size_t>> running;  // pid, index
  auto stop_all = [&running] {
    for (const auto& [pid, index] : running) ::kill(pid, SIGTERM);
    for (const auto& [pid, index] : running) {
      ProcessOutcome ignored;
      reap(pid, true, ignored);
    }
    running.clear();
  };

  std::size_t next = 0;
  bool stopped = false;
  auto last_tick = std::chrono::steady_clock::now();
  try {
    while (!stopped && (next < specs.size() || !running.empty())) {
      while (!stopped && running.size() < jobs_ && next < specs.size()) {
        const std::size_t index = next++;
        std::string error;
        const pid_t pid = spawn(specs[index], error);
        if (pid < 0) {
          ProcessOutcome outcome;
          outcome.spawn_error = error;
          stopped = !on_finish(index, outcome);
        } else {
          running.emplace_back(pid, index);
        }
      }
      bool any_ended = false;
      for (std::size_t i = 0; i < running.size() && !stopped;) {
        ProcessOutcome outcome;
        if (!reap(running[i].first, false, outcome)) {
          ++i;
          continue;
        }
        const std::size_t index = running[i].second;
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
        any_ended = true;
        stopped = !on_finish(index, outcome);
      }
      const auto now = std::chrono::steady_clock::now();
      if (on_tick && now - last_tick >= tick_) {
        last_tick = now;
        on_tick();
      }
      if (!any_ended && !running.empty() && !stopped) std::this_thread::sleep_for(kPoll);
    }
  } catch (...) {
    stop_all();
    throw;
  }
  stop_all();
  return !stopped;
}

ProcessOutcome run_process(const ProcessSpec& spec) {
  std::string error;
  const pid_t pid = spawn(spec, error);
  ProcessOutcome outcome;
  if (pid < 0) {
    outcome.spawn_error = error;
    return outcome;
  }
  reap(pid, true, outcome);
  return outcome;
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) out += ' ';
    const std::string& arg = argv[i];
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=:,+@%", c) != nullptr;
    });
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

}  // namespace vfo::cli
