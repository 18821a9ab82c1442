#pragma once
// The built-in VFs: a source of numbered frames, a compute stage that does real work and keeps
// state, and a sink that measures what reaches the end of the chain.
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vfo/runtime/virtual_function.hpp"

namespace vfo::runtime {

// Frames of `payload_bytes` bytes (a pattern derived from the seq, so a receiver can check them).
class SourceFunction final : public VirtualFunction {
 public:
  explicit SourceFunction(std::size_t payload_bytes);
  std::string kind() const override { return "source"; }
  std::string produce(std::uint64_t seq) override;
  std::optional<std::string> process(const Frame& frame) override;  // passes frames through

 private:
  std::size_t payload_bytes_;
};

// Spends `instructions_per_frame` simple integer operations on each frame (real CPU work), keeps a state of
// `state_bytes` bytes (a TrackedState) of which it rewrites the next `dirty_bytes_per_frame` per frame, round
// robin (the dirty rate of live migration), and passes the payload on unchanged, so that the sink can check it.
// snapshot() holds where the next frame writes and the frame count; the bytes are in tracked_state().
class ComputeFunction final : public VirtualFunction {
 public:
  ComputeFunction(std::uint64_t instructions_per_frame, std::size_t state_bytes, std::size_t dirty_bytes_per_frame);
  std::string kind() const override { return "compute"; }
  std::optional<std::string> process(const Frame& frame) override;
  std::string snapshot() const override;
  void restore(std::string_view state) override;
  TrackedState* tracked_state() override { return &state_; }
  std::uint64_t frames() const { return frames_; }

 private:
  std::uint64_t instructions_per_frame_;
  std::size_t dirty_bytes_per_frame_;
  TrackedState state_;
  std::size_t cursor_ = 0;  // where the next frame starts rewriting the state
  std::uint64_t frames_ = 0;
  std::string scratch_;  // reused per frame
};

// What the sink has seen. Thread-safe: the host's thread records, anyone may read.
struct SinkStats {
  std::uint64_t frames = 0;  // frames received (each seq once: the host drops duplicates)
  // The first seq it received: 1, or more for a sink started anew after its node failed (the frames before
  // were delivered to its predecessor). A sink moved by live migration keeps its predecessor's.
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  // Frames whose seq is not the previous one's + 1 (a gap or a repeat); the first frame is not counted.
  std::uint64_t out_of_order = 0;
  std::uint64_t bad_payloads = 0;  // payloads that do not match their seq's pattern
  double latency_sum_s = 0;        // end to end, from the source's origin_ns
  double latency_max_s = 0;
  std::vector<std::uint64_t> seqs;  // every seq received, in order of arrival
  // When each of the last kSinkArrivalWindow frames arrived (steady clock, ns since its epoch: on Linux the
  // machine's CLOCK_MONOTONIC, so comparable between processes of one machine), oldest first.
  std::vector<std::int64_t> arrivals_ns;
};

// What a sink's seqs say of the chain's delivery: repeats, seqs delivered more than once; missing, seqs between the
// lowest and the highest delivered that never arrived. Both 0: every seq in that span exactly once.
struct SeqAccount {
  std::uint64_t repeats = 0;
  std::uint64_t missing = 0;
};
SeqAccount account_seqs(std::vector<std::uint64_t> seqs);

// How many arrival times a sink keeps (68 s of a 15 fps chain): whoever counts frames per second from them
// must read them more often than that.
inline constexpr std::size_t kSinkArrivalWindow = 1024;

// Counts what reaches it (SinkStats). snapshot() carries its counters, seqs and arrival times, so that a sink
// moved by live migration goes on counting where it left off.
class SinkFunction final : public VirtualFunction {
 public:
  // check_payloads false: payloads are not the built-in source's (an exec VF's sink), bad_payloads stays 0.
  explicit SinkFunction(bool check_payloads = true) : check_payloads_(check_payloads) {}
  std::string kind() const override { return "sink"; }
  std::optional<std::string> process(const Frame& frame) override;
  std::string snapshot() const override;
  void restore(std::string_view state) override;  // throws std::invalid_argument on a malformed state
  SinkStats stats() const;

 private:
  bool check_payloads_;
  mutable std::mutex mutex_;
  SinkStats stats_;  // arrivals_ns is empty here: the arrival times are in arrivals_
  std::deque<std::int64_t> arrivals_;
};

// The payload a source makes for `seq`: `bytes` bytes, byte i = (seq * 131 + i) mod 251.
std::string source_payload(std::uint64_t seq, std::size_t bytes);

}  // namespace vfo::runtime
