#include "vfo/runtime/node_governor.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "vfo/runtime/process_tree.hpp"

namespace vfo::runtime {
namespace {

NodeGovernorOptions checked(double cpus, std::uint64_t ram_total_bytes, NodeGovernorOptions options) {
  if (!(cpus > 0) || !std::isfinite(cpus)) throw std::invalid_argument("NodeGovernor: cpus must be > 0");
  if (ram_total_bytes == 0) throw std::invalid_argument("NodeGovernor: ram_total_bytes must be > 0");
  if (options.window.count() <= 0 || options.tick.count() <= 0) {
    throw std::invalid_argument("NodeGovernor: window and tick must be > 0");
  }
  if (options.min_reading_span.count() < 0) {
    throw std::invalid_argument("NodeGovernor: min_reading_span must be >= 0");
  }
  if (options.root == 0) options.root = ::getpid();
  return options;
}

}  // namespace

NodeGovernor::NodeGovernor(double cpus, std::uint64_t ram_total_bytes, Options options)
    : cpus_(cpus), ram_total_bytes_(ram_total_bytes), options_(checked(cpus, ram_total_bytes, std::move(options))) {
  for (const pid_t pid : descendant_processes(options_.root, options_.proc)) {
    if (const auto usage = read_process_usage(pid, options_.proc)) {
      baseline_[pid] = Seen{usage->start_ticks, usage->cpu_seconds};
    }
  }
  reading_seen_ = baseline_;
  reading_time_ = Clock::now();
  read_until_ = Charged{reading_time_, 0};
  charged_.push_back(read_until_);
  if (options_.enforce) thread_ = std::thread([this, start = reading_time_] { run(start); });
}

NodeGovernor::~NodeGovernor() {
  stop();
}

void NodeGovernor::stop() {
  {
    const std::lock_guard lock(stop_mutex_);
    stop_requested_ = true;
  }
  stop_signal_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool NodeGovernor::wait_for(Clock::time_point until) {
  std::unique_lock lock(stop_mutex_);
  return !stop_signal_.wait_until(lock, until, [this] { return stop_requested_; });
}

NodeReading NodeGovernor::reading() {
  const std::lock_guard lock(reading_mutex_);
  const auto now = Clock::now();
  std::map<pid_t, Seen> seen;
  double cpu_seconds = 0;
  std::uint64_t rss_bytes = 0;
  for (const pid_t pid : descendant_processes(options_.root, options_.proc)) {
    const auto usage = read_process_usage(pid, options_.proc);
    if (!usage) continue;
    const auto before = reading_seen_.find(pid);
    const bool known = before != reading_seen_.end() && before->second.start_ticks == usage->start_ticks;
    cpu_seconds += known ? std::max(0.0, usage->cpu_seconds - before->second.cpu_seconds) : usage->cpu_seconds;
    rss_bytes += usage->rss_bytes;
    seen[pid] = Seen{usage->start_ticks, usage->cpu_seconds};
  }
  const double wall_s = std::chrono::duration<double>(now - reading_time_).count();
  reading_seen_ = std::move(seen);
  reading_time_ = now;
  NodeReading r;
  if (options_.enforce) {
    r.cpu_pct = charged_cpu_pct();
  } else {
    r.cpu_pct = wall_s > 0 ? 100.0 * cpu_seconds / (wall_s * cpus_) : 0.0;
  }
  r.ram_pct = 100.0 * static_cast<double>(rss_bytes) / static_cast<double>(ram_total_bytes_);
  r.ram_total_bytes = ram_total_bytes_;
  return r;
}

double NodeGovernor::charged_cpu_pct() {
  Charged from = read_until_;
  Charged to;
  {
    const std::lock_guard lock(charged_mutex_);
    to = charged_.back();
    if (to.until - from.until < options_.min_reading_span) {  // too short: reach back over earlier windows
      from = charged_.front();
      for (const Charged& c : charged_) {
        if (c.until > to.until - options_.min_reading_span) break;
        from = c;
      }
    }
  }
  read_until_ = to;
  const double wall_s = std::chrono::duration<double>(to.until - from.until).count();
  if (!(wall_s > 0)) return 0.0;
  // No window is charged more than its budget: at most 100, but for the rounding of the sums.
  return std::min(100.0, 100.0 * (to.cpu_seconds - from.cpu_seconds) / (wall_s * cpus_));
}

void NodeGovernor::publish(Clock::time_point window_end, double charged_s) {
  // Enough windows for the longest reach back: min_reading_span and one window more.
  const auto kept = static_cast<std::size_t>(options_.min_reading_span / options_.window) + 2;
  const std::lock_guard lock(charged_mutex_);
  charged_.push_back(Charged{window_end, charged_.back().cpu_seconds + charged_s});
  while (charged_.size() > kept) charged_.pop_front();
}

void NodeGovernor::stop_processes(std::map<pid_t, Seen>& stopped) {
  // A process may fork between the listing and its SIGSTOP: list again until a pass finds nobody new.
  for (int pass = 0; pass < 3; ++pass) {
    bool stopped_any = false;
    for (const pid_t pid : descendant_processes(options_.root, options_.proc)) {
      const auto usage = read_process_usage(pid, options_.proc);
      if (!usage || usage->state == 'Z') continue;  // gone, or a zombie (nothing to stop)
      const auto it = stopped.find(pid);
      if (it != stopped.end() && it->second.start_ticks == usage->start_ticks) continue;
      if (signal_same_process(pid, usage->start_ticks, SIGSTOP, options_.proc)) {
        stopped[pid] = Seen{usage->start_ticks, usage->cpu_seconds};
        stopped_any = true;
      }
    }
    if (!stopped_any) break;
  }
}

void NodeGovernor::resume_processes(std::map<pid_t, Seen>& stopped) {
  for (const auto& [pid, seen] : stopped) signal_same_process(pid, seen.start_ticks, SIGCONT, options_.proc);
  stopped.clear();
}

void NodeGovernor::run(Clock::time_point start) {
  const double budget_s = cpus_ * std::chrono::duration<double>(options_.window).count();
  std::map<pid_t, Seen> tracked = std::move(baseline_);
  std::map<pid_t, Seen> stopped;
  double used_s = 0;  // CPU seconds used in the current window, with the debt carried from earlier ones
  bool throttling = false;
  bool rescan = false;
  auto window_start = start;
  auto next_tick = window_start + options_.tick;
  while (wait_for(next_tick)) {
    const auto now = Clock::now();
    if (now - next_tick > options_.late_tick_warning) {
      spdlog::warn("the node's governor woke {} ms late: this process did not run in that time",
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - next_tick).count());
    }
    next_tick = std::max(next_tick + options_.tick, now + options_.tick / 2);
    if (now >= window_start + options_.window) {
      const auto windows = (now - window_start) / options_.window;  // > 1 when this thread was held up
      window_start += windows * options_.window;
      if (throttling) resume_processes(stopped);
      throttling = false;
      const double charged_s = std::min(used_s, budget_s * static_cast<double>(windows));
      used_s -= charged_s;
      publish(window_start, charged_s);
      rescan = true;
    }
    if (throttling) continue;  // stopped processes use no CPU; what they used last is read after resuming

    std::vector<pid_t> pids;
    if (rescan) {
      pids = descendant_processes(options_.root, options_.proc);
    } else {
      for (const auto& entry : tracked) pids.push_back(entry.first);
    }
    rescan = false;
    std::map<pid_t, Seen> seen;
    for (const pid_t pid : pids) {
      const auto usage = read_process_usage(pid, options_.proc);
      if (!usage) continue;  // it exited
      const auto before = tracked.find(pid);
      const bool known = before != tracked.end() && before->second.start_ticks == usage->start_ticks;
      used_s += known ? std::max(0.0, usage->cpu_seconds - before->second.cpu_seconds) : usage->cpu_seconds;
      seen[pid] = Seen{usage->start_ticks, usage->cpu_seconds};
    }
    tracked = std::move(seen);

    if (used_s > budget_s) {
      throttling = true;
      throttled_windows_.fetch_add(1);
      stop_processes(stopped);
    }
  }
  resume_processes(stopped);
}

}  // namespace vfo::runtime
