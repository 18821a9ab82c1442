#include "cli/daemon_record.hpp"

#include <signal.h>

#include <cstdint>
#include <optional>

#include "vfo/runtime/process_tree.hpp"

namespace vfo::cli {
namespace {

// The pid the record names; 0 when it names no process: no pid, or a start time that is not a count of ticks.
pid_t pid_of(const nlohmann::json& record) {
  if (!record.is_object() || (record.contains("started") && !record["started"].is_number_unsigned())) return 0;
  const auto pid = record.contains("pid") && record["pid"].is_number_integer() ? record["pid"].get<long long>() : 0;
  return pid > 1 && pid <= INT32_MAX ? static_cast<pid_t>(pid) : 0;
}

// The start time the record holds; nullopt when it holds none.
std::optional<std::uint64_t> started_of(const nlohmann::json& record) {
  if (!record.contains("started")) return std::nullopt;
  return record["started"].get<std::uint64_t>();
}

}  // namespace

nlohmann::json daemon_record(pid_t pid) {
  const auto usage = runtime::read_process_usage(pid);
  return {{"pid", pid}, {"started", usage ? usage->start_ticks : 0}};
}

bool daemon_runs(const nlohmann::json& record) {
  const pid_t pid = pid_of(record);
  if (pid == 0) return false;
  const auto usage = runtime::read_process_usage(pid);
  if (!usage || usage->state == 'Z') return false;
  const auto started = started_of(record);
  return !started || *started == usage->start_ticks;
}

bool signal_daemon(const nlohmann::json& record, int signal) {
  const pid_t pid = pid_of(record);
  if (pid == 0) return false;
  if (const auto started = started_of(record)) return runtime::signal_same_process(pid, *started, signal);
  return ::kill(pid, signal) == 0;
}

}  // namespace vfo::cli
