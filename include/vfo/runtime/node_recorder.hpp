#pragma once
// Recording an emulated node's usage as a trace the forecaster trains on: every `interval` (5 s by default, as
// the paper's data collection) the recorder takes one reading and appends a row to a CSV in vfo's node-trace
// format (read_node_trace in vfo/forecast/trace_readers.hpp), so that
//   vfo forecast train --trace vfo:FILE --interval 5
// reads it. Rows are `time,node,cpu,ram`: time in seconds since the Unix epoch (3 decimals) at the START of the
// interval the reading covers, cpu and ram in percent (3 decimals). Samples are taken on a drift-free schedule
// whose interval starts fall mid-way between multiples of `interval` on the wall clock, so each row lands in its
// own bin of a trace read at the same interval (resample bins on floor(time / interval)), even with jitter and
// across restarts appending to one file.
//
// READ must return the usage since its previous call, as NodeGovernor::reading() does when the recorder is its
// only caller: the recorder calls it once when it starts sampling (that reading is dropped: it only opens the
// first interval), then once per interval. READ runs on the recorder's thread; if it throws, that row is skipped.
//
// Thread safety: rows_written() may be called from any thread; stop() and the destructor must not race.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "vfo/runtime/node_governor.hpp"

namespace vfo::runtime {

class NodeRecorder {
 public:
  // Opens CSV for appending (creating it; the header line `time,node,cpu,ram` is written when it is new or
  // empty) and starts the thread. Throws std::runtime_error naming the path when it cannot be opened or written,
  // or when it is not empty and its first line is not that header; std::invalid_argument when NODE is empty or
  // holds a comma or a line break, READ is empty, or interval <= 0.
  NodeRecorder(const std::filesystem::path& csv, std::string node, std::function<NodeReading()> read,
               std::chrono::milliseconds interval = std::chrono::seconds(5));
  ~NodeRecorder();  // stop()
  NodeRecorder(const NodeRecorder&) = delete;
  NodeRecorder& operator=(const NodeRecorder&) = delete;

  // Ends the thread (a row being written is finished, the interval in progress is dropped). Idempotent.
  void stop();

  // Rows appended (and flushed) so far.
  std::uint64_t rows_written() const { return rows_.load(); }

  // The CSV's header line, without the line break.
  static constexpr const char* kHeader = "time,node,cpu,ram";

 private:
  void run();
  bool wait_until(std::chrono::steady_clock::time_point until);  // false when stop() was called

  const std::filesystem::path path_;
  const std::string node_;
  const std::function<NodeReading()> read_;
  const std::chrono::milliseconds interval_;
  std::ofstream out_;  // used by the thread only, once started

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stop_requested_ = false;  // guarded by stop_mutex_
  std::atomic<std::uint64_t> rows_{0};
  std::thread thread_;
};

}  // namespace vfo::runtime
