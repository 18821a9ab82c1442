// The machine's processes as /proc shows them, for tests that check what a run left behind.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace vfo::test {

// A process's state letter (R, S, T, Z, ...), parent and start time after boot in clock ticks (fields 3, 4 and
// 22), from /proc/<pid>/stat.
struct ProcessStat {
  char state = 0;
  pid_t parent = 0;
  unsigned long long start_ticks = 0;
};

// What a /proc stat file (a process's or one thread's) says, or nullopt when it has gone (or cannot be read).
inline std::optional<ProcessStat> stat_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::string line;
  if (!std::getline(file, line)) return std::nullopt;
  const auto close = line.rfind(')');  // the command name, in parentheses, may hold spaces
  if (close == std::string::npos || close + 2 >= line.size()) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  ProcessStat s;
  if (!(rest >> s.state >> s.parent)) return std::nullopt;
  std::string skipped;
  for (int field = 5; field < 22; ++field) rest >> skipped;  // pgrp ... nice, num_threads, itrealvalue
  if (!(rest >> s.start_ticks)) return std::nullopt;
  return s;
}

// What /proc says of `pid`, or nullopt when it has gone (or cannot be read).
inline std::optional<ProcessStat> process_stat(pid_t pid) {
  return stat_file("/proc/" + std::to_string(pid) + "/stat");
}

// Sends SIGSTOP to `pid` and returns once every one of its threads is stopped (false after 10 s, or when it
// has gone). kill() only starts a group stop: until the kernel has stopped each thread, a thread woken by a
// socket (a server's poller) may still answer, which a loaded machine makes likely.
inline bool stop_process(pid_t pid) {
  if (::kill(pid, SIGSTOP) != 0) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  while (std::chrono::steady_clock::now() < deadline) {
    bool all_stopped = true;
    std::error_code error;
    for (const auto& t : std::filesystem::directory_iterator(tasks, error)) {
      const auto s = stat_file(t.path() / "stat");
      if (s && s->state != 'T' && s->state != 't') all_stopped = false;
    }
    if (error) return false;
    if (all_stopped) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Whether `pid` runs: it exists and is not a zombie (one that ended and waits to be reaped).
inline bool runs(pid_t pid) {
  const auto s = process_stat(pid);
  return s && s->state != 'Z';
}

// The pids of every process /proc lists.
inline std::vector<pid_t> all_processes() {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
      out.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return out;
}

}  // namespace vfo::test
