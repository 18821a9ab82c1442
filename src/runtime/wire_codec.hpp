#pragma once
// Little-endian fixed-width fields for the runtime's binary messages (frames, acks, state transfer), so that
// an ARM node and an x86 node read each other. Private to src/runtime.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vfo::runtime::wire {

inline void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline std::uint64_t get(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[at + i])} << (8 * i);
  return v;
}

// Reads fields one after the other; any read past the end sets failed() and returns zeros / empty.
class Reader {
 public:
  explicit Reader(std::string_view in, std::size_t at = 0) : in_(in), at_(at) {}
  std::uint64_t number(int bytes) {
    if (!has(static_cast<std::size_t>(bytes))) return 0;
    const std::uint64_t v = get(in_, at_, bytes);
    at_ += static_cast<std::size_t>(bytes);
    return v;
  }
  std::string_view bytes(std::size_t n) {
    if (!has(n)) return {};
    const std::string_view v = in_.substr(at_, n);
    at_ += n;
    return v;
  }
  bool failed() const { return failed_; }
  bool at_end() const { return at_ == in_.size(); }

 private:
  bool has(std::size_t n) {
    if (failed_ || in_.size() - at_ < n) failed_ = true;
    return !failed_;
  }
  std::string_view in_;
  std::size_t at_;
  bool failed_ = false;
};

}  // namespace vfo::runtime::wire
