#include "vfo/forecast/confusion_predictor.hpp"

#include <cmath>
#include <utility>

#include "vfo/util/random.hpp"

namespace vfo {

ConfusionPredictor::ConfusionPredictor(OverloadOracle oracle, double true_positive_rate, double false_positive_rate,
                                       std::uint64_t seed, double lead_s)
    : oracle_(std::move(oracle)),
      true_positive_rate_(true_positive_rate),
      false_positive_rate_(false_positive_rate),
      seed_(seed),
      lead_s_(lead_s) {}

std::vector<double> ConfusionPredictor::assess(const ClusterSnapshot& snapshot, double horizon_s) {
  std::vector<double> p_fail(snapshot.nodes.size(), 0.0);
  const auto time_key = static_cast<std::uint64_t>(std::llround(snapshot.now * 1000.0));
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    const NodeReport& report = snapshot.nodes[i];
    if (!report.answered) continue;
    const bool overloads = oracle_(report.node, snapshot.now + lead_s_, snapshot.now + lead_s_ + horizon_s);
    const double rate = overloads ? true_positive_rate_ : false_positive_rate_;
    double& until = alarmed_until_[report.node.value];
    if (keyed_uniform(seed_, report.node.value, time_key) < rate) until = snapshot.now + lead_s_ + horizon_s;
    if (snapshot.now < until) p_fail[i] = 1.0;
  }
  return p_fail;
}

}  // namespace vfo
