#include "vfo/runtime/delivery.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace vfo::runtime {

OutboundLog::OutboundLog(std::size_t max_frames) : max_frames_(max_frames) {
  if (max_frames == 0) throw std::invalid_argument("OutboundLog: max_frames must be > 0");
}

void OutboundLog::sent(const Frame& frame) {
  if (full()) throw std::invalid_argument("OutboundLog: full");
  const std::uint64_t last = frames_.empty() ? acked_ : frames_.back().seq;
  if (frame.seq <= last) throw std::invalid_argument("OutboundLog: frames must come in increasing seq");
  frames_.push_back(frame);
}

bool OutboundLog::acknowledged(std::uint64_t seq) {
  if (seq <= acked_) return false;
  acked_ = seq;
  while (!frames_.empty() && frames_.front().seq <= seq) frames_.pop_front();
  return true;
}

void OutboundLog::resume(std::uint64_t acknowledged_seq, std::deque<Frame> unacknowledged) {
  acked_ = acknowledged_seq;
  frames_ = std::move(unacknowledged);
}

InboundFilter::Verdict InboundFilter::check(const Frame& frame) {
  if (frame.epoch < epoch_) return Verdict::stale_epoch;
  if ((epoch_ > 0 && frame.epoch - epoch_ > kMaxEpochJump) || (last_ > 0 && frame.seq - last_ > kMaxSeqJump) ||
      frame.seq == 0) {
    return Verdict::implausible;
  }
  epoch_ = frame.epoch;
  return frame.seq <= last_ ? Verdict::duplicate : Verdict::accept;
}

void InboundFilter::accepted(std::uint64_t seq) {
  if (seq <= last_) return;
  gaps_ += seq - last_ - 1;
  last_ = seq;
}

void InboundFilter::resume(std::uint64_t epoch, std::uint64_t last_seq) {
  set_epoch(epoch);
  last_ = std::max(last_, last_seq);
}

void InboundFilter::set_epoch(std::uint64_t epoch) {
  if (epoch > epoch_) epoch_ = epoch;
}

}  // namespace vfo::runtime
