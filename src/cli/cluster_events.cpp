#include "cli/cluster_events.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <stdexcept>

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

// The events of one file, oldest first.
void read_file(const std::filesystem::path& file, std::vector<nlohmann::json>& out) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_object() && event.contains("time") && event.contains("kind") && event.contains("text") &&
        event["time"].is_string() && event["kind"].is_string() && event["text"].is_string()) {
      out.push_back(std::move(event));
    }
  }
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

std::vector<nlohmann::json> read_events(const std::filesystem::path& dir, std::size_t count) {
  std::vector<nlohmann::json> events;
  read_file(dir / kEventFiles[1], events);
  read_file(dir / kEventFiles[0], events);
  if (count > 0 && events.size() > count) events.erase(events.begin(), events.end() - static_cast<long>(count));
  return events;
}

std::string event_line(const nlohmann::json& event) {
  return fmt::format("{} {:<22} {}", event["time"].get<std::string>(), event["kind"].get<std::string>(),
                     event["text"].get<std::string>());
}

}  // namespace vfo::cli
