#include "runtime/orchestrator/live_migrator.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace vfo::runtime {
LiveMigrator::LiveMigrator(Mutex& mutex, std::function<SwitchOutcome(const LiveMigrationJob&)> switch_over)
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
  bool switched = false;
  if (!report || !report->ok()) {
    r.error = report ? report->error : error;
  } else {
    MutexLock lock(orchestrator_mutex_);
    const SwitchOutcome outcome = switch_over_(job);
    switched = outcome.switched;
    r.switched_ns = steady_now_ns();
    (switched ? r.warnings : r.error) = outcome.problems;
  }
  if (!switched) {
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

std::string live_migrations_csv(const std::vector<LiveMigrationRecord>& records) {
  std::string csv =
      "chain,vf,from,to,p_fail,node_cpu_pct,precopy_rounds,precopy_bytes,final_bytes,prepare_s,copy_s,freeze_s,"
      "downtime_s,total_s,ok,error\n";
  for (const LiveMigrationRecord& r : records) {
    std::uint64_t precopy = 0;
    for (int i = 0; i < r.report.precopy_rounds(); ++i) precopy += r.report.rounds[static_cast<std::size_t>(i)].bytes;
    const std::uint64_t final_bytes = r.report.rounds.empty() ? 0 : r.report.rounds.back().bytes;
    const auto span = [](std::int64_t from, std::int64_t to) {
      return from > 0 && to >= from ? static_cast<double>(to - from) / 1e9 : -1.0;
    };
    std::string error = r.error.empty() ? r.warnings : r.error;
    for (char& c : error) c = (c == ',' || c == '\n') ? ';' : c;
    csv += fmt::format("{},{},{},{},{:.4f},{:.2f},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{},{}\n", r.chain,
                       r.function, r.from, r.to, r.p_fail, r.node_cpu_pct, r.report.precopy_rounds(), precopy,
                       final_bytes, span(r.decided_ns, r.report.start_ns), span(r.report.start_ns, r.report.freeze_ns),
                       span(r.report.freeze_ns, r.report.restored_ns), r.downtime_s(),
                       span(r.decided_ns, r.switched_ns), r.error.empty() ? 1 : 0, error);
  }
  return csv;
}

std::vector<LiveMigrationRecord> LiveMigrator::records(bool wait) {
  reap(wait);
  std::lock_guard lock(mutex_);
  return records_;
}

}  // namespace vfo::runtime
