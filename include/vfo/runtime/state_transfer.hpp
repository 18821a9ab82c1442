#pragma once
// What crosses the link between the two function hosts of a live migration, over one ZeroMQ PAIR
// connection from the source to the target's state endpoint. Fixed little-endian layout, like frames:
//   "VFOS" | version u8 | kind u8 | round u32 | then, by kind:
//   chunks:      state size u64 | chunk size u32 | count u32 | count x (index u32 | chunk bytes)
//   round_end:   (nothing)                     the source sent every chunk of this round
//   final_state: verify u8 | length u32 | the frozen host's state (encode_host_state)
//   round_done:  bytes u64                     target -> source: the round's chunks are in
//   restored:    digest u64                    target -> source: restored (digest 0 unless verify was set)
// Decoding never trusts the bytes: anything malformed is refused with a one-line reason.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vfo/runtime/frame.hpp"

namespace vfo::runtime {

struct StateMessage {
  enum class Kind : std::uint8_t { chunks = 1, round_end = 2, final_state = 3, round_done = 4, restored = 5 };
  Kind kind = Kind::chunks;
  std::uint32_t round = 0;  // 1, 2, ... for the pre-copy rounds; the freeze's is the last
  // chunks
  std::uint64_t state_bytes = 0;
  std::uint32_t chunk_bytes = 0;
  std::vector<std::pair<std::uint32_t, std::string_view>> chunks;  // views into the decoded bytes
  // final_state
  bool verify = false;
  std::string_view host_state;
  // round_done: bytes received in the round; restored: the restored state's digest
  std::uint64_t value = 0;
};

// Each chunk's length must be what `state_bytes` and `chunk_bytes` give for its index.
std::string encode_state_message(const StateMessage& message);
// The message in `bytes` (views point into `bytes`), or nullopt with `why` set to one line.
std::optional<StateMessage> decode_state_message(std::string_view bytes, std::string* why = nullptr);

// Everything a frozen function host hands to its successor besides the tracked chunks: the VF's snapshot(),
// the chain's epoch, the last frame it took in, the next seq a source makes, and the frames it sent that
// the end of the chain has not acknowledged (the successor replays them).
struct HostState {
  std::string function_snapshot;
  std::uint64_t epoch = 0;
  std::uint64_t last_seq_in = 0;
  std::uint64_t next_seq = 1;
  std::uint64_t acked_seq = 0;
  std::deque<Frame> unacknowledged;
};

std::string encode_host_state(const HostState& state);
std::optional<HostState> decode_host_state(std::string_view bytes, std::string* why = nullptr);

}  // namespace vfo::runtime
