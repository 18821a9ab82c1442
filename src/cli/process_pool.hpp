#pragma once
// Runs child processes, at most N at a time (the runs of `vfo sweep`). Single-threaded: everything happens in
// the calling thread, which polls its own children by pid (it never reaps a child it did not start). The
// children die with that thread however it ends (PR_SET_PDEATHSIG): a sweep killed leaves no run behind.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace vfo::cli {

struct ProcessSpec {
  std::vector<std::string> argv;      // argv[0] is the program: a path, not searched on $PATH
  std::filesystem::path stdout_path;  // created or truncated; empty: /dev/null
  std::filesystem::path stderr_path;  // created or truncated; empty: /dev/null
  std::filesystem::path cwd;          // empty: this process's working directory
};

struct ProcessOutcome {
  int exit_code = -1;       // when the process exited; -1 otherwise
  int signal = 0;           // the signal that ended it, if one did
  std::string spawn_error;  // why it could not be started (then exit_code is -1 and signal 0)

  bool ok() const { return exit_code == 0; }
  // "exit code 3", "killed by signal 9 (Killed)", "could not start: ...".
  std::string describe() const;
};

class ProcessPool {
 public:
  // Called when process `index` (into the specs) has ended. Return false to stop the pool: no further process
  // is started and the running ones are sent SIGTERM and reaped. An exception does the same, then propagates.
  using OnFinish = std::function<bool(std::size_t index, const ProcessOutcome& outcome)>;
  // Called about every `tick` while processes run (for progress displays).
  using OnTick = std::function<void()>;

  // `jobs` >= 1: the most processes running at once.
  explicit ProcessPool(std::size_t jobs, std::chrono::milliseconds tick = std::chrono::milliseconds(100));

  // Starts the processes in order, keeping up to `jobs` running, and returns once every started process has
  // been reaped. Returns true if it ran them all (on_finish never returned false).
  bool run(const std::vector<ProcessSpec>& specs, const OnFinish& on_finish, const OnTick& on_tick = {});

 private:
  std::size_t jobs_;
  std::chrono::milliseconds tick_;
};

// Runs one process and waits for it.
ProcessOutcome run_process(const ProcessSpec& spec);

// The argv as one line a shell would run ("a 'b c'"), for messages and command.txt files.
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace vfo::cli
