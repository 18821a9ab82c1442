#pragma once
// What became of a controller's alarms, round by round in a closed loop: an alarm (a node-round with p_fail >= K)
// is confirmed when a later probe within the horizon reads the node overloaded, and unconfirmed when the horizon
// passes without one. In a loop that acts on its alarms, an unconfirmed alarm is either a false alarm or an
// overload that the migration it caused prevented; the count is an upper bound on the false alarms.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace vfo {

class AlarmOutcomes {
 public:
  // `horizon_rounds` >= 1: how many later rounds may confirm an alarm; else std::invalid_argument.
  explicit AlarmOutcomes(int horizon_rounds);

  // One round, in time order: each node's p_fail and whether this round's probe read it overloaded (both
  // indexed by node; a node that did not answer reads false). Overloads confirm the earlier alarms of their node
  // that are still within the horizon; then this round's alarms (p_fail >= k) are recorded. The sizes must
  // agree, else std::invalid_argument.
  void round(const std::vector<double>& p_fail, const std::vector<bool>& overloaded, double k);

  std::uint64_t alarms() const { return alarms_; }
  std::uint64_t confirmed() const { return confirmed_; }
  // Alarms whose horizon passed without an overload (those still within it when the run ends are neither).
  std::uint64_t unconfirmed() const { return unconfirmed_; }

 private:
  int horizon_;
  long round_ = 0;
  std::vector<std::deque<long>> pending_;  // per node, the rounds of its alarms awaiting an outcome
  std::uint64_t alarms_ = 0;
  std::uint64_t confirmed_ = 0;
  std::uint64_t unconfirmed_ = 0;
};

}  // namespace vfo
