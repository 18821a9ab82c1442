// The machine's processes as /proc shows them, for tests that check what a run left behind.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace vfo::test {

// A process's state letter (R, S, T, Z, ...) and parent, from /proc/<pid>/stat.
struct ProcessStat {
  char state = 0;
  pid_t parent = 0;
};

// What /proc says of `pid`, or nullopt when it has gone (or cannot be read).
inline std::optional<ProcessStat> process_stat(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(file, line)) return std::nullopt;
  const auto close = line.rfind(')');  // the command name, in parentheses, may hold spaces
  if (close == std::string::npos || close + 2 >= line.size()) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  ProcessStat s;
  if (!(rest >> s.state >> s.parent)) return std::nullopt;
  return s;
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
