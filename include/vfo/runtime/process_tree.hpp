#pragma once
// Processes as /proc shows them: a process's parent, CPU time and resident memory, and the tree of processes
// below one (an agent's function hosts and stress workers, with everything they start). The parsers take the
// files' text, so tests feed them; the readers take the /proc root (default "/proc"), so tests may point them at
// a folder of their own. All functions are pure or read files only: thread-safe.
//
// Races are normal: a process may exit between listing /proc and reading its files; it is then left out
// (readers return nullopt), never an error.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vfo::runtime {

// The fields of /proc/<pid>/stat that vfo uses (proc(5) numbers them 1, 2, 3, 4, 14, 15, 22, 24).
struct ProcStat {
  pid_t pid = 0;
  std::string comm;  // without the parentheses; may hold spaces and parentheses
  char state = '?';  // R, S, D, Z, T, ...
  pid_t ppid = 0;
  std::uint64_t utime_ticks = 0;  // user CPU time of all its threads, in clock ticks (sysconf(_SC_CLK_TCK))
  std::uint64_t stime_ticks = 0;  // system CPU time, likewise
  std::uint64_t start_ticks =
      0;                       // start time after boot, in clock ticks: with pid, names one process (pids are reused)
  std::int64_t rss_pages = 0;  // resident set size, in pages
};

// Parses one /proc/<pid>/stat line. The comm field is what lies between the first '(' and the LAST ')', so a
// comm such as "a) (b" parses; the other fields are read after that last ')'. nullopt on malformed text.
std::optional<ProcStat> parse_proc_stat_line(std::string_view line);

// The resident pages (second field) of a /proc/<pid>/statm text; nullopt on malformed text.
std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view statm);

// Every descendant of ROOT (children, grandchildren, ...) in PARENTS, a list of (pid, ppid) pairs in any
// order; ROOT itself is not included. Breadth-first: children before grandchildren. Cycles (impossible in
// /proc, possible in a test's list) are followed once.
std::vector<pid_t> descendants_in(pid_t root, const std::vector<std::pair<pid_t, pid_t>>& parents);

// The (pid, ppid) of every process in PROC (the numeric folders with a readable stat file).
std::vector<std::pair<pid_t, pid_t>> read_process_parents(const std::string& proc = "/proc");

// Every live descendant of ROOT now (see descendants_in); empty when ROOT has none or does not exist. A
// process whose parent died is re-parented (to init or a subreaper) and is then no longer a descendant.
// Costs one read of every process's stat file.
std::vector<pid_t> descendant_processes(pid_t root, const std::string& proc = "/proc");

// What one process has used so far.
struct ProcessUsage {
  double cpu_seconds = 0;         // (utime + stime) / clock ticks per second: all its threads, not its children
  std::uint64_t rss_bytes = 0;    // resident set size x page size
  std::uint64_t start_ticks = 0;  // as ProcStat::start_ticks, to tell a reused pid from the process seen before
  char state = '?';
};

// The usage of PID from PROC/<pid>/stat; nullopt when the process does not exist (any more) or the file is
// malformed.
std::optional<ProcessUsage> read_process_usage(pid_t pid, const std::string& proc = "/proc");

// Sends SIGNAL to PID if it is still the process that started at START_TICKS (ProcStat::start_ticks); true if
// sent. A pid alone names whatever process has it now: once a process has ended, the system gives its pid to a
// later one (a thread's id names its whole process to kill(2), too). With a pidfd (Linux >= 5.3) no window is
// left between the check and the signal in which the pid could pass to another process. Never signals pid 0,
// 1, a negative pid (a process group) or the caller itself.
bool signal_same_process(pid_t pid, std::uint64_t start_ticks, int signal, const std::string& proc = "/proc");

}  // namespace vfo::runtime
