#pragma once
// The forecaster a scenario asks for (control.predictor), as the simulator builds it for its Brain.
#include <memory>

#include "vfo/forecast/confusion_predictor.hpp"
#include "vfo/forecast/forecaster.hpp"
#include "vfo/scenario/scenario.hpp"
#include "vfo/sim/simulation.hpp"

namespace vfo::sim {

// forecast with a model: options.model, guarded and cascaded as the predictor says; forecast without one: the
// predictor's method fitted on the scenario's background load (seeded from the scenario); confusion: a
// ConfusionPredictor asking `oracle` whether a node overloads. Throws InputError when the scenario names a
// model that options.model does not hold or whose interval is not the probing period.
std::unique_ptr<Forecaster> scenario_forecaster(const Scenario& scenario, const SimulationOptions& options,
                                                OverloadOracle oracle);

}  // namespace vfo::sim
