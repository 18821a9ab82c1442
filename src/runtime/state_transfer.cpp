#include "vfo/runtime/state_transfer.hpp"

#include <algorithm>
#include <cstring>

#include "runtime/wire_codec.hpp"

namespace vfo::runtime {
namespace {

constexpr char kMagic[4] = {'V', 'F', 'O', 'S'};
constexpr std::size_t kHeader = 4 + 1 + 1 + 4;
constexpr std::uint32_t kMaxFrames = 1u << 20;  // unacknowledged frames a host state may carry

bool refuse(std::string* why, const std::string& reason) {
  if (why != nullptr) *why = reason;
  return false;
}

std::size_t chunk_length(std::uint64_t state_bytes, std::uint32_t chunk_bytes, std::uint32_t index) {
  const std::uint64_t begin = std::uint64_t{index} * chunk_bytes;
  return begin >= state_bytes ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(chunk_bytes, state_bytes - begin));
}

}  // namespace

std::string encode_state_message(const StateMessage& m) {
  std::string out(kMagic, 4);
  out.push_back(static_cast<char>(kWireVersion));
  out.push_back(static_cast<char>(m.kind));
  wire::put(out, m.round, 4);
  switch (m.kind) {
    case StateMessage::Kind::chunks: {
      std::size_t size = out.size() + 16;
      for (const auto& [index, data] : m.chunks) size += 4 + data.size();
      out.reserve(size);
      wire::put(out, m.state_bytes, 8);
      wire::put(out, m.chunk_bytes, 4);
      wire::put(out, m.chunks.size(), 4);
      for (const auto& [index, data] : m.chunks) {
        wire::put(out, index, 4);
        out.append(data);
      }
      break;
    }
    case StateMessage::Kind::round_end:
      break;
    case StateMessage::Kind::final_state:
      out.push_back(m.verify ? 1 : 0);
      wire::put(out, m.host_state.size(), 4);
      out.append(m.host_state);
      break;
    case StateMessage::Kind::round_done:
    case StateMessage::Kind::restored:
      wire::put(out, m.value, 8);
      break;
  }
  return out;
}

std::optional<StateMessage> decode_state_message(std::string_view bytes, std::string* why) {
  if (bytes.size() < kHeader) {
    refuse(why, "state message: " + std::to_string(bytes.size()) + " bytes, shorter than its header");
    return std::nullopt;
  }
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) {
    refuse(why, "state message: wrong magic");
    return std::nullopt;
  }
  if (static_cast<std::uint8_t>(bytes[4]) != kWireVersion) {
    refuse(why, "state message: version " + std::to_string(static_cast<unsigned char>(bytes[4])));
    return std::nullopt;
  }
  StateMessage m;
  const auto kind = static_cast<std::uint8_t>(bytes[5]);
  if (kind < 1 || kind > 5) {
    refuse(why, "state message: unknown kind " + std::to_string(kind));
    return std::nullopt;
  }
  m.kind = static_cast<StateMessage::Kind>(kind);
  wire::Reader in(bytes, 6);
  m.round = static_cast<std::uint32_t>(in.number(4));
  switch (m.kind) {
    case StateMessage::Kind::chunks: {
      m.state_bytes = in.number(8);
      m.chunk_bytes = static_cast<std::uint32_t>(in.number(4));
      const auto count = static_cast<std::uint32_t>(in.number(4));
      if (in.failed() || m.chunk_bytes == 0) {
        refuse(why, "state message: chunks header truncated or chunk size 0");
        return std::nullopt;
      }
      for (std::uint32_t i = 0; i < count && !in.failed(); ++i) {
        const auto index = static_cast<std::uint32_t>(in.number(4));
        const std::size_t length = chunk_length(m.state_bytes, m.chunk_bytes, index);
        if (length == 0) {
          refuse(why, "state message: chunk " + std::to_string(index) + " is past the end of the state");
          return std::nullopt;
        }
        m.chunks.emplace_back(index, in.bytes(length));
      }
      break;
    }
    case StateMessage::Kind::round_end:
      break;
    case StateMessage::Kind::final_state: {
      m.verify = in.number(1) != 0;
      const std::uint64_t length = in.number(4);
      m.host_state = in.bytes(static_cast<std::size_t>(length));
      break;
    }
    case StateMessage::Kind::round_done:
    case StateMessage::Kind::restored:
      m.value = in.number(8);
      break;
  }
  if (in.failed() || !in.at_end()) {
    refuse(why, "state message: its length disagrees with its fields");
    return std::nullopt;
  }
  return m;
}

std::string encode_host_state(const HostState& s) {
  std::string out;
  wire::put(out, s.function_snapshot.size(), 4);
  out += s.function_snapshot;
  wire::put(out, s.epoch, 8);
  wire::put(out, s.last_seq_in, 8);
  wire::put(out, s.next_seq, 8);
  wire::put(out, s.acked_seq, 8);
  wire::put(out, s.unacknowledged.size(), 4);
  for (const Frame& f : s.unacknowledged) {
    const std::string frame = encode_frame(f);
    wire::put(out, frame.size(), 4);
    out += frame;
  }
  return out;
}

std::optional<HostState> decode_host_state(std::string_view bytes, std::string* why) {
  wire::Reader in(bytes);
  HostState s;
  s.function_snapshot.assign(in.bytes(static_cast<std::size_t>(in.number(4))));
  s.epoch = in.number(8);
  s.last_seq_in = in.number(8);
  s.next_seq = in.number(8);
  s.acked_seq = in.number(8);
  const std::uint64_t frames = in.number(4);
  if (in.failed() || frames > kMaxFrames) {
    refuse(why, "host state: truncated header");
    return std::nullopt;
  }
  for (std::uint64_t i = 0; i < frames; ++i) {
    const std::string_view bytes_of_frame = in.bytes(static_cast<std::size_t>(in.number(4)));
    if (in.failed()) break;
    std::string frame_why;
    std::optional<Frame> f = decode_frame(bytes_of_frame, &frame_why);
    if (!f) {
      refuse(why, "host state: frame " + std::to_string(i) + ": " + frame_why);
      return std::nullopt;
    }
    s.unacknowledged.push_back(std::move(*f));
  }
  if (in.failed() || !in.at_end()) {
    refuse(why, "host state: its length disagrees with its fields");
    return std::nullopt;
  }
  return s;
}

}  // namespace vfo::runtime
