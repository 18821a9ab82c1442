#include "vfo/runtime/frame.hpp"

#include <cstring>

#include "runtime/wire_codec.hpp"

namespace vfo::runtime {
namespace {

constexpr char kFrameMagic[4] = {'V', 'F', 'O', 'F'};
constexpr char kAckMagic[4] = {'V', 'F', 'O', 'A'};
constexpr std::size_t kFrameHeader = 4 + 1 + 8 + 8 + 8 + 4;
constexpr std::size_t kAckSize = 4 + 1 + 8 + 8;

using wire::get;
using wire::put;

bool refuse(std::string* why, const std::string& reason) {
  if (why != nullptr) *why = reason;
  return false;
}

bool check_head(std::string_view bytes, const char (&magic)[4], std::size_t min_size, const char* what,
                std::string* why) {
  if (bytes.size() < min_size) {
    return refuse(why, std::string(what) + ": " + std::to_string(bytes.size()) + " bytes, shorter than its header (" +
                           std::to_string(min_size) + ")");
  }
  if (std::memcmp(bytes.data(), magic, 4) != 0) return refuse(why, std::string(what) + ": wrong magic");
  if (static_cast<std::uint8_t>(bytes[4]) != kWireVersion) {
    return refuse(why, std::string(what) + ": version " + std::to_string(static_cast<unsigned char>(bytes[4])) +
                           " (expected " + std::to_string(kWireVersion) + ")");
  }
  return true;
}

}  // namespace

std::string encode_frame(const Frame& frame) {
  std::string out(kFrameMagic, 4);
  out.reserve(kFrameHeader + frame.payload.size());
  out.push_back(static_cast<char>(kWireVersion));
  put(out, frame.epoch, 8);
  put(out, frame.seq, 8);
  put(out, static_cast<std::uint64_t>(frame.origin_ns), 8);
  put(out, frame.payload.size(), 4);
  out += frame.payload;
  return out;
}

std::string encode_ack(const Ack& ack) {
  std::string out(kAckMagic, 4);
  out.push_back(static_cast<char>(kWireVersion));
  put(out, ack.epoch, 8);
  put(out, ack.seq, 8);
  return out;
}

std::optional<Frame> decode_frame(std::string_view bytes, std::string* why) {
  if (!check_head(bytes, kFrameMagic, kFrameHeader, "frame", why)) return std::nullopt;
  Frame f;
  f.epoch = get(bytes, 5, 8);
  f.seq = get(bytes, 13, 8);
  f.origin_ns = static_cast<std::int64_t>(get(bytes, 21, 8));
  const std::uint64_t length = get(bytes, 29, 4);
  if (length > kMaxPayloadBytes) {
    refuse(why, "frame: payload of " + std::to_string(length) + " bytes, more than the limit");
    return std::nullopt;
  }
  if (bytes.size() != kFrameHeader + length) {
    refuse(why, "frame: payload length " + std::to_string(length) + " but " +
                    std::to_string(bytes.size() - kFrameHeader) + " bytes follow the header");
    return std::nullopt;
  }
  f.payload.assign(bytes.substr(kFrameHeader));
  return f;
}

std::optional<Ack> decode_ack(std::string_view bytes, std::string* why) {
  if (!check_head(bytes, kAckMagic, kAckSize, "ack", why)) return std::nullopt;
  if (bytes.size() != kAckSize) {
    refuse(why, "ack: " + std::to_string(bytes.size()) + " bytes (expected " + std::to_string(kAckSize) + ")");
    return std::nullopt;
  }
  return Ack{get(bytes, 5, 8), get(bytes, 13, 8)};
}

}  // namespace vfo::runtime
