#pragma once
// A Forecaster that reads a coarser grid than it is fed: a model trained on readings `every` probing periods
// apart (say, traces recorded every 5 s, probed every second) assesses once every `every` rounds, on each
// node's mean reading over those rounds (a recorded trace's reading is also a mean over its interval). Between
// two assessments every node keeps the p_fail of the last one.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "vfo/forecast/forecaster.hpp"

namespace vfo {

class ResampledForecaster : public Forecaster {
 public:
  // `every` >= 1 (1: every round goes through as it is); a null `inner` or `every` < 1 throws
  // std::invalid_argument.
  ResampledForecaster(std::unique_ptr<Forecaster> inner, int every);

  // Contract: fed once per probing round, in time order. Rounds 1..every-1 of a block return the p_fail of the
  // block before (0 before the first assessment; 0 for a node that did not answer this round); the last round
  // of a block assesses a snapshot like this one whose measured utilisations are each node's mean over the
  // rounds of the block it answered in (a node that answered in none is passed as not answering).
  std::vector<double> assess(const ClusterSnapshot& snapshot, double horizon_s) override;

  // The inner forecaster's, for the snapshot it last assessed (same nodes in the same order as the caller's:
  // the callers' snapshots list every node of the cluster, always in the same order).
  std::optional<double> p_fail_with(std::size_t index, const Resources& extra) const override;

 private:
  struct Sums {
    double cpu = 0;
    double ram = 0;
    int readings = 0;
  };
  std::unique_ptr<Forecaster> inner_;
  int every_;
  int round_in_block_ = 0;
  std::unordered_map<std::uint32_t, Sums> sums_;  // by node id, over this block
  std::unordered_map<std::uint32_t, double> last_p_fail_;
};

}  // namespace vfo
