#pragma once
// Pre-copy live migration (docs/model.md, Migration): the VF keeps running while its state is copied in rounds;
// round 1 copies the whole state, each later round what was dirtied during the round before. Pre-copy
// ends when the dirty rest is at most `stop_bytes` or after `max_rounds` rounds; then the VF is
// frozen and the rest is copied (stop-and-copy), and it resumes on the target.

namespace vfo {

struct PrecopyConfig {
  int max_rounds = 8;       // rounds of copying while running (the round cap), >= 1
  double stop_bytes = 1e6;  // freeze once the dirty rest is at most this
};

// Steps through a pre-copy whose rounds take whatever time the network gives them: the caller runs
// round k with next_round_bytes(), then reports how long it took.
class PrecopyMigration {
 public:
  PrecopyMigration(double state_bytes, double dirty_rate_bps, PrecopyConfig config);

  // Bytes the current round copies while the VF runs.
  double next_round_bytes() const { return next_bytes_; }
  // Records that the current round took `seconds`. Returns true when pre-copy is over: then
  // freeze_bytes() is what remains to copy with the VF frozen.
  bool finish_round(double seconds);

  double freeze_bytes() const { return freeze_bytes_; }
  int rounds() const { return rounds_; }
  double precopy_bytes() const { return precopy_bytes_; }  // sum of the rounds while running
  bool converged() const { return converged_; }            // ended below stop_bytes, not by the cap

 private:
  double state_bytes_;
  double dirty_rate_bps_;
  PrecopyConfig config_;
  double next_bytes_;
  double freeze_bytes_ = 0;
  double precopy_bytes_ = 0;
  int rounds_ = 0;
  bool converged_ = false;
};

// The same pre-copy over a link of constant bandwidth (no sharing): its phases in closed form.
struct PrecopyTimeline {
  int rounds = 0;
  double precopy_s = 0;  // time copying while running
  double precopy_bytes = 0;
  double freeze_bytes = 0;
  double downtime_s = 0;  // freeze copy + switch
  double total_s = 0;
  bool converged = false;
};
PrecopyTimeline precopy_on_link(double state_bytes, double dirty_rate_bps, double bandwidth_bps, double switch_s,
                                PrecopyConfig config);

}  // namespace vfo
