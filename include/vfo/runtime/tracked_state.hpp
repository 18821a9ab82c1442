#pragma once
// The SDK's dirty tracking for live migration: a VF's large state as fixed-size chunks, with a mark
// on every chunk written since the runtime last took the marks. Pre-copy sends every chunk once, then in
// rounds the chunks marked meanwhile, until few are left; it freezes the VF only for the last of them.
// Written by the VF from the host's thread; read by the same thread (the host sends chunks between frames),
// so it needs no lock. Not thread-safe.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vfo::runtime {

class TrackedState {
 public:
  static constexpr std::size_t kDefaultChunkBytes = 4096;  // a memory page, as a hypervisor tracks

  // `bytes` zero bytes in chunks of `chunk_bytes` (> 0; the last chunk may be shorter). No chunk is marked.
  explicit TrackedState(std::size_t bytes, std::size_t chunk_bytes = kDefaultChunkBytes);

  std::size_t size() const { return bytes_.size(); }
  std::size_t chunk_bytes() const { return chunk_bytes_; }
  std::size_t chunk_count() const { return marks_.size(); }
  std::string_view view() const { return bytes_; }
  std::string_view chunk(std::size_t index) const;  // index < chunk_count()

  // Copies `data` to `offset` (offset + data.size() <= size()) and marks the chunks it touches.
  void write(std::size_t offset, std::string_view data);

  std::size_t marked_count() const { return marked_; }
  std::size_t marked_bytes() const;  // the bytes of the marked chunks
  void mark_all();
  // The marked chunks, in increasing order; clears the marks.
  std::vector<std::uint32_t> take_marked();

  // The receiving side: sets chunk `index` to `data` (its exact length), without marking it. False (and
  // nothing changes) when the index or the length does not fit this state.
  bool load_chunk(std::size_t index, std::string_view data);

 private:
  std::size_t chunk_bytes_;
  std::string bytes_;
  std::vector<std::uint8_t> marks_;
  std::size_t marked_ = 0;
};

// A 64-bit digest of `bytes` (FNV-1a over 8-byte words), to check that a migrated state equals the source's.
std::uint64_t state_digest(std::string_view bytes, std::uint64_t seed = 0xcbf29ce484222325ULL);

}  // namespace vfo::runtime
