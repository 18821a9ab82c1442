#pragma once
// The Forecaster the controller uses with a trained model: each probing round, every answering node's CPU
// and RAM utilisation (used / capacity, in percent) is appended to its history; the model predicts each
// node's next reading from its last `window` readings, all nodes in one batch, and the calibration turns the
// predictions into p_fail. Guarded (forecast_guard.hpp), the model's baselines predict beside it and each node
// answers with the candidate that has done best on it, persistence as the floor, its p_fail recalibrated on
// what followed the node's (and the cluster's) earlier answers.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vfo/forecast/forecast_guard.hpp"
#include "vfo/forecast/forecast_model.hpp"
#include "vfo/forecast/forecaster.hpp"

namespace vfo {

class ModelForecaster : public Forecaster {
 public:
  // Unguarded when `guard` is nullopt. Guarded, the guard's horizon, channels and persistence are the model's,
  // and the model must hold its baselines (one of them persistence), else std::invalid_argument.
  explicit ModelForecaster(std::shared_ptr<const ForecastModel> model,
                           std::optional<GuardOptions> guard = std::nullopt);

  // One round. Contract: rounds come one interval_s apart (the model's grid: it is the caller's job to
  // probe at that period; horizon_s is the caller's and is not checked against the model's horizon, which is
  // fixed when it is trained). A node with fewer than `window` readings so far has its window padded with its
  // oldest reading. A node that did not answer gets 0 and keeps its history; the guard's forecasts whose
  // outcome it did not see are dropped.
  std::vector<double> assess(const ClusterSnapshot& snapshot, double horizon_s) override;

  // The calibration of the candidate whose p_fail answered for the node, applied to its last prediction raised by
  // `extra` (in percent of the node's capacity) and recalibrated as its answer was: the p_fail the node would
  // have with that much more load. 0 for a node that did not answer.
  std::optional<double> p_fail_with(std::size_t index, const Resources& extra) const override;

  // How often each candidate's prediction answered so far (the model, then its baselines); empty when unguarded.
  const std::vector<std::uint64_t>& answers() const { return answers_; }

 private:
  struct History {
    std::vector<float> readings;  // ring of window x channels, oldest at `next`
    int filled = 0;
    int next = 0;
    std::optional<ForecastGuard> guard;
    std::deque<std::pair<long, bool>> recent_overloads;  // (round, reading above a threshold), the last horizon
  };
  std::shared_ptr<const ForecastModel> model_;
  std::vector<ForecastCandidate> candidates_;  // the model alone when unguarded
  std::optional<GuardOptions> guard_options_;
  CalibrationCounts cluster_counts_;
  std::unordered_map<std::uint32_t, History> histories_;
  long round_ = 0;
  std::vector<float> batch_;  // reused between rounds
  std::vector<std::uint64_t> answers_;
  // The last round's answer for each snapshot entry: the candidate whose p_fail answered, its prediction (channels
  // values; NaN where the node did not answer), the node's capacity, and its guard (null when unguarded), for
  // p_fail_with.
  std::vector<std::size_t> last_candidate_;
  std::vector<float> last_predictions_;
  std::vector<Resources> last_capacity_;
  std::vector<const ForecastGuard*> last_guard_;
};

}  // namespace vfo
