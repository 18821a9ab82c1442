#pragma once
// The C++ SDK of a virtual function: what a VF implements to run in a function host. The host
// calls it from one thread, frame by frame, in order; the VF owns its state and can hand it over
// (snapshot/restore) so that the runtime can move it between nodes at the application level (docs/model.md, Migration:
// across CPU architectures, without privileges).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vfo/runtime/frame.hpp"
#include "vfo/runtime/tracked_state.hpp"

namespace vfo::runtime {

class VirtualFunction {
 public:
  virtual ~VirtualFunction() = default;
  virtual std::string kind() const = 0;  // "source", "compute", "sink", or a user kind

  // Sources only: the payload of the source's frame `seq` (the host calls it at the chain's fps).
  virtual std::string produce(std::uint64_t seq) {
    static_cast<void>(seq);
    return {};
  }
  // Every other VF: what to send downstream for one frame; nullopt sends nothing (a sink).
  virtual std::optional<std::string> process(const Frame& frame) = 0;

  // The VF's state as bytes, and the inverse: restore(snapshot()), with tracked_state() copied over, leaves the
  // VF as it was. A VF with a tracked state puts in snapshot() only what is not in it (small: it is copied
  // while the VF is frozen).
  virtual std::string snapshot() const { return {}; }
  virtual void restore(std::string_view state) { static_cast<void>(state); }

  // Live migration (pre-copy): a VF whose state is large keeps it in a TrackedState and returns it
  // here; the runtime copies its chunks while the VF runs, in rounds of those written meanwhile. nullptr (the
  // default): the whole state is in snapshot(). The VF owns it; it lives as long as the VF.
  virtual TrackedState* tracked_state() { return nullptr; }
};

}  // namespace vfo::runtime
