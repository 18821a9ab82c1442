#pragma once
// What crosses the data plane of a running chain (docs/model.md, Migration): frames downstream, acknowledgements
// upstream. A frame carries the source's sequence number and the chain's wiring epoch; an ack says that
// every frame up to `seq` reached the end of the chain. Both have a fixed little-endian binary layout, so a
// VF on ARM and one on x86 read each other:
//   frame: "VFOF" | version u8 | epoch u64 | seq u64 | origin_ns i64 | payload length u32 | payload
//   ack:   "VFOA" | version u8 | epoch u64 | seq u64
// Decoding never trusts the bytes: anything malformed is refused with a one-line reason.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfo::runtime {

inline constexpr std::uint8_t kWireVersion = 1;
inline constexpr std::size_t kMaxPayloadBytes = 64u << 20;  // a frame larger than 64 MiB is refused

struct Frame {
  std::uint64_t epoch = 0;     // the chain's wiring epoch when it was sent
  std::uint64_t seq = 0;       // the source's sequence number: 1, 2, 3, ...
  std::int64_t origin_ns = 0;  // when the source made it (steady clock), for end-to-end latency
  std::string payload;
};

struct Ack {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;  // cumulative: every frame up to seq was delivered
};

std::string encode_frame(const Frame& frame);
std::string encode_ack(const Ack& ack);

// The frame or ack in `bytes`, or nullopt with `why` (when given) set to one line: wrong magic, version,
// size, or a payload length that disagrees with the bytes.
std::optional<Frame> decode_frame(std::string_view bytes, std::string* why = nullptr);
std::optional<Ack> decode_ack(std::string_view bytes, std::string* why = nullptr);

}  // namespace vfo::runtime
