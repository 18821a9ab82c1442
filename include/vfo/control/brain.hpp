#pragma once
// What each body holds of the shared code: the controller with the placer and the forecaster it borrows,
// owned together and built one way from a ControlPolicy (control_policy.hpp). The forecaster is the body's
// choice (a trained model, the trend forecaster, the simulator's confusion predictor); all else is the policy.
#include <memory>

#include "vfo/control/control_policy.hpp"
#include "vfo/control/controller.hpp"
#include "vfo/forecast/forecaster.hpp"
#include "vfo/placement/placer.hpp"

namespace vfo {

class Brain {
 public:
  // `forecaster` may be null when the policy has no live migration. Throws std::invalid_argument for a placer
  // name that make_placer does not know.
  Brain(const ControlPolicy& policy, std::unique_ptr<Forecaster> forecaster);
  Brain(const Brain&) = delete;
  Brain& operator=(const Brain&) = delete;

  Controller& controller() { return controller_; }
  const Controller& controller() const { return controller_; }

 private:
  std::unique_ptr<Placer> placer_;
  std::unique_ptr<Forecaster> forecaster_;
  Controller controller_;
};

}  // namespace vfo
