// The VF SDK's C ABI (vfo/sdk/vfo_sdk.h) on the runtime's function host: a vfo_function becomes a
// VirtualFunction, served by serve_function_host() as vfo-function serves the built-in ones.
#include "vfo/sdk/vfo_sdk.h"

#include <fcntl.h>
#include <unistd.h>

#include <ext/stdio_filebuf.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "vfo/runtime/builtin_functions.hpp"
#include "vfo/runtime/function_process.hpp"
#include "vfo/runtime/tracked_state.hpp"
#include "vfo/runtime/virtual_function.hpp"

struct vfo_output {
  std::string bytes;
};

struct vfo_state {
  vfo::runtime::TrackedState tracked;
};

namespace {

using vfo::runtime::Frame;
using vfo::runtime::TrackedState;

vfo_state* running_state = nullptr;  // vfo_tracked_state()'s answer while vfo_run() runs

// A callback that failed ends the process: the agent reports the VF ended, and the orchestrator recovers it.
[[noreturn]] void callback_failed(const char* callback, int result, std::uint64_t seq) {
  std::fprintf(stderr, "vfo_run: %s returned %d (frame %llu): the VF ends\n", callback, result,
               static_cast<unsigned long long>(seq));
  std::fflush(stderr);
  std::_Exit(1);
}

class CallbackFunction final : public vfo::runtime::VirtualFunction {
 public:
  CallbackFunction(const vfo_function& f, std::string role) : f_(f), role_(std::move(role)) {
    if (f_.state_bytes > 0) state_ = std::make_unique<vfo_state>(vfo_state{TrackedState(f_.state_bytes)});
    if (role_ == "sink") record_ = std::make_unique<vfo::runtime::SinkFunction>(/*check_payloads=*/false);
  }
  std::string kind() const override { return role_; }
  std::string produce(std::uint64_t seq) override {
    vfo_output out;
    if (f_.produce != nullptr) {
      if (const int r = f_.produce(f_.user, seq, &out); r < 0) callback_failed("produce", r, seq);
    }
    return std::move(out.bytes);
  }
  std::optional<std::string> process(const Frame& frame) override {
    if (record_) record_->process(frame);
    if (f_.process == nullptr) return role_ == "sink" ? std::nullopt : std::optional<std::string>(frame.payload);
    const vfo_frame view{frame.seq, frame.epoch, frame.origin_ns,
                         reinterpret_cast<const std::uint8_t*>(frame.payload.data()), frame.payload.size()};
    vfo_output out;
    const int r = f_.process(f_.user, &view, &out);
    if (r < 0) callback_failed("process", r, frame.seq);
    if (r == 0) return std::nullopt;
    return std::move(out.bytes);
  }
  // A sink's state: "<length of the VF's>\n", the VF's, then the record's (which moves with it).
  std::string snapshot() const override {
    vfo_output out;
    if (f_.snapshot != nullptr) {
      if (const int r = f_.snapshot(f_.user, &out); r < 0) callback_failed("snapshot", r, 0);
    }
    if (!record_) return std::move(out.bytes);
    return std::to_string(out.bytes.size()) + "\n" + out.bytes + record_->snapshot();
  }
  void restore(std::string_view state) override {
    if (record_) {
      const auto newline = state.find('\n');
      const std::size_t length = newline == std::string_view::npos ? 0 : std::strtoull(state.data(), nullptr, 10);
      if (newline == std::string_view::npos || length > state.size() - newline - 1) {
        throw std::invalid_argument("a sink's state without its length line");
      }
      record_->restore(state.substr(newline + 1 + length));
      state = state.substr(newline + 1, length);
    }
    if (f_.restore == nullptr) return;
    const int r = f_.restore(f_.user, reinterpret_cast<const std::uint8_t*>(state.data()), state.size());
    if (r < 0) callback_failed("restore", r, 0);
  }
  const vfo::runtime::SinkFunction* record() const { return record_.get(); }
  TrackedState* tracked_state() override { return state_ ? &state_->tracked : nullptr; }
  vfo_state* state() { return state_.get(); }

 private:
  vfo_function f_;
  std::string role_;
  std::unique_ptr<vfo_state> state_;
  // A sink's record of what reached it (seqs, latency), for its stats as the built-in sink's.
  std::unique_ptr<vfo::runtime::SinkFunction> record_;
};

bool flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string(v) == "1";
}

}  // namespace

extern "C" {

void vfo_output_set(vfo_output* out, const void* data, size_t size) {
  if (out == nullptr) return;
  out->bytes.assign(static_cast<const char*>(data), data == nullptr ? 0 : size);
}

size_t vfo_state_size(const vfo_state* state) {
  return state == nullptr ? 0 : state->tracked.size();
}

const uint8_t* vfo_state_data(const vfo_state* state) {
  return state == nullptr ? nullptr : reinterpret_cast<const uint8_t*>(state->tracked.view().data());
}

int vfo_state_write(vfo_state* state, size_t offset, const void* data, size_t size) {
  if (state == nullptr || offset > state->tracked.size() || size > state->tracked.size() - offset) return -1;
  state->tracked.write(offset, std::string_view(static_cast<const char*>(data), size));
  return 0;
}

const char* vfo_role(void) {
  return std::getenv("VFO_ROLE");
}

vfo_state* vfo_tracked_state(void) {
  return running_state;
}

int vfo_run(const vfo_function* vf) {
  if (vf == nullptr || vf->abi_version == 0 || vf->abi_version > VFO_SDK_ABI_VERSION) {
    std::fprintf(stderr, "vfo_run: abi_version %u (this libvfo-sdk serves 1 to %u)\n",
                 vf == nullptr ? 0u : vf->abi_version, VFO_SDK_ABI_VERSION);
    return 2;
  }
  const std::string role = vfo_role() != nullptr ? vfo_role() : "";
  if (role != "source" && role != "compute" && role != "sink") {
    std::fprintf(stderr,
                 "vfo_run: VFO_ROLE is '%s' (expected source, compute or sink): this program is a VF, which its "
                 "agent starts (a manifest function of kind exec)\n",
                 role.c_str());
    return 2;
  }
  vfo::runtime::HostProcessOptions options;
  if (const char* fps = std::getenv("VFO_FPS"); fps != nullptr) {
    char* end = nullptr;
    options.fps = std::strtod(fps, &end);
    if (end == fps || *end != '\0' || !std::isfinite(options.fps) || options.fps <= 0 || options.fps > 10'000) {
      std::fprintf(stderr, "vfo_run: VFO_FPS is '%s' (expected a frame rate in (0, 10000])\n", fps);
      return 2;
    }
  }
  if (const char* bind = std::getenv("VFO_BIND"); bind != nullptr && *bind != '\0') options.bind = bind;
  options.incoming = flag("VFO_INCOMING");
  options.keys_from_stdin = flag("VFO_KEYS_FROM_STDIN");

  // The agent's pipes are the host's alone: the program's own prints go to its log (stderr), and it reads an
  // empty stdin.
  const int control_in = ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  const int control_out = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (control_in < 0 || control_out < 0 || null_in < 0 || ::dup2(null_in, STDIN_FILENO) < 0 ||
      ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    std::perror("vfo_run: cannot set up its pipes");
    return 1;
  }
  ::close(null_in);
  __gnu_cxx::stdio_filebuf<char> in_buffer(control_in, std::ios::in);
  __gnu_cxx::stdio_filebuf<char> out_buffer(control_out, std::ios::out);
  std::istream in(&in_buffer);
  std::ostream out(&out_buffer);

  auto function = std::make_shared<CallbackFunction>(*vf, role);
  running_state = function->state();
  const int code = vfo::runtime::serve_function_host(function, options, in, out, "vfo_run", function->record());
  running_state = nullptr;
  return code;
}

}  // extern "C"
