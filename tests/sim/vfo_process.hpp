// Runs the `vfo` binary for an end-to-end test and gives back what it printed and its exit code.
//
// Its stderr goes to a file in the test process's scratch folder (support/scratch.hpp).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/processes.hpp"
#include "support/scratch.hpp"

namespace vfo::test {

struct Outcome {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr

  std::string all() const { return out + err; }
};

// The number of lines in TEXT (its newlines).
inline long line_count(const std::string& text) {
  return std::count(text.begin(), text.end(), '\n');
}

// Runs COMMAND through the shell and collects stdout and stderr apart.
inline Outcome run_shell(const std::string& command) {
  const std::filesystem::path err_file = scratch_dir() / "stderr.txt";
  const std::string redirected = command + " 2>" + err_file.string();
  Outcome o;
  FILE* pipe = popen(redirected.c_str(), "r");
  if (pipe == nullptr) return o;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) o.out += buffer;
  const int status = pclose(pipe);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.err = slurp(err_file);
  return o;
}

// Runs `ENVIRONMENT vfo ARGS` (through the shell: ENVIRONMENT as NAME=VALUE words, may be empty) and collects
// stdout and stderr apart.
inline Outcome run_vfo_in(const std::string& environment, const std::string& args) {
  return run_shell(environment + " " + std::string(VFO_BINARY) + " " + args);
}

// Runs `vfo ARGS` (ARGS go through the shell).
inline Outcome run_vfo(const std::string& args) {
  return run_vfo_in("", args);
}

// Runs `vfo ARGS` as run_vfo does, with VFO_RUN_MARK=MARK in its environment: every process it starts, and
// every process those start, inherit it (see processes_marked).
inline Outcome run_vfo_marked(const std::string& mark, const std::string& args) {
  return run_vfo_in("VFO_RUN_MARK=" + mark, args);
}

// The pids of the processes still running (zombies excepted) whose environment holds VFO_RUN_MARK=MARK.
inline std::vector<int> processes_marked(const std::string& mark) {
  const std::string needle = "VFO_RUN_MARK=" + mark;
  std::vector<int> found;
  for (const pid_t pid : all_processes()) {
    if (!runs(pid)) continue;
    const std::string environ = slurp("/proc/" + std::to_string(pid) + "/environ");  // NUL-separated
    for (std::size_t at = 0, end = 0; at < environ.size(); at = end + 1) {
      end = std::min(environ.find('\0', at), environ.size());
      if (environ.compare(at, end - at, needle) == 0) {
        found.push_back(pid);
        break;
      }
    }
  }
  return found;
}

// The processes marked MARK (see processes_marked) that still run after up to `patience`: what a run started
// dies with it, which a loaded machine may take a moment to deliver.
inline std::vector<int> processes_marked_after(const std::string& mark,
                                               std::chrono::seconds patience = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  std::vector<int> left = processes_marked(mark);
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = processes_marked(mark);
  }
  return left;
}

// Starts `vfo ARGS...` as a child of this process, with VFO_RUN_MARK=MARK and its output in /dev/null; its pid.
// Not through a shell, whose background jobs ignore SIGINT: a SIGINT sent to it is a Ctrl-C.
inline pid_t start_vfo_marked(const std::string& mark, const std::vector<std::string>& args) {
  std::vector<std::string> all = {VFO_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string mark_variable = "VFO_RUN_MARK=" + mark;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::putenv(const_cast<char*>(mark_variable.c_str()));
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execv(VFO_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for `pid` (a child of this process): the signal that ended it, or 0 when it exited by itself.
inline int ending_signal(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

}  // namespace vfo::test
