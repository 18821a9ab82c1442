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
// What a reading says of the CPU, with enforcement: the CPU time the governor charged to its windows, not the
// processes' raw CPU time. A window is charged what its processes used, up to its budget; the rest is charged
// to the windows after it, in which they are stopped. A node of CPUS cores would have done that work then, so a
// reading is never above 100 %, however the processes' bursts fall against the instants it is read at. A reading
// covers the whole windows ended since the previous reading, and at least the last `min_reading_span` of them
// (reaching back over the previous reading's when readings come close together): CPU time is counted in clock
// ticks of 10 ms, too coarse to tell one 100 ms window's load apart. Without enforcement, a reading is the raw
// CPU time since the previous reading.
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
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace vfo::runtime {

// A node's usage between two readings, as an agent reports it.
struct NodeReading {
  // 100 x the descendants' CPU seconds / (the seconds read over x node cores), in [0, 100] when enforced (the
  // CPU charged to the windows read over), >= 0 when only measured (raw CPU time, which may exceed 100 a bit)
  double cpu_pct = 0;
  double ram_pct = 0;  // 100 x descendants' resident bytes / ram_total_bytes; >= 0
  std::uint64_t ram_total_bytes = 0;
};

struct NodeGovernorOptions {
  pid_t root = 0;       // whose descendants are the node's processes; 0: this process (getpid())
  bool enforce = true;  // false: only measure (no thread, no signals)
  std::chrono::milliseconds window{100};
  std::chrono::milliseconds tick{10};
  std::chrono::milliseconds min_reading_span{500};  // with enforce: the shortest span a reading covers
  // With enforce: a tick that comes this much late is logged as a warning. The thread sleeps only until its next
  // tick, so a late one means this process did not run in that time (a stalled machine, a stopped process), when
  // an agent answers no probe either.
  std::chrono::milliseconds late_tick_warning{250};
  std::string proc = "/proc";
};

class NodeGovernor {
 public:
  using Options = NodeGovernorOptions;

  // Starts governing (with options.enforce, the thread starts here). The processes' CPU time used before this
  // call counts neither against the budget nor in the first reading(). Throws std::invalid_argument when
  // cpus <= 0 (or not finite), ram_total_bytes == 0, window or tick <= 0, or min_reading_span < 0.
  NodeGovernor(double cpus, std::uint64_t ram_total_bytes, Options options = {});
  ~NodeGovernor();  // stop()
  NodeGovernor(const NodeGovernor&) = delete;
  NodeGovernor& operator=(const NodeGovernor&) = delete;

  // Ends the thread and SIGCONTs every process it stopped; CPU not yet charged is dropped, and readings after it
  // cover only windows charged before it. Idempotent.
  void stop();

  // The descendants' usage since the previous reading() (the first: since construction). With enforcement, the
  // CPU charged to the whole windows ended since then, over at least min_reading_span (see above; 0 until the
  // first window ends): a process is counted from the governor's next window on, and what an exiting process
  // used after the governor's last tick is lost. Measuring only: CPU of a process that exited in between is lost
  // after its last reading (never negative). Either way a process first seen counts all its CPU time. Lists the
  // whole process tree: costs one stat read per process on the machine.
  NodeReading reading();

  double cpus() const { return cpus_; }
  std::uint64_t ram_total_bytes() const { return ram_total_bytes_; }
  // How many windows it had to stop the processes in so far (0 without enforcement).
  std::uint64_t throttled_windows() const { return throttled_windows_.load(); }

 private:
  using Clock = std::chrono::steady_clock;

  // A process as last seen: start_ticks tells a reused pid from it.
  struct Seen {
    std::uint64_t start_ticks = 0;
    double cpu_seconds = 0;
  };
  // The CPU seconds charged to every window that ended by `until`.
  struct Charged {
    Clock::time_point until;
    double cpu_seconds = 0;
  };

  void run(Clock::time_point start);
  void publish(Clock::time_point window_end, double charged_s);  // the thread, at each window's end
  double charged_cpu_pct();  // reading()'s CPU with enforcement; call with reading_mutex_ held
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

  std::mutex charged_mutex_;
  std::deque<Charged> charged_;  // guarded by charged_mutex_; oldest first, reaching min_reading_span + a window back

  std::mutex reading_mutex_;  // guards the three below
  std::map<pid_t, Seen> reading_seen_;
  Clock::time_point reading_time_;
  Charged read_until_;  // where the previous reading's charged CPU ended
};

}  // namespace vfo::runtime
