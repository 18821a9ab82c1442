#include "vfo/runtime/tracked_state.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace vfo::runtime {

TrackedState::TrackedState(std::size_t bytes, std::size_t chunk_bytes)
    : chunk_bytes_(chunk_bytes), bytes_(bytes, '\0') {
  if (chunk_bytes == 0) throw std::invalid_argument("TrackedState: chunk_bytes must be > 0");
  marks_.assign((bytes + chunk_bytes - 1) / chunk_bytes, 0);
}

std::string_view TrackedState::chunk(std::size_t index) const {
  const std::size_t begin = index * chunk_bytes_;
  return std::string_view(bytes_).substr(begin, std::min(chunk_bytes_, bytes_.size() - begin));
}

void TrackedState::write(std::size_t offset, std::string_view data) {
  if (data.empty()) return;
  if (offset > bytes_.size() || data.size() > bytes_.size() - offset) {
    throw std::out_of_range("TrackedState::write: past the end of the state");
  }
  std::memcpy(bytes_.data() + offset, data.data(), data.size());
  const std::size_t last = (offset + data.size() - 1) / chunk_bytes_;
  for (std::size_t i = offset / chunk_bytes_; i <= last; ++i) {
    marked_ += marks_[i] == 0;
    marks_[i] = 1;
  }
}

std::size_t TrackedState::marked_bytes() const {
  std::size_t bytes = marked_ * chunk_bytes_;
  if (!marks_.empty() && marks_.back() != 0) bytes -= chunk_bytes_ - chunk(marks_.size() - 1).size();
  return bytes;
}

void TrackedState::mark_all() {
  std::fill(marks_.begin(), marks_.end(), 1);
  marked_ = marks_.size();
}

std::vector<std::uint32_t> TrackedState::take_marked() {
  std::vector<std::uint32_t> out;
  out.reserve(marked_);
  for (std::size_t i = 0; i < marks_.size(); ++i) {
    if (marks_[i] != 0) out.push_back(static_cast<std::uint32_t>(i));
    marks_[i] = 0;
  }
  marked_ = 0;
  return out;
}

bool TrackedState::load_chunk(std::size_t index, std::string_view data) {
  if (index >= marks_.size() || data.size() != chunk(index).size()) return false;
  std::memcpy(bytes_.data() + index * chunk_bytes_, data.data(), data.size());
  return true;
}

std::uint64_t state_digest(std::string_view bytes, std::uint64_t seed) {
  constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  std::uint64_t h = seed;
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, 8);
    h = (h ^ word) * kPrime;
  }
  for (; i < bytes.size(); ++i) h = (h ^ static_cast<unsigned char>(bytes[i])) * kPrime;
  return (h ^ bytes.size()) * kPrime;
}

}  // namespace vfo::runtime
