#include "vfo/runtime/node_recorder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace vfo::runtime {
namespace {

using Clock = std::chrono::steady_clock;

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error(path.string() + ": " + what);
}

// Checks that a non-empty CSV starts with the header, and cuts off a last line left unfinished (a crash
// mid-row), so that appended rows start on a line of their own. Returns true when the header must be written.
bool prepare_existing(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error || size == 0) return true;  // missing (opening creates it) or empty
  std::ifstream in(path, std::ios::binary);
  std::string first;
  if (!in || !std::getline(in, first)) fail(path, "cannot read it");
  if (!first.empty() && first.back() == '\r') first.pop_back();
  if (first != NodeRecorder::kHeader) {
    fail(path, "not a vfo node trace: its first line is '" + first.substr(0, 80) + "' (expected '" +
                   NodeRecorder::kHeader + "')");
  }
  const std::uintmax_t tail_size = std::min<std::uintmax_t>(size, 4096);
  std::string tail(tail_size, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(size - tail_size));
  if (!in.read(tail.data(), static_cast<std::streamsize>(tail_size))) fail(path, "cannot read it");
  if (tail.back() == '\n') return false;
  const std::size_t last_break = tail.rfind('\n');
  if (last_break == std::string::npos) {  // the header alone, without its line break
    std::ofstream(path, std::ios::app) << '\n';
    return false;
  }
  std::filesystem::resize_file(path, size - tail_size + last_break + 1, error);
  if (error) fail(path, "cannot cut its unfinished last line (" + error.message() + ")");
  return false;
}

}  // namespace

NodeRecorder::NodeRecorder(const std::filesystem::path& csv, std::string node, std::function<NodeReading()> read,
                           std::chrono::milliseconds interval)
    : path_(csv), node_(std::move(node)), read_(std::move(read)), interval_(interval) {
  if (node_.empty() || node_.find_first_of(",\r\n") != std::string::npos) {
    throw std::invalid_argument("NodeRecorder: node '" + node_ + "' must be non-empty, without commas or line breaks");
  }
  if (!read_) throw std::invalid_argument("NodeRecorder: no reading function");
  if (interval_.count() <= 0) throw std::invalid_argument("NodeRecorder: interval must be > 0");
  const bool write_header = prepare_existing(path_);
  out_.open(path_, std::ios::app);
  if (!out_) fail(path_, std::string("cannot open it for appending (") + std::strerror(errno) + ")");
  if (write_header) {
    out_ << kHeader << '\n';
    out_.flush();
    if (!out_) fail(path_, "cannot write to it");
  }
  thread_ = std::thread([this] { run(); });
}

NodeRecorder::~NodeRecorder() {
  stop();
}

void NodeRecorder::stop() {
  {
    const std::lock_guard lock(stop_mutex_);
    stop_requested_ = true;
  }
  stop_signal_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool NodeRecorder::wait_until(Clock::time_point until) {
  std::unique_lock lock(stop_mutex_);
  return !stop_signal_.wait_until(lock, until, [this] { return stop_requested_; });
}

void NodeRecorder::run() {
  const double interval_s = std::chrono::duration<double>(interval_).count();
  // Start when the wall clock is half-way between two multiples of the interval.
  const double now_s = unix_seconds();
  double first_s = std::floor(now_s / interval_s) * interval_s + interval_s / 2;
  if (first_s < now_s) first_s += interval_s;
  auto next =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(first_s - now_s));
  if (!wait_until(next)) return;
  try {
    read_();  // opens the first interval
  } catch (const std::exception&) {
  }
  double interval_start_s = unix_seconds();

  for (;;) {
    next += interval_;
    if (const auto now = Clock::now(); next <= now) {  // held up for more than an interval: skip the lost ones
      next += ((now - next) / interval_ + 1) * interval_;
    }
    if (!wait_until(next)) return;
    NodeReading reading;
    bool ok = true;
    try {
      reading = read_();
    } catch (const std::exception&) {
      ok = false;
    }
    const double end_s = unix_seconds();
    ok = ok && std::isfinite(reading.cpu_pct) && std::isfinite(reading.ram_pct) && reading.cpu_pct >= 0 &&
         reading.ram_pct >= 0;
    if (ok) {
      out_ << fmt::format("{:.3f},{},{:.3f},{:.3f}\n", interval_start_s, node_, reading.cpu_pct, reading.ram_pct);
      out_.flush();
      if (out_) {
        rows_.fetch_add(1);
      } else {
        out_.clear();  // a full disk, say: try again next time
      }
    }
    interval_start_s = end_s;
  }
}

}  // namespace vfo::runtime
