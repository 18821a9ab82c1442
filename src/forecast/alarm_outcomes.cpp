#include "vfo/forecast/alarm_outcomes.hpp"

#include <stdexcept>

namespace vfo {

AlarmOutcomes::AlarmOutcomes(int horizon_rounds) : horizon_(horizon_rounds) {
  if (horizon_ < 1) throw std::invalid_argument("AlarmOutcomes: the horizon must be at least one round");
}

void AlarmOutcomes::round(const std::vector<double>& p_fail, const std::vector<bool>& overloaded, double k) {
  if (p_fail.size() != overloaded.size()) throw std::invalid_argument("AlarmOutcomes::round: sizes differ");
  if (pending_.size() < p_fail.size()) pending_.resize(p_fail.size());
  const long now = round_++;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    std::deque<long>& alarms = pending_[i];
    while (!alarms.empty() && now - alarms.front() > horizon_) {  // the horizon passed without an overload
      alarms.pop_front();
      ++unconfirmed_;
    }
    if (i < overloaded.size() && overloaded[i]) {
      confirmed_ += alarms.size();
      alarms.clear();
    }
    if (i < p_fail.size() && p_fail[i] >= k) {
      alarms.push_back(now);
      ++alarms_;
    }
  }
}

}  // namespace vfo
