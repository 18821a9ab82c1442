#pragma once
// A child process spoken to by lines on its stdin and stdout (how an agent drives its function hosts, and
// how tests drive the runtime's binaries). Not thread-safe.
//
// Dying with the parent: when the parent dies, the child's stdin reaches its end; vfo-function exits then,
// so killing an agent kills its VFs. `kill_with_parent_thread` adds PR_SET_PDEATHSIG(SIGKILL), for children
// that do not read their stdin; Linux sends it when the *thread* that started the child ends, so use it only
// from a thread that lives as long as the child should (never from a server's worker thread; see
// StartOptions::die_with_parent in vfo/util/start_process.hpp, which starts every child).
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace vfo::runtime {

// Where and how a child runs besides its arguments (StartOptions' fields of the same names).
struct ChildSetup {
  std::filesystem::path cwd;                   // empty: this process's
  std::vector<std::string> env;                // "NAME=VALUE" on top of this process's environment
  std::vector<std::filesystem::path> cgroups;  // cgroup.procs files it joins before its exec
};

class ChildProcess {
 public:
  // Starts `path` with `args` (argv[1...]); its stderr is appended to `stderr_path` (empty: inherited). Throws
  // std::runtime_error ("cannot run PATH: reason") if it cannot be started: a program missing or not
  // executable, a stderr file that cannot be opened, a working directory or cgroup it cannot enter.
  ChildProcess(const std::string& path, const std::vector<std::string>& args, const std::string& stderr_path = "",
               bool kill_with_parent_thread = false, const ChildSetup& setup = {});
  ~ChildProcess();  // kills (SIGKILL) and reaps it if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Writes `line` and a newline to its stdin; false if it has closed it (it exited).
  bool write_line(const std::string& line);
  // The next line it writes on stdout, without the newline; nullopt after `timeout` or at its end of output.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Sends `signal`; then wait() reaps it.
  void kill(int signal);
  // Waits for it to end; its exit code, or 128 + the signal that ended it. Idempotent.
  int wait();
  // Whether it has ended (then reaped, and wait() returns at once); does not block.
  bool exited();

 private:
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

// Starts child processes that die with this process however it ends (a SIGKILL included), stopped or not:
// each gets PR_SET_PDEATHSIG(SIGKILL) from a thread of the launcher's own, which lives as long as the launcher
// does, so it does not matter which thread asks (a server's worker threads come and go). Thread-safe.
class ProcessLauncher {
 public:
  ProcessLauncher();
  ~ProcessLauncher();  // the children it started and that still run are killed then
  ProcessLauncher(const ProcessLauncher&) = delete;
  ProcessLauncher& operator=(const ProcessLauncher&) = delete;

  // As ChildProcess's constructor (it throws what that throws), started from the launcher's thread.
  std::unique_ptr<ChildProcess> start(const std::string& path, const std::vector<std::string>& args,
                                      const std::string& stderr_path = "", const ChildSetup& setup = {});

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the rest is ready
};

// Starts `path` with `args` as a daemon: in a session of its own (it outlives its parent), stdin from
// /dev/null, stdout and stderr appended to the given files. Returns its pid; throws std::runtime_error as
// ChildProcess's constructor does when it cannot be started.
pid_t spawn_daemon(const std::string& path, const std::vector<std::string>& args, const std::string& stdout_path,
                   const std::string& stderr_path);

}  // namespace vfo::runtime
