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

// A cascade, for large clusters: the model's baselines (cheap) forecast every node each round, and the network
// (dear) runs only on the nodes they cannot rule out: where a baseline's p_fail, or the network's own p_fail when it
// last ran there, is at least `screen_p`, and on every node at least once every `refresh_rounds` rounds. A node
// it skips keeps the network's last answer (unguarded); guarded, the network does not compete there that round.
struct CascadeOptions {
  double screen_p = 0.05;   // in (0, 1]; below the controller's K, so that what may alarm is seen by the network
  int refresh_rounds = 16;  // >= 1
};

class ModelForecaster : public Forecaster {
 public:
  // Unguarded when `guard` is nullopt. Guarded, the guard's horizon, channels and persistence are the model's,
  // and the model must hold its baselines (one of them persistence), else std::invalid_argument. A cascade also
  // needs the baselines, and options in range.
  explicit ModelForecaster(std::shared_ptr<const ForecastModel> model, std::optional<GuardOptions> guard = std::nullopt,
                           std::optional<CascadeOptions> cascade = std::nullopt);

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
  // Node forecasts the network made so far (with a cascade, fewer than the nodes assessed).
  std::uint64_t network_forecasts() const { return network_forecasts_; }

 private:
  struct History {
    std::uint32_t node = 0;
    std::vector<float> readings;  // ring of window x channels, oldest at `next`
    int filled = 0;
    int next = 0;
    std::optional<ForecastGuard> guard;
    std::deque<std::pair<long, bool>> recent_overloads;  // (round, reading above a threshold), the last horizon
    // With a cascade: whether the network ran on the node yet, the round it last did, its raw p_fail and
    // prediction then.
    bool network_ran = false;
    long network_round = 0;
    double network_p = 0;
    std::vector<float> network_prediction;
  };
  // Predicts every candidate on the batch's `rows` rows into predictions_ and p_ (candidate-major); with a
  // cascade, the network only on the rows the screen passes (NaN in the others).
  void predict_candidates(const std::vector<History*>& rows, long round);
  std::shared_ptr<const ForecastModel> model_;
  std::vector<ForecastCandidate> candidates_;  // the model alone when unguarded
  std::optional<GuardOptions> guard_options_;
  std::optional<CascadeOptions> cascade_;
  std::uint64_t network_forecasts_ = 0;
  std::vector<std::vector<float>> predictions_;  // per candidate, rows x channels, reused between rounds
  std::vector<std::vector<double>> p_;           // per candidate, one raw p_fail per row
  std::vector<float> screened_batch_;            // the rows the network runs on (cascade)
  std::vector<std::size_t> screened_rows_;
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
