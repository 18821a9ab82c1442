#pragma once
// Runs one VF on the data plane: frames in and out over ZeroMQ PUSH/PULL, acknowledgements the
// other way, exactly-once delivery across rewirings (vfo/runtime/delivery.hpp), and fencing by epoch. One
// thread per host does all socket work; the public functions are thread-safe.
//
// Sockets: the host binds a PULL socket for frames (data_endpoint) and one for acks (ack_endpoint), on an
// ephemeral port of `bind_address`. A rewire gives the chain's new epoch, the downstream's data endpoint
// and the upstream's ack endpoint; the host then connects to them (fresh sockets: whatever was queued for a
// dead peer is dropped) and sends again every frame not yet acknowledged, with the new epoch.
// A malformed message is counted and dropped, as is a frame or ack too far ahead of what the host has seen to
// be real (kMaxSeqJump, kMaxEpochJump in vfo/runtime/delivery.hpp) and an ack of an older epoch (as `stale`);
// none of them ever stops the host.
//
// Security (vfo/runtime/data_plane_keys.hpp): with a cluster key pair every socket speaks CURVE. The data and
// ack sockets take only clients presenting the cluster key, an incoming host's state socket only the
// migration's one-time key; a refused handshake is counted (`refused`) and never reaches the VF.
//
// Live migration (vfo/runtime/live_migration.hpp): a host started with `incoming` also binds a state
// endpoint and takes no frame until a source host has handed it its state; migrate_out() makes this host
// such a source.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/runtime/live_migration.hpp"
#include "vfo/runtime/virtual_function.hpp"

namespace vfo::runtime {

struct Wiring {
  std::uint64_t epoch = 0;
  std::string downstream_data;  // empty: none (the sink)
  std::string upstream_ack;     // empty: none (the source)
};

struct HostCounters {
  std::uint64_t produced = 0;    // source: frames made
  std::uint64_t accepted = 0;    // frames processed
  std::uint64_t duplicates = 0;  // replayed frames already seen, dropped
  std::uint64_t stale = 0;       // frames and acks of an older epoch, dropped (fencing)
  std::uint64_t malformed = 0;   // messages that were not a frame or an ack, or too far ahead to be real
  std::uint64_t refused = 0;     // connections refused at the handshake (no CURVE, an unknown key, garbage)
  std::uint64_t sent = 0;        // frames sent downstream, replays included
  std::uint64_t replayed = 0;    // frames sent again after a rewire
  std::uint64_t acked_seq = 0;   // the end of the chain has every frame up to this one
  std::uint64_t epoch = 0;
  std::string last_error;             // the last malformed message's reason
  std::string last_refusal;           // the last refused handshake's
  std::int64_t first_frame_ns = 0;    // when it first processed (or, a source, produced) a frame; steady clock
  bool frozen = false;                // a migration source that took its last frame
  bool awaiting_state = false;        // an incoming host not restored yet
  std::uint64_t restored_digest = 0;  // an incoming host, restored with verify: its state's digest
};

class FunctionHost {
 public:
  struct Options {
    double fps = 0;                  // sources: frames per second (> 0)
    std::size_t max_unacked = 4096;  // frames kept for replay; a full log stops intake (backpressure)
    std::string bind_address = "127.0.0.1";
    bool incoming = false;       // the target of a live migration: waits for its state (state_endpoint())
    DataPlaneSecurity security;  // empty cluster key: no CURVE
  };

  FunctionHost(std::shared_ptr<VirtualFunction> vf, Options options);
  ~FunctionHost();  // stop()
  FunctionHost(const FunctionHost&) = delete;
  FunctionHost& operator=(const FunctionHost&) = delete;

  // Binds the two PULL sockets and starts the host's thread. Throws std::runtime_error if it cannot bind.
  void start();
  const std::string& data_endpoint() const { return data_endpoint_; }
  const std::string& ack_endpoint() const { return ack_endpoint_; }
  const std::string& state_endpoint() const { return state_endpoint_; }  // empty unless `incoming`

  // Applied by the host's thread within a few milliseconds; a source starts producing at its first wiring.
  void rewire(const Wiring& wiring);
  // Stops at once, without a word to its neighbours (as a process killed with SIGKILL), and joins.
  void stop();

  // Starts a live migration of this host's VF to an incoming host; migration_report() tells when it is over.
  // An order while one runs, or to an incoming host, is refused (its report says why). Clears the last report.
  void migrate_out(const MigrationOrder& order);
  // The last migration's report, once it is over; nullopt before.
  std::optional<MigrationReport> migration_report() const;

  HostCounters counters() const;
  VirtualFunction& function() { return *vf_; }

 private:
  struct Sockets;
  class Loop;

  std::shared_ptr<VirtualFunction> vf_;
  Options options_;
  std::unique_ptr<Sockets> sockets_;
  std::string data_endpoint_;
  std::string ack_endpoint_;
  std::string state_endpoint_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;  // guards pending_, pending_migration_, report_ and counters_
  std::optional<Wiring> pending_;
  std::optional<MigrationOrder> pending_migration_;
  std::optional<MigrationReport> report_;
  HostCounters counters_;
};

}  // namespace vfo::runtime
