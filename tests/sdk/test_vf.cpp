// A VF on the SDK's C++ face for the runtime's tests (vfo-test-vf). By its role: a source makes the built-in
// source's payloads (TEST_VF_PAYLOAD bytes, default 1000), so that the built-in sink checks them; a compute stage
// passes each payload on and rewrites TEST_VF_DIRTY bytes (default 16384) of a TEST_VF_STATE-byte tracked state
// (default 4 MB) per frame, round robin; a sink keeps nothing. TEST_VF_MODE plays a bad VF:
//   exit-at-start   exits 3 before it serves
//   silent          never serves (sleeps): the agent hears no ready line
//   fail-at=N       process() throws at frame N
//   alloc-mb=N      touches N MB at start, then serves
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/sdk/function.hpp"

namespace {

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

class TestVf final : public vfo::sdk::Function {
 public:
  TestVf(std::size_t payload, std::size_t dirty, std::uint64_t fail_at)
      : payload_(payload), dirty_(dirty), fail_at_(fail_at) {}

  std::string produce(std::uint64_t seq) override {
    std::string bytes(payload_, '\0');
    for (std::size_t i = 0; i < payload_; ++i) bytes[i] = static_cast<char>((seq * 131 + i) % 251);
    return bytes;
  }

  std::optional<std::string> process(const vfo::sdk::Frame& frame) override {
    if (fail_at_ != 0 && frame.seq == fail_at_)
      throw std::runtime_error("failing at frame " + std::to_string(fail_at_));
    vfo::sdk::TrackedState state;
    if (state.size() > 0) {
      std::string chunk(std::min(dirty_, state.size()), static_cast<char>(frame.seq));
      if (cursor_ + chunk.size() > state.size()) cursor_ = 0;
      state.write(cursor_, chunk);
      cursor_ += chunk.size();
    }
    ++frames_;
    if (vfo::sdk::role() == "sink") return std::nullopt;
    return std::string(frame.payload);
  }

  std::string snapshot() const override { return std::to_string(cursor_) + " " + std::to_string(frames_); }
  void restore(std::string_view state) override {
    unsigned long long cursor = 0, frames = 0;
    if (std::sscanf(std::string(state).c_str(), "%llu %llu", &cursor, &frames) != 2) {
      throw std::invalid_argument("a state that is not 'CURSOR FRAMES'");
    }
    cursor_ = cursor;
    frames_ = frames;
  }

 private:
  std::size_t payload_, dirty_;
  std::uint64_t fail_at_;
  std::size_t cursor_ = 0;
  std::uint64_t frames_ = 0;
};

}  // namespace

int main() {
  const std::string mode = std::getenv("TEST_VF_MODE") != nullptr ? std::getenv("TEST_VF_MODE") : "";
  if (mode == "exit-at-start") return 3;
  if (mode == "silent") {
    for (;;) ::pause();
  }
  std::uint64_t fail_at = 0;
  if (mode.rfind("fail-at=", 0) == 0) fail_at = std::strtoull(mode.c_str() + 8, nullptr, 10);
  if (mode.rfind("alloc-mb=", 0) == 0) {
    const std::size_t bytes = std::strtoull(mode.c_str() + 9, nullptr, 10) << 20;
    static std::vector<char> held;
    held.resize(bytes);
    for (std::size_t i = 0; i < bytes; i += 4096) held[i] = 1;  // touched: resident
  }
  const std::size_t state = vfo::sdk::role() == "compute" ? env_size("TEST_VF_STATE", 4u << 20) : 0;
  TestVf vf(env_size("TEST_VF_PAYLOAD", 1000), env_size("TEST_VF_DIRTY", 16384), fail_at);
  return vfo::sdk::run(vf, state);
}
