#pragma once
// Live migration between two function hosts (the paper's Algorithm 3 on real processes): what the
// orchestrator orders the source host to do and what it reports. The source keeps running while it copies
// its VF's tracked state (vfo/runtime/tracked_state.hpp) to the target's state endpoint, in rounds of the
// chunks written meanwhile, until what is marked is at most `threshold_bytes` or `max_rounds` rounds are
// done; then it freezes (takes no more frames), sends the rest with its snapshot() and its delivery state
// (vfo/runtime/state_transfer.hpp), and the target restores. The orchestrator then rewires the chain with a
// new epoch: the upstream VF replays to the target what the end of the chain has not acknowledged.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vfo/runtime/data_plane_keys.hpp"

namespace vfo::runtime {

struct MigrationOrder {
  std::string target;                               // the target host's state endpoint (tcp://...)
  int max_rounds = 8;                               // pre-copy rounds before the freeze; 0: stop-and-copy
  std::uint64_t threshold_bytes = 256 << 10;        // freeze once the chunks marked are at most this many bytes
  bool verify = false;                              // both hosts digest the state at the freeze (adds to the downtime)
  std::chrono::milliseconds stall_timeout{30'000};  // give up when the target says nothing for this long
  // After this long copying, freeze at once, whatever is left: the round in progress is cut short (a VF slowed
  // by an overloading node copies slowly, and the overload is coming).
  std::chrono::milliseconds precopy_limit{20'000};
  // The one-time key the target's state socket takes (vfo/runtime/data_plane_keys.hpp); empty: the cluster's.
  CurveKeyPair key;
};

struct MigrationRound {
  std::uint64_t bytes = 0;
  double seconds = 0;  // from its first chunk sent to the target's word that all are in
};

// Times are steady-clock nanoseconds (CLOCK_MONOTONIC: one clock for every process of the machine).
struct MigrationReport {
  std::string error;                   // empty when it worked; on failure the source runs on, unfrozen
  std::vector<MigrationRound> rounds;  // the pre-copy rounds, then the freeze's copy (always last)
  std::uint64_t state_bytes = 0;       // the tracked state's size
  std::int64_t start_ns = 0;           // the order arrived
  std::int64_t freeze_ns = 0;          // the source took its last frame
  std::int64_t restored_ns = 0;        // the target's word that it restored
  std::uint64_t source_digest = 0;     // with verify: the state at the freeze
  std::uint64_t target_digest = 0;     // with verify: the state the target restored
  bool ok() const { return error.empty(); }
  int precopy_rounds() const { return rounds.empty() ? 0 : static_cast<int>(rounds.size()) - 1; }
};

}  // namespace vfo::runtime

namespace vfo::runtime {

// Now on the steady clock (CLOCK_MONOTONIC), in nanoseconds: the clock of every time in a MigrationReport.
inline std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The report as one JSON object (how vfo-function and the agent pass it on) and back; nullopt with `why` when
// the text is not such an object.
std::string migration_report_json(const MigrationReport& report);
std::optional<MigrationReport> parse_migration_report(const std::string& json, std::string* why = nullptr);

}  // namespace vfo::runtime
