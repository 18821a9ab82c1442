#pragma once
// A local cluster's events (a node that stops or starts answering, a VF that ended, each migration, a reset, an
// error, the store distrusted), kept by the orchestrator's daemon in DIR/events.jsonl, one JSON object a line
// ({"time": "2026-12-05T13:00:00.123Z", "kind": "cold-migration", "text": "..."}), for `vfo events` and the
// recent events of `vfo status`. Past 1 MB the file becomes events.jsonl.1 (one older generation is kept) and a
// new one is started.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vfo::cli {

class EventLog {
 public:
  explicit EventLog(std::filesystem::path dir);
  // Appends one event, timed now (UTC, to the millisecond). Throws std::runtime_error when it cannot write.
  void add(const std::string& kind, const std::string& text);

 private:
  std::filesystem::path file_;
};

// The files `vfo up` may find in a cluster folder: the log and its older generation.
inline constexpr const char* kEventFiles[] = {"events.jsonl", "events.jsonl.1"};

// The last `count` events of the cluster in `dir` (every one: 0), oldest first; a line that is not an event (a
// write cut short by a crash) is skipped.
std::vector<nlohmann::json> read_events(const std::filesystem::path& dir, std::size_t count);

// "TIME KIND TEXT", for people.
std::string event_line(const nlohmann::json& event);

}  // namespace vfo::cli
