#include "vfo/migration/precopy.hpp"

#include <algorithm>

namespace vfo {

PrecopyMigration::PrecopyMigration(double state_bytes, double dirty_rate_bps, PrecopyConfig config)
    : state_bytes_(state_bytes), dirty_rate_bps_(dirty_rate_bps), config_(config), next_bytes_(state_bytes) {}

bool PrecopyMigration::finish_round(double seconds) {
  precopy_bytes_ += next_bytes_;
  ++rounds_;
  // What the running VF rewrote meanwhile; it cannot dirty more than its whole state.
  const double dirtied = std::min(state_bytes_, dirty_rate_bps_ * seconds);
  if (dirtied <= config_.stop_bytes || rounds_ >= config_.max_rounds) {
    converged_ = dirtied <= config_.stop_bytes;
    freeze_bytes_ = dirtied;
    next_bytes_ = 0;
    return true;
  }
  next_bytes_ = dirtied;
  return false;
}

PrecopyTimeline precopy_on_link(double state_bytes, double dirty_rate_bps, double bandwidth_bps, double switch_s,
                                PrecopyConfig config) {
  PrecopyMigration m(state_bytes, dirty_rate_bps, config);
  PrecopyTimeline t;
  for (;;) {
    const double seconds = m.next_round_bytes() / bandwidth_bps;
    t.precopy_s += seconds;
    if (m.finish_round(seconds)) break;
  }
  t.rounds = m.rounds();
  t.precopy_bytes = m.precopy_bytes();
  t.freeze_bytes = m.freeze_bytes();
  t.converged = m.converged();
  t.downtime_s = t.freeze_bytes / bandwidth_bps + switch_s;
  t.total_s = t.precopy_s + t.downtime_s;
  return t;
}

}  // namespace vfo
