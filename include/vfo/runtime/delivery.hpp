#pragma once
// Exactly-once delivery along a chain that is rewired while frames flow (docs/model.md, Migration), as two pieces of
// state each VF host keeps; pure, clock-free, not thread-safe.
//
// The protocol. Frames travel downstream in order over each hop. The sink acknowledges each frame it
// receives; every VF passes its downstream's acknowledgements upstream, so an ack for seq s means that
// every frame up to s reached the end of the chain (acks are cumulative). A VF keeps every frame it sent
// until such an ack (OutboundLog); when the chain is rewired (a new epoch) it sends them all again, to
// whatever downstream it now has. A receiver drops what it has already seen (InboundFilter) and re-acks
// it if it knows it was delivered, so replays cost bytes, never duplicates. Fencing: every frame carries
// the chain's wiring epoch; a receiver never goes back to an older epoch, so frames from a VF that was
// given up for dead (it still sends with the old epoch) are dropped. A frame of a newer epoch moves the
// receiver to that epoch: its rewire order may come after the first replayed frame.
#include <cstddef>
#include <cstdint>
#include <deque>

#include "vfo/runtime/frame.hpp"

namespace vfo::runtime {

// The frames a VF sent downstream and that the end of the chain has not yet acknowledged.
class OutboundLog {
 public:
  // Holds at most `max_frames` (> 0): the sender waits (backpressure) while it is full.
  explicit OutboundLog(std::size_t max_frames);

  bool full() const { return frames_.size() >= max_frames_; }
  // Keeps a copy of a frame just sent. Frames must come in increasing seq; throws std::invalid_argument
  // otherwise or when full.
  void sent(const Frame& frame);
  // Every frame up to `seq` was delivered: forgets them. Returns false (and changes nothing) when seq is not
  // above what was already acknowledged (a repeated or reordered ack).
  bool acknowledged(std::uint64_t seq);

  // What to send again after a rewire, oldest first.
  const std::deque<Frame>& unacknowledged() const { return frames_; }
  std::uint64_t acknowledged_seq() const { return acked_; }
  std::size_t size() const { return frames_.size(); }

  // Takes over a predecessor's log (live migration): what it had acknowledged and what it still held.
  void resume(std::uint64_t acknowledged_seq, std::deque<Frame> unacknowledged);

 private:
  std::size_t max_frames_;
  std::deque<Frame> frames_;
  std::uint64_t acked_ = 0;
};

// How far ahead of what a receiver has seen a frame may be. An epoch moves by one per rewiring, a seq by one
// per frame (a VF that drops frames leaves gaps): a million rewirings or 2^32 frames at once (nine years of
// a 15 fps chain) is no chain's history, only a forged or corrupted frame. A receiver that has seen nothing
// yet (a VF started anew) takes any seq and epoch: its first frames are a replay from where the chain is.
inline constexpr std::uint64_t kMaxEpochJump = 1'000'000;
inline constexpr std::uint64_t kMaxSeqJump = std::uint64_t{1} << 32;

// What a VF has received: the chain's epoch as far as it knows, and the last frame it accepted.
class InboundFilter {
 public:
  enum class Verdict {
    accept,       // new: process it (then call accepted())
    duplicate,    // seen before (a replay): drop it; ack it upstream if it is already delivered
    stale_epoch,  // from an older wiring (a VF given up for dead): drop it
    // An epoch or seq too far ahead to be real (kMaxEpochJump, kMaxSeqJump): drop it. Taken, it would fence off
    // every true frame (a huge epoch) or make them all look seen (a huge seq), killing the chain.
    implausible,
  };

  Verdict check(const Frame& frame);
  void accepted(std::uint64_t seq);  // the frame was processed and forwarded (or consumed, at the sink)
  // The orchestrator's rewire order; an older epoch than the one already seen is ignored.
  void set_epoch(std::uint64_t epoch);
  // Takes over a predecessor's position (live migration): its epoch and the last frame it accepted.
  void resume(std::uint64_t epoch, std::uint64_t last_seq);

  std::uint64_t epoch() const { return epoch_; }
  std::uint64_t last_seq() const { return last_; }
  std::uint64_t gaps() const { return gaps_; }  // frames skipped between accepted ones (lost upstream)

 private:
  std::uint64_t epoch_ = 0;
  std::uint64_t last_ = 0;
  std::uint64_t gaps_ = 0;
};

}  // namespace vfo::runtime
