#pragma once
// Emulating an edge node of CPUS cores and RAM_TOTAL_BYTES of memory on a shared machine: the agent's
// descendant processes (function hosts, stress workers and whatever they start; not the agent itself) together
// may use at most CPUS cores, and their usage is reported relative to the node.
//
// Enforcement (as the tool cpulimit does): the governor's thread reads the descendants' CPU time every `tick`;
// when they have used more than CPUS x `window` of CPU in the current window, it SIGSTOPs them all until the
// window ends, then SIGCONTs them. CPU used beyond a window's budget is carried over (the next window starts in
// debt), so the long-run average stays at CPUS cores; unused budget is not carried (no bursts). The full process
// tree is listed at each window's start and when stopping; in between, only the processes already known are
// read, so a process started mid-window is governed from the next window on. A process that exits, even while
// stopped, is simply dropped; one re-parented away (its parent died) while stopped is still resumed. Only
// processes the governor stopped are resumed, and only if their pid still names the same process.
//
// Memory is measured, not enforced: ram_pct may exceed 100.
//
// Thread safety: reading() may be called from any thread, concurrently with the governor's thread and with
// other reading() calls. stop() and the destructor must not race with each other.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace vfo::runtime {

// A node's usage between two readings, as an agent reports it.
struct NodeReading {
  double cpu_pct = 0;  // 100 x descendants' CPU seconds / (wall seconds x node cores); >= 0, may exceed 100 a bit
  double ram_pct = 0;  // 100 x descendants' resident bytes / ram_total_bytes; >= 0
  std::uint64_t ram_total_bytes = 0;
};

struct NodeGovernorOptions {
  pid_t root = 0;       // whose descendants are the node's processes; 0: this process (getpid())
  bool enforce = true;  // false: only measure (no thread, no signals)
  std::chrono::milliseconds window{100};
  std::chrono::milliseconds tick{10};
  std::string proc = "/proc";
};

class NodeGovernor {
 public:
  using Options = NodeGovernorOptions;

  // Starts governing (with options.enforce, the thread starts here). The processes' CPU time used before this
  // call counts neither against the budget nor in the first reading(). Throws std::invalid_argument when
  // cpus <= 0 (or not finite), ram_total_bytes == 0, or window or tick <= 0.
  NodeGovernor(double cpus, std::uint64_t ram_total_bytes, Options options = {});
  ~NodeGovernor();  // stop()
  NodeGovernor(const NodeGovernor&) = delete;
  NodeGovernor& operator=(const NodeGovernor&) = delete;

  // Ends the thread and SIGCONTs every process it stopped. Idempotent.
  void stop();

  // The descendants' usage since the previous reading() (the first: since construction). CPU of a process
  // that exited in between is lost after its last reading (never negative); a process first seen counts all
  // its CPU time. Lists the whole process tree: costs one stat read per process on the machine.
  NodeReading reading();

  double cpus() const { return cpus_; }
  std::uint64_t ram_total_bytes() const { return ram_total_bytes_; }
  // How many windows it had to stop the processes in so far (0 without enforcement).
  std::uint64_t throttled_windows() const { return throttled_windows_.load(); }

 private:
  // A process as last seen: start_ticks tells a reused pid from it.
  struct Seen {
    std::uint64_t start_ticks = 0;
    double cpu_seconds = 0;
  };

  void run();
  void stop_processes(std::map<pid_t, Seen>& stopped);
  void resume_processes(std::map<pid_t, Seen>& stopped);
  bool wait_for(std::chrono::steady_clock::time_point until);  // false when stop() was called

  const double cpus_;
  const std::uint64_t ram_total_bytes_;
  const Options options_;

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stop_requested_ = false;  // guarded by stop_mutex_
  std::thread thread_;
  std::atomic<std::uint64_t> throttled_windows_{0};
  std::map<pid_t, Seen> baseline_;  // the processes at construction, handed to the thread; then unused

  std::mutex reading_mutex_;  // guards the two below
  std::map<pid_t, Seen> reading_seen_;
  std::chrono::steady_clock::time_point reading_time_;
};

}  // namespace vfo::runtime
