#pragma once
// A local cluster's events (a node that stops or starts answering, a VF that ended, each migration, a reset, an
// error, the store distrusted), kept by the orchestrator's daemon in DIR/events.jsonl, one JSON object a line
// ({"time": "2026-12-05T13:00:00.123Z", "kind": "cold-migration", "text": "..."}), for `vfo events` and the
// recent events of `vfo status`. Past 1 MB the file becomes events.jsonl.1 (one older generation is kept) and a
// new one is started.
#include <filesystem>
#include <map>
#include <mutex>
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

// What the orchestrator daemon records in the cluster's folder (its events, and files it rewrites whole), written
// so that a write that fails (a full disk, a folder made read-only) never ends the daemon: its rounds go on, each
// file's failure is logged when it starts and when that file can be written again, and what could not be written
// is lost. Thread-safe (a join is recorded from the join server's threads).
class DaemonRecords {
 public:
  explicit DaemonRecords(std::filesystem::path dir) : dir_(dir), events_(std::move(dir)) {}
  void event(const std::string& kind, const std::string& text);
  void write(const std::filesystem::path& file, const std::string& text);  // whole, atomically
  void remove(const std::filesystem::path& file);
  // Why the last write of each file that fails now failed, one line each; empty while writes work.
  std::string problem() const;

 private:
  template <typename Write>
  void attempt(const std::filesystem::path& file, Write write);

  std::filesystem::path dir_;
  mutable std::mutex mutex_;  // guards the two below
  EventLog events_;
  std::map<std::filesystem::path, std::string> problems_;  // by file: why its last write failed
};

// The files `vfo up` may find in a cluster folder: the log and its older generation.
inline constexpr const char* kEventFiles[] = {"events.jsonl", "events.jsonl.1"};

// The last `count` events of the cluster in `dir` (every one: 0), oldest first; a line that is not an event (a
// write cut short by a crash) is skipped.
std::vector<nlohmann::json> read_events(const std::filesystem::path& dir, std::size_t count);

// The events appended to the log of the cluster in `dir` as they come, across the log's rotation.
class EventTail {
 public:
  explicit EventTail(std::filesystem::path dir);  // from the log's end as it is now
  // The events appended since the call before (the first call: since construction), oldest first; a line not
  // yet whole is left for the next call. A log rotated twice between two calls loses the older generation's
  // events to it.
  std::vector<nlohmann::json> next();

 private:
  std::filesystem::path dir_;
  std::uintmax_t inode_ = 0;   // of the file read so far (0: none yet)
  std::uintmax_t offset_ = 0;  // its bytes read, whole lines only
};

// "TIME KIND TEXT", for people.
std::string event_line(const nlohmann::json& event);

}  // namespace vfo::cli
