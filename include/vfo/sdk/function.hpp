#pragma once
// The VF SDK's C++ face: a class with process() (and produce() for a source, snapshot()/restore() for state
// kept outside the tracked one) is a complete VF; run() serves it (vfo/sdk/vfo_sdk.h says how and under what
// contract). Header-only over the C ABI, so a VF links libvfo-sdk.so and nothing else of vfo.
//
//   class Detect : public vfo::sdk::Function {
//     std::optional<std::string> process(const vfo::sdk::Frame& f) override { return std::string(f.payload); }
//   };
//   int main() { Detect d; return vfo::sdk::run(d); }
//
// An exception that leaves a callback ends the VF as a failed callback does (its what() on stderr).
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "vfo/sdk/vfo_sdk.h"

namespace vfo::sdk {

struct Frame {
  std::uint64_t seq = 0;
  std::uint64_t epoch = 0;
  std::int64_t origin_ns = 0;
  std::string_view payload;
};

class Function {
 public:
  virtual ~Function() = default;
  // A source's payload of frame `seq`.
  virtual std::string produce(std::uint64_t seq) {
    static_cast<void>(seq);
    return {};
  }
  // What to send on for `frame`; nullopt sends nothing (a sink).
  virtual std::optional<std::string> process(const Frame& frame) { return std::string(frame.payload); }
  // The state outside tracked_state(), and its inverse (on a live migration's target, before its first frame).
  virtual std::string snapshot() const { return {}; }
  virtual void restore(std::string_view state) { static_cast<void>(state); }
};

// The tracked state run() was given room for (live migration copies it while the VF runs; write it only with
// write()). Valid while run() runs; empty otherwise.
class TrackedState {
 public:
  TrackedState() : state_(vfo_tracked_state()) {}
  std::size_t size() const { return vfo_state_size(state_); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(vfo_state_data(state_)), vfo_state_size(state_)};
  }
  // False (nothing written) past the end.
  bool write(std::size_t offset, std::string_view data) {
    return vfo_state_write(state_, offset, data.data(), data.size()) == 0;
  }

 private:
  vfo_state* state_;
};

// The role the agent gave ("source", "compute", "sink"), or "" when the program was not started by an agent.
inline std::string role() {
  const char* r = vfo_role();
  return r != nullptr ? r : "";
}

namespace detail {

template <typename Call>
int guarded(const char* what, Call&& call) {
  try {
    return call();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", what, e.what());
  } catch (...) {
    std::fprintf(stderr, "%s: an exception that is not a std::exception\n", what);
  }
  return -1;
}

inline int produce(void* user, std::uint64_t seq, vfo_output* out) {
  return guarded("produce", [&] {
    const std::string bytes = static_cast<Function*>(user)->produce(seq);
    vfo_output_set(out, bytes.data(), bytes.size());
    return 1;
  });
}

inline int process(void* user, const vfo_frame* frame, vfo_output* out) {
  return guarded("process", [&] {
    const Frame f{frame->seq, frame->epoch, frame->origin_ns,
                  std::string_view(reinterpret_cast<const char*>(frame->payload), frame->size)};
    const std::optional<std::string> next = static_cast<Function*>(user)->process(f);
    if (!next) return 0;
    vfo_output_set(out, next->data(), next->size());
    return 1;
  });
}

inline int snapshot(void* user, vfo_output* out) {
  return guarded("snapshot", [&] {
    const std::string bytes = static_cast<const Function*>(user)->snapshot();
    vfo_output_set(out, bytes.data(), bytes.size());
    return 0;
  });
}

inline int restore(void* user, const std::uint8_t* data, std::size_t size) {
  return guarded("restore", [&] {
    static_cast<Function*>(user)->restore(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
  });
}

}  // namespace detail

// Serves `function` until its agent stops it, with a tracked state of `state_bytes` (0: none); returns main()'s
// exit code.
inline int run(Function& function, std::size_t state_bytes = 0) {
  const vfo_function f{VFO_SDK_ABI_VERSION, &function,        &detail::produce, &detail::process,
                       &detail::snapshot,   &detail::restore, state_bytes};
  return vfo_run(&f);
}

}  // namespace vfo::sdk
