#include "vfo/runtime/process_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <deque>
#include <unordered_map>
#include <unordered_set>

namespace vfo::runtime {
namespace {

// The whole (small) file at PATH by plain system calls: the governor reads many stat files per second, and
// /proc files report no size. nullopt when it cannot be opened or read.
std::optional<std::string> read_small_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// Splits TEXT at runs of spaces (and newlines) into FIELDS.
void split_spaces(std::string_view text, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
}

template <typename T>
bool parse_number(std::string_view text, T& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

bool is_pid_name(const char* name) {
  if (*name == '\0') return false;
  for (const char* c = name; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat_line(std::string_view line) {
  const std::size_t open = line.find('(');
  const std::size_t close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  ProcStat s;
  std::string_view pid_text = line.substr(0, open);
  while (!pid_text.empty() && pid_text.back() == ' ') pid_text.remove_suffix(1);
  if (!parse_number(pid_text, s.pid)) return std::nullopt;
  s.comm = std::string(line.substr(open + 1, close - open - 1));

  // After the last ')': field 3 (state) is index 0, so field N is index N - 3.
  std::vector<std::string_view> fields;
  split_spaces(line.substr(close + 1), fields);
  if (fields.size() < 22 || fields[0].size() != 1) return std::nullopt;
  s.state = fields[0][0];
  if (!parse_number(fields[1], s.ppid) || !parse_number(fields[11], s.utime_ticks) ||
      !parse_number(fields[12], s.stime_ticks) || !parse_number(fields[19], s.start_ticks) ||
      !parse_number(fields[21], s.rss_pages)) {
    return std::nullopt;
  }
  return s;
}

std::optional<std::uint64_t> parse_statm_resident_pages(std::string_view statm) {
  std::vector<std::string_view> fields;
  split_spaces(statm, fields);
  std::uint64_t pages = 0;
  if (fields.size() < 2 || !parse_number(fields[1], pages)) return std::nullopt;
  return pages;
}

std::vector<pid_t> descendants_in(pid_t root, const std::vector<std::pair<pid_t, pid_t>>& parents) {
  std::unordered_map<pid_t, std::vector<pid_t>> children;
  for (const auto& [pid, ppid] : parents) {
    if (pid != ppid) children[ppid].push_back(pid);
  }
  std::vector<pid_t> found;
  std::unordered_set<pid_t> seen{root};
  std::deque<pid_t> queue{root};
  while (!queue.empty()) {
    const pid_t parent = queue.front();
    queue.pop_front();
    const auto it = children.find(parent);
    if (it == children.end()) continue;
    for (const pid_t child : it->second) {
      if (!seen.insert(child).second) continue;
      found.push_back(child);
      queue.push_back(child);
    }
  }
  return found;
}

std::vector<std::pair<pid_t, pid_t>> read_process_parents(const std::string& proc) {
  std::vector<std::pair<pid_t, pid_t>> parents;
  DIR* dir = ::opendir(proc.c_str());
  if (dir == nullptr) return parents;
  while (const dirent* entry = ::readdir(dir)) {
    if (!is_pid_name(entry->d_name)) continue;
    const auto text = read_small_file(proc + "/" + entry->d_name + "/stat");
    if (!text) continue;  // it exited since readdir
    if (const auto stat = parse_proc_stat_line(*text)) parents.emplace_back(stat->pid, stat->ppid);
  }
  ::closedir(dir);
  return parents;
}

std::vector<pid_t> descendant_processes(pid_t root, const std::string& proc) {
  return descendants_in(root, read_process_parents(proc));
}

std::optional<ProcessUsage> read_process_usage(pid_t pid, const std::string& proc) {
  const auto text = read_small_file(proc + "/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  const auto stat = parse_proc_stat_line(*text);
  if (!stat || stat->pid != pid) return std::nullopt;
  static const double ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const std::uint64_t page_bytes = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  ProcessUsage usage;
  usage.cpu_seconds = static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_second;
  usage.rss_bytes = stat->rss_pages > 0 ? static_cast<std::uint64_t>(stat->rss_pages) * page_bytes : 0;
  usage.start_ticks = stat->start_ticks;
  usage.state = stat->state;
  return usage;
}

bool signal_same_process(pid_t pid, std::uint64_t start_ticks, int signal, const std::string& proc) {
  if (pid <= 1 || pid == ::getpid()) return false;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
  const long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) {
    const auto usage = read_process_usage(pid, proc);  // after pidfd_open: the pidfd names the process checked
    bool sent = false;
    if (usage && usage->start_ticks == start_ticks) {
      sent = ::syscall(SYS_pidfd_send_signal, static_cast<int>(fd), signal, nullptr, 0) == 0;
    }
    ::close(static_cast<int>(fd));
    return sent;
  }
  if (errno != ENOSYS && errno != EPERM) return false;  // ESRCH: it is gone; EINVAL: a thread's id, not a process's
#endif
  // Without pidfds: /proc/TID/stat reads as a process's, so a thread's id is told apart by its thread group.
  const auto status = read_small_file(proc + "/" + std::to_string(pid) + "/status");
  const std::size_t tgid = status ? status->find("\nTgid:") : std::string::npos;
  if (tgid == std::string::npos || std::strtol(status->c_str() + tgid + 6, nullptr, 10) != pid) return false;
  const auto usage = read_process_usage(pid, proc);
  return usage && usage->start_ticks == start_ticks && ::kill(pid, signal) == 0;
}

}  // namespace vfo::runtime
