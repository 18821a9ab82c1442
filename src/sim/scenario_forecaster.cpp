#include "vfo/sim/scenario_forecaster.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "vfo/forecast/model_forecaster.hpp"
#include "vfo/sim/workload_forecaster.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/random.hpp"

namespace vfo::sim {

std::unique_ptr<Forecaster> scenario_forecaster(const Scenario& scenario, const SimulationOptions& options,
                                                OverloadOracle oracle) {
  const PredictorSpec& p = scenario.control.predictor;
  const double period = scenario.control.probing_period_s;
  if (p.kind == "forecast" && !p.model.empty()) {
    if (options.model == nullptr) throw InputError("control.predictor.model: " + p.model + ": not loaded");
    if (std::abs(options.model->interval_s - period) > 1e-9) {
      throw InputError(
          fmt::format("control.predictor.model: {} reads one reading every {} s, but control.probing_period_s is {} s "
                      "(expected a model trained with --interval {})",
                      p.model, options.model->interval_s, period, period));
    }
    std::optional<CascadeOptions> cascade;
    if (p.cascade_refresh_rounds > 0) cascade = CascadeOptions{p.cascade_screen_p, p.cascade_refresh_rounds};
    return std::make_unique<ModelForecaster>(
        options.model, p.guard ? std::optional<GuardOptions>(GuardOptions{}) : std::nullopt, cascade);
  }
  if (p.kind == "forecast") {
    auto model =
        std::make_shared<ForecastModel>(fit_workload_forecaster(p, scenario.environment, period, scenario.seed));
    return std::make_unique<ModelForecaster>(std::move(model));
  }
  return std::make_unique<ConfusionPredictor>(std::move(oracle), p.true_positive_rate, p.false_positive_rate,
                                              derive_seed(scenario.seed, "predictor"), p.lead_periods * period);
}

}  // namespace vfo::sim
