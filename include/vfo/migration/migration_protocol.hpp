#pragma once
// Migration protocol models (docs/model.md, Migration), pure (no SimGrid), shared by every study: stop-and-copy,
// pre-copy, and post-copy with demand paging, with active push and with pre-paging. Each protocol is
// given as its phases (prepare, rounds, freeze, resume, fault service, push) with durations and bytes,
// in closed form over a link of constant bandwidth and round-trip time. The simulator runs the same
// transfers as SimGrid flows (for pre-copy through PrecopyMigration).
#include <string>
#include <vector>

#include "vfo/migration/precopy.hpp"

namespace vfo {

enum class MigrationProtocol { stop_and_copy, precopy, postcopy_demand, postcopy_active_push, postcopy_prepaging };

// "stop-and-copy", "pre-copy", "post-copy-demand", "post-copy-push", "post-copy-prepaging".
const char* protocol_name(MigrationProtocol protocol);
// The inverse of protocol_name; throws std::invalid_argument naming the accepted values.
MigrationProtocol parse_protocol(const std::string& name);
// Every protocol's name, in the enum's order.
std::vector<std::string> protocol_names();

// What post-copy freezes and sends before it resumes the VF on the target: the CPU context (registers,
// execution state), a small fixed size.
inline constexpr double kPostcopyContextBytes = 64 * 1024;

struct MigrationPhase {
  enum class Kind {
    prepare,        // the target gets ready (e.g. pulls the image); the VF runs on the source
    round,          // pre-copy: one round of copying while the VF runs
    freeze,         // the VF is stopped; what must move before it resumes is copied
    resume,         // the VF starts on the target and the chain is rewired (switch_s)
    fault_service,  // post-copy: the VF is stalled on page faults, each served from the source
    push,           // post-copy: pages sent ahead of faults (active push, pre-paging) or pulled after them
  };
  Kind kind = Kind::prepare;
  double start_s = 0;      // from the start of the migration; each phase starts where the one before ends
  double duration_s = 0;   // >= 0
  double bytes = 0;        // put on the link during the phase
  bool vf_running = true;  // false while the VF is stopped (freeze, resume) or stalled on faults
};

struct MigrationInputs {
  double state_bytes = 0;     // the VF's state (memory) to move, >= 0
  double dirty_rate_bps = 0;  // bytes/s the running VF rewrites (pre-copy only; post-copy writes on the target)
  double page_bytes = 4096;   // post-copy: the unit a fault moves, > 0
  // Post-copy: the fraction of the state the VF touches soon after it resumes; a touched page that is
  // not yet on the target faults. In [0, 1].
  double working_set_fraction = 0.25;
  double prepare_s = 0;    // before any transfer, the VF still running on the source (0: image already present)
  double switch_s = 0.05;  // resume on the target and rewire the previous and next VF
  PrecopyConfig precopy;
  // Post-copy with pre-paging: the fraction of the working set sent ahead of faults, predicted from
  // locality. In [0, 1].
  double prepaging_fraction = 0.5;
};

struct MigrationTimeline {
  std::vector<MigrationPhase> phases;  // in order, back to back from t = 0
  double downtime_s = 0;               // the VF stopped: sum of the freeze and resume phases (the classic downtime)
  double stall_s = 0;                  // post-copy: the VF resumed but waiting on page faults (fault_service phases)
  double total_s = 0;     // sum of all durations: until the whole state is on the target and the VF runs there
  double bytes = 0;       // sum of the phases' bytes
  int rounds = 0;         // pre-copy rounds (0 for the other protocols)
  int faults = 0;         // post-copy page faults (0 for the other protocols)
  bool converged = true;  // pre-copy: ended below stop_bytes, not by the round cap; true for the others
};

// The migration over a link of `bandwidth_bps` (> 0, bytes/s, not shared) and `rtt_s` (>= 0), in
// closed form. Notation: S = state_bytes, B = bandwidth_bps, T = rtt_s, P = page_bytes,
// C = kPostcopyContextBytes, sw = switch_s, prep = prepare_s. Every timeline starts with a prepare
// phase (prep, VF running, 0 bytes). Bulk transfers take bytes / B (their one-way latency is ignored,
// as in precopy_on_link); a page fault costs a round trip, since its request must reach the source first.
//
// stop-and-copy: freeze (S / B, S bytes), resume (sw).
//   downtime = S / B + sw; total = prep + downtime; bytes = S.
// pre-copy: PrecopyMigration's rounds, each round k of b_k bytes taking b_k / B with the VF running
//   (b_1 = S, then what was dirtied meanwhile), then freeze (F / B, F = the dirty rest), resume (sw).
//   downtime = F / B + sw; total = prep + sum(b_k) / B + downtime; bytes = sum(b_k) + F;
//   rounds, converged as PrecopyMigration (the same as precopy_on_link).
// post-copy (all three): freeze only the context (C / B, C bytes), resume (sw) on the target at once;
//   then the state comes over. w = ceil(working_set_fraction * S / P) working-set pages; a protocol
//   faults on f = ceil(w * m) of them, m the fraction of the working set missing when touched. A fault
//   stalls the VF T + P / B; stalls are not downtime (the VF has resumed) but stall_s. Faults are aggregated: one
//   fault_service phase stands for all of them (for active push they are spread over the push in reality; listing them
//   first changes no sum). Every page crosses the link once: bytes = C + S. rounds = 0, converged = true.
//   - demand paging (m = 1): fault_service (f * (T + P / B), VF stalled, f pages), then the rest is
//     pulled in the background: push ((S - f P) / B, running). The link idles during each fault's round
//     trip: downtime = C / B + sw; stall = f (T + P / B); total = prep + (C + S) / B + sw + f T.
//   - active push (m = 1/2): from resume the source pushes the whole state in sequence while faults are
//     served out of order, and the link never idles. A working-set page faults only if the push has not
//     sent it when it is touched; with touch times and push positions independent and uniform over the
//     push, P(pushed before touched) = 1/2, so f = ceil(w / 2). The stalls (d = f (T + P / B) in all)
//     overlap the push: fault_service (d, VF stalled, min(S, d B) bytes: the faulted pages and what was
//     pushed meanwhile), then push (the rest, running). downtime = C / B + sw; stall = d;
//     total = prep + C / B + sw + max(S / B, d).
//   - pre-paging (m = 1 - prepaging_fraction): the predicted w - f pages are sent first (push, running,
//     no faults for them), the f others fault as in demand paging, then the rest is pushed.
//     downtime = C / B + sw; stall = f (T + P / B); total = prep + (C + S) / B + sw + f T.
// Page bytes are capped by what is left of S (the last page of a state may be partial).
// Throws std::invalid_argument on a negative state, dirty rate, prepare_s, switch_s or rtt, on a
// bandwidth or page size <= 0, or on a fraction outside [0, 1].
MigrationTimeline migration_on_link(MigrationProtocol protocol, const MigrationInputs& inputs, double bandwidth_bps,
                                    double rtt_s);

}  // namespace vfo
