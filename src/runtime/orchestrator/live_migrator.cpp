#include "runtime/orchestrator/live_migrator.hpp"

#include <nlohmann/json.hpp>

namespace vfo::runtime {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LiveMigrator::LiveMigrator(std::mutex& mutex, std::function<std::string(const LiveMigrationJob&)> switch_over)
    : orchestrator_mutex_(mutex), switch_over_(std::move(switch_over)) {}

LiveMigrator::~LiveMigrator() {
  reap(true);
}

void LiveMigrator::start(LiveMigrationJob job) {
  std::lock_guard lock(mutex_);
  Worker& w = workers_.emplace_back();
  w.job = std::move(job);
  w.thread = std::thread([this, &w] { run(w); });
}

std::optional<std::size_t> LiveMigrator::moving_to(std::uint32_t chain, std::uint32_t index) {
  std::lock_guard lock(mutex_);
  for (const Worker& w : workers_) {
    if (!w.done && w.job.record.chain == chain && w.job.record.index == index) return w.job.to;
  }
  return std::nullopt;
}

void LiveMigrator::run(Worker& w) {
  LiveMigrationJob& job = w.job;
  LiveMigrationRecord& r = job.record;
  std::string error;
  const std::optional<MigrationReport> report =
      job.source->migrate_out(job.function_id, job.order, job.deadline, &error);
  if (report) r.report = *report;
  if (!report || !report->ok()) {
    r.error = report ? report->error : error;
  } else {
    std::lock_guard lock(orchestrator_mutex_);
    r.error = switch_over_(job);
    r.switched_ns = now_ns();
  }
  if (!r.error.empty()) {
    job.target->stop_function(job.function_id);  // the incoming VF, never switched to
  } else {
    // The target's first frame: the end of the downtime.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until) {
      const auto stats = job.target->function_stats(job.function_id);
      const auto j = nlohmann::json::parse(stats.value_or("{}"), nullptr, false);
      if (j.is_object() && j.value("first_frame_ns", std::int64_t{0}) > 0) {
        r.first_frame_ns = j.value("first_frame_ns", std::int64_t{0});
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  std::lock_guard lock(mutex_);
  records_.push_back(r);
  w.done = true;
}

void LiveMigrator::reap(bool wait) {
  std::list<Worker> over;
  {
    std::lock_guard lock(mutex_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (wait || it->done) {
        auto next = std::next(it);
        over.splice(over.end(), workers_, it);
        it = next;
      } else {
        ++it;
      }
    }
  }
  for (Worker& w : over) w.thread.join();
}

std::vector<LiveMigrationRecord> LiveMigrator::records(bool wait) {
  reap(wait);
  std::lock_guard lock(mutex_);
  return records_;
}

}  // namespace vfo::runtime
