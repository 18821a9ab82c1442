#include "vfo/forecast/resampled_forecaster.hpp"

#include <stdexcept>
#include <utility>

namespace vfo {

ResampledForecaster::ResampledForecaster(std::unique_ptr<Forecaster> inner, int every)
    : inner_(std::move(inner)), every_(every) {
  if (inner_ == nullptr) throw std::invalid_argument("ResampledForecaster: no forecaster");
  if (every_ < 1) throw std::invalid_argument("ResampledForecaster: every must be >= 1");
}

std::vector<double> ResampledForecaster::assess(const ClusterSnapshot& snapshot, double horizon_s) {
  for (const NodeReport& n : snapshot.nodes) {
    if (!n.answered) continue;
    Sums& s = sums_[n.node.value];
    s.cpu += cpu_utilisation_pct(n);
    s.ram += ram_utilisation_pct(n);
    ++s.readings;
  }
  if (++round_in_block_ == every_) {
    ClusterSnapshot mean = snapshot;
    for (NodeReport& n : mean.nodes) {
      const auto it = sums_.find(n.node.value);
      n.answered = it != sums_.end() && it->second.readings > 0;
      if (!n.answered) continue;
      n.measured_cpu_pct = it->second.cpu / it->second.readings;
      n.measured_ram_pct = it->second.ram / it->second.readings;
    }
    const std::vector<double> p = inner_->assess(mean, horizon_s);
    for (std::size_t i = 0; i < mean.nodes.size(); ++i) last_p_fail_[mean.nodes[i].node.value] = p.at(i);
    sums_.clear();
    round_in_block_ = 0;
  }
  std::vector<double> p_fail(snapshot.nodes.size(), 0.0);
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    const auto it = last_p_fail_.find(snapshot.nodes[i].node.value);
    if (snapshot.nodes[i].answered && it != last_p_fail_.end()) p_fail[i] = it->second;
  }
  return p_fail;
}

std::optional<double> ResampledForecaster::p_fail_with(std::size_t index, const Resources& extra) const {
  if (last_p_fail_.empty()) return std::nullopt;  // nothing assessed yet: the caller keeps the p_fail of assess()
  return inner_->p_fail_with(index, extra);
}

}  // namespace vfo
