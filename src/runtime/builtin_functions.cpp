#include "vfo/runtime/builtin_functions.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <stdexcept>

#include "runtime/wire_codec.hpp"

namespace vfo::runtime {

std::string source_payload(std::uint64_t seq, std::size_t bytes) {
  std::string out(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<char>((seq * 131 + i) % 251);
  return out;
}

SourceFunction::SourceFunction(std::size_t payload_bytes) : payload_bytes_(payload_bytes) {}

std::string SourceFunction::produce(std::uint64_t seq) {
  return source_payload(seq, payload_bytes_);
}

std::optional<std::string> SourceFunction::process(const Frame& frame) {
  return frame.payload;
}

ComputeFunction::ComputeFunction(std::uint64_t instructions_per_frame, std::size_t state_bytes,
                                 std::size_t dirty_bytes_per_frame)
    : instructions_per_frame_(instructions_per_frame),
      dirty_bytes_per_frame_(std::min(dirty_bytes_per_frame, state_bytes)),
      state_(state_bytes) {}

std::optional<std::string> ComputeFunction::process(const Frame& frame) {
  // Real work: a dependent chain of integer operations the compiler cannot skip.
  volatile std::uint64_t sink = 0;
  std::uint64_t x = frame.seq | 1;
  for (std::uint64_t i = 0; i < instructions_per_frame_; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  sink = x;
  static_cast<void>(sink);
  // Rewrite the next dirty_bytes_per_frame bytes of the state, round robin, with bytes derived from the seq.
  std::size_t left = dirty_bytes_per_frame_;
  while (left > 0) {
    const std::size_t n = std::min(left, state_.size() - cursor_);
    scratch_.resize(n);
    for (std::size_t i = 0; i < n; ++i) scratch_[i] = static_cast<char>(frame.seq + cursor_ + i);
    state_.write(cursor_, scratch_);
    cursor_ = (cursor_ + n) % state_.size();
    left -= n;
  }
  ++frames_;
  return frame.payload;
}

std::string ComputeFunction::snapshot() const {
  std::string out;
  wire::put(out, cursor_, 8);
  wire::put(out, frames_, 8);
  return out;
}

void ComputeFunction::restore(std::string_view state) {
  wire::Reader in(state);
  const std::uint64_t cursor = in.number(8);
  const std::uint64_t frames = in.number(8);
  if (in.failed() || !in.at_end()) throw std::invalid_argument("ComputeFunction::restore: expected 16 bytes");
  cursor_ = state_.size() > 0 ? cursor % state_.size() : 0;
  frames_ = frames;
}

SeqAccount account_seqs(std::vector<std::uint64_t> seqs) {
  SeqAccount a;
  if (seqs.empty()) return a;
  std::sort(seqs.begin(), seqs.end());
  const auto distinct = static_cast<std::uint64_t>(std::unique(seqs.begin(), seqs.end()) - seqs.begin());
  a.repeats = seqs.size() - distinct;
  a.missing = (seqs[distinct - 1] - seqs.front() + 1) - distinct;
  return a;
}

std::optional<std::string> SinkFunction::process(const Frame& frame) {
  const auto now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  const double latency = static_cast<double>(now_ns - frame.origin_ns) / 1e9;
  const bool payload_ok = !check_payloads_ || frame.payload == source_payload(frame.seq, frame.payload.size());
  std::lock_guard lock(mutex_);
  if (stats_.frames == 0) {
    stats_.first_seq = frame.seq;
  } else if (frame.seq != stats_.last_seq + 1) {
    ++stats_.out_of_order;
  }
  ++stats_.frames;
  stats_.last_seq = std::max(stats_.last_seq, frame.seq);
  if (!payload_ok) ++stats_.bad_payloads;
  stats_.latency_sum_s += latency;
  stats_.latency_max_s = std::max(stats_.latency_max_s, latency);
  stats_.seqs.push_back(frame.seq);
  arrivals_.push_back(now_ns);
  if (arrivals_.size() > kSinkArrivalWindow) arrivals_.pop_front();
  return std::nullopt;
}

std::string SinkFunction::snapshot() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const std::uint64_t v :
       {stats_.frames, stats_.first_seq, stats_.last_seq, stats_.out_of_order, stats_.bad_payloads}) {
    wire::put(out, v, 8);
  }
  wire::put(out, std::bit_cast<std::uint64_t>(stats_.latency_sum_s), 8);
  wire::put(out, std::bit_cast<std::uint64_t>(stats_.latency_max_s), 8);
  wire::put(out, stats_.seqs.size(), 8);
  for (const std::uint64_t seq : stats_.seqs) wire::put(out, seq, 8);
  wire::put(out, arrivals_.size(), 8);
  for (const std::int64_t t : arrivals_) wire::put(out, static_cast<std::uint64_t>(t), 8);
  return out;
}

void SinkFunction::restore(std::string_view state) {
  wire::Reader in(state);
  SinkStats s;
  s.frames = in.number(8);
  s.first_seq = in.number(8);
  s.last_seq = in.number(8);
  s.out_of_order = in.number(8);
  s.bad_payloads = in.number(8);
  s.latency_sum_s = std::bit_cast<double>(in.number(8));
  s.latency_max_s = std::bit_cast<double>(in.number(8));
  const std::uint64_t seqs = in.number(8);
  if (seqs > state.size() / 8) throw std::invalid_argument("SinkFunction::restore: seq count past the end");
  for (std::uint64_t i = 0; i < seqs && !in.failed(); ++i) s.seqs.push_back(in.number(8));
  const std::uint64_t arrivals = in.number(8);
  if (arrivals > kSinkArrivalWindow) throw std::invalid_argument("SinkFunction::restore: too many arrival times");
  std::deque<std::int64_t> times;
  for (std::uint64_t i = 0; i < arrivals && !in.failed(); ++i) times.push_back(static_cast<std::int64_t>(in.number(8)));
  if (in.failed() || !in.at_end()) throw std::invalid_argument("SinkFunction::restore: malformed state");
  std::lock_guard lock(mutex_);
  stats_ = std::move(s);
  arrivals_ = std::move(times);
}

SinkStats SinkFunction::stats() const {
  std::lock_guard lock(mutex_);
  SinkStats s = stats_;
  s.arrivals_ns.assign(arrivals_.begin(), arrivals_.end());
  return s;
}

}  // namespace vfo::runtime
