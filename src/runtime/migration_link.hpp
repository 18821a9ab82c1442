#pragma once
// The two ends of a live migration's state link (vfo/runtime/live_migration.hpp), driven step by step by the
// function hosts' threads: MigrationSender on the source, MigrationReceiver on the target. Each owns one
// ZeroMQ PAIR socket that its host polls. Private to src/runtime; not thread-safe.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/runtime/live_migration.hpp"
#include "vfo/runtime/state_transfer.hpp"
#include "vfo/runtime/tracked_state.hpp"

namespace vfo::runtime {

class MigrationSender {
 public:
  // `state` may be null (the VF keeps all of its state in snapshot()): then it freezes at once. With `cluster`,
  // the link is CURVE: it presents the order's one-time key (or, without one, the cluster's) to a target
  // serving with the cluster's key.
  MigrationSender(zmq::context_t& context, MigrationOrder order, TrackedState* state,
                  const CurveKeyPair* cluster = nullptr);

  // Moves the migration on without blocking. `take_host_state` is called once, at the freeze: from then on
  // the host takes no frame (frozen()); it returns the frozen host's state. Returns false once it is over
  // (see report(); on failure the host is no longer frozen()).
  bool step(const std::function<HostState()>& take_host_state);
  bool frozen() const { return frozen_; }
  const MigrationReport& report() const { return report_; }
  zmq::socket_t& socket() { return socket_; }

 private:
  enum class Phase { sending, awaiting_round, awaiting_restored, over };
  void start_round(std::vector<std::uint32_t> chunks);
  // Adds the round in progress, ended at `end_ns`, to the report.
  void record_round(std::int64_t end_ns);
  void send_pending();
  void fail(const std::string& why);
  void freeze(const std::function<HostState()>& take_host_state);

  MigrationOrder order_;
  TrackedState* state_;
  zmq::socket_t socket_;
  Phase phase_ = Phase::sending;
  bool frozen_ = false;
  std::uint32_t round_ = 0;
  std::vector<std::uint32_t> pending_;  // the round's chunks
  std::size_t next_ = 0;                // the next of them to send
  std::uint64_t round_bytes_ = 0;
  std::int64_t round_start_ns_ = 0;
  std::string host_state_;  // sent after the freeze's chunks
  std::string snapshot_;    // the VF's, at the freeze (for the digest)
  std::chrono::steady_clock::time_point last_heard_;
  MigrationReport report_;
};

class MigrationReceiver {
 public:
  // Binds its PAIR socket on an ephemeral port of `bind_address`. Throws std::runtime_error if it cannot. With
  // `cluster`, it serves CURVE with the cluster's key in the state domain (curve_sockets.hpp: the host's
  // HandshakeGuard decides which client key it takes).
  MigrationReceiver(zmq::context_t& context, const std::string& bind_address, TrackedState* state,
                    const CurveKeyPair* cluster = nullptr);
  const std::string& endpoint() const { return endpoint_; }

  // Handles what has arrived. `restore` gets the frozen source's state once everything is in; it returns
  // false with a reason when it cannot take it. Malformed messages are counted in `malformed` with the reason.
  void step(const std::function<bool(const HostState&, std::string*)>& restore);
  bool restored() const { return restored_; }
  std::uint64_t digest() const { return digest_; }  // with verify: of the restored state
  std::uint64_t malformed() const { return malformed_; }
  const std::string& last_error() const { return last_error_; }
  zmq::socket_t& socket() { return socket_; }

 private:
  void on_message(std::string_view bytes, const std::function<bool(const HostState&, std::string*)>& restore);
  TrackedState* state_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::uint64_t round_bytes_ = 0;
  bool restored_ = false;
  std::uint64_t digest_ = 0;
  std::uint64_t malformed_ = 0;
  std::string last_error_;
};

// The digest both ends compare: the tracked bytes, then the VF's snapshot().
std::uint64_t function_state_digest(const TrackedState* state, std::string_view snapshot);

}  // namespace vfo::runtime
