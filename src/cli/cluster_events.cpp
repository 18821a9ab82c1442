#include "cli/cluster_events.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "vfo/util/file_io.hpp"

namespace vfo::cli {
namespace {

constexpr std::uintmax_t kRotateBytes = 1 << 20;

// Now, "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

// The events of one file from byte `offset` on, oldest first, appended to `out`; a line that is not an event is
// skipped, and so is a last line without its newline (still being written) when `whole_lines`. Returns the
// offset past the last line read.
std::uintmax_t read_file(const std::filesystem::path& file, std::vector<nlohmann::json>& out, std::uintmax_t offset = 0,
                         bool whole_lines = false) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (whole_lines) text.resize(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_object() && event.contains("time") && event.contains("kind") && event.contains("text") &&
        event["time"].is_string() && event["kind"].is_string() && event["text"].is_string()) {
      out.push_back(std::move(event));
    }
  }
  return offset + text.size();
}

// The inode of `file`; 0 when there is none.
std::uintmax_t inode_of(const std::filesystem::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? static_cast<std::uintmax_t>(st.st_ino) : 0;
}

}  // namespace

EventLog::EventLog(std::filesystem::path dir) : file_(dir / kEventFiles[0]) {}

void EventLog::add(const std::string& kind, const std::string& text) {
  std::error_code error;
  if (std::filesystem::file_size(file_, error) > kRotateBytes && !error) {
    std::filesystem::rename(file_, std::filesystem::path(file_).replace_filename(kEventFiles[1]));
  }
  std::ofstream out(file_, std::ios::app);
  out << nlohmann::json{{"time", utc_now()}, {"kind", kind}, {"text", text}}.dump() << '\n';
  out.flush();
  if (!out) throw std::runtime_error(file_.string() + ": cannot append an event");
}

template <typename Write>
void DaemonRecords::attempt(const std::filesystem::path& file, Write write) {
  std::lock_guard lock(mutex_);
  const auto failed = problems_.find(file);
  try {
    write();
    if (failed != problems_.end()) {
      spdlog::info("records: {} is written again", file.string());
      problems_.erase(failed);
    }
  } catch (const std::exception& e) {
    if (failed == problems_.end()) {
      spdlog::error("records: {}; the rounds go on, what cannot be written is lost", e.what());
      problems_[file] = e.what();
    }
  }
}

void DaemonRecords::event(const std::string& kind, const std::string& text) {
  attempt(dir_ / kEventFiles[0], [&] { events_.add(kind, text); });
}

void DaemonRecords::write(const std::filesystem::path& file, const std::string& text) {
  attempt(file, [&] { write_file_atomically(file, text); });
}

void DaemonRecords::remove(const std::filesystem::path& file) {
  attempt(file, [&] { std::filesystem::remove(file); });
}

std::string DaemonRecords::problem() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [file, why] : problems_) out += (out.empty() ? "" : "\n") + why;
  return out;
}

std::vector<nlohmann::json> read_events(const std::filesystem::path& dir, std::size_t count) {
  std::vector<nlohmann::json> events;
  read_file(dir / kEventFiles[1], events);
  read_file(dir / kEventFiles[0], events);
  if (count > 0 && events.size() > count) events.erase(events.begin(), events.end() - static_cast<long>(count));
  return events;
}

EventTail::EventTail(std::filesystem::path dir) : dir_(std::move(dir)) {
  const std::filesystem::path file = dir_ / kEventFiles[0];
  inode_ = inode_of(file);
  std::error_code error;
  offset_ = inode_ != 0 ? std::filesystem::file_size(file, error) : 0;
  if (error) offset_ = 0;
}

std::vector<nlohmann::json> EventTail::next() {
  std::vector<nlohmann::json> events;
  const std::filesystem::path file = dir_ / kEventFiles[0];
  const std::uintmax_t inode = inode_of(file);
  if (inode_ != 0 && inode != inode_) {  // rotated: the file read so far is the older generation now
    const std::filesystem::path older = dir_ / kEventFiles[1];
    if (inode_of(older) == inode_) read_file(older, events, offset_, /*whole_lines=*/false);
    offset_ = 0;
  }
  inode_ = inode;
  if (inode_ == 0) {
    offset_ = 0;
    return events;
  }
  std::error_code error;
  if (std::filesystem::file_size(file, error) < offset_ || error) offset_ = 0;  // truncated: read it anew
  offset_ = read_file(file, events, offset_, /*whole_lines=*/true);
  return events;
}

std::string event_line(const nlohmann::json& event) {
  return fmt::format("{} {:<22} {}", event["time"].get<std::string>(), event["kind"].get<std::string>(),
                     event["text"].get<std::string>());
}

}  // namespace vfo::cli
