#pragma once
// The Forecaster the controller uses with a trained model: each probing round, every answering node's CPU
// and RAM utilisation (used / capacity, in percent) is appended to its history; the model predicts each
// node's next reading from its last `window` readings, all nodes in one batch, and the calibration turns the
// predictions into p_fail.
#include <memory>
#include <unordered_map>
#include <vector>

#include "vfo/forecast/forecast_model.hpp"
#include "vfo/forecast/forecaster.hpp"

namespace vfo {

class ModelForecaster : public Forecaster {
 public:
  explicit ModelForecaster(std::shared_ptr<const ForecastModel> model);

  // One round. Contract: rounds come one interval_s apart (the model's grid: it is the caller's job to
  // probe at that period; horizon_s is the caller's and is not checked against the model's horizon, which is
  // fixed when it is trained). A node with fewer than `window` readings so far has its window padded with its
  // oldest reading. A node that did not answer gets 0 and keeps its history.
  std::vector<double> assess(const ClusterSnapshot& snapshot, double horizon_s) override;

  // The calibration applied to the node's last prediction raised by `extra`, in percent of the node's
  // capacity: the p_fail the node would have with that much more load. 0 for a node that did not answer.
  std::optional<double> p_fail_with(std::size_t index, const Resources& extra) const override;

 private:
  struct History {
    std::vector<float> readings;  // ring of window x channels, oldest at `next`
    int filled = 0;
    int next = 0;
  };
  std::shared_ptr<const ForecastModel> model_;
  std::unordered_map<std::uint32_t, History> histories_;
  std::vector<float> batch_;  // reused between rounds
  // The last round's prediction of each snapshot entry (channels values; NaN where it did not answer) and
  // its capacity, for p_fail_with.
  std::vector<float> last_predictions_;
  std::vector<Resources> last_capacity_;
};

}  // namespace vfo
