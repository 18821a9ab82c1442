// The vfo-forecast binary: `vfo forecast train|eval` (docs/cli.md, "forecast"). `vfo forecast ...` runs it.
#include <memory>
#include <string>

#include "cli/cli.hpp"
#include "vfo/forecast/model_files.hpp"

namespace vfo::cli {

void add_forecast_train_command(CLI::App& forecast);  // forecast_train_command.cpp
void add_forecast_eval_command(CLI::App& forecast);   // forecast_eval_command.cpp

}  // namespace vfo::cli

int main(int argc, char** argv) {
  CLI::App app{"vfo forecast: train and evaluate the overload forecaster on usage traces", "vfo forecast"};
  app.require_subcommand(1);
  vfo::cli::add_forecast_train_command(app);
  vfo::cli::add_forecast_eval_command(app);
  // `vfo sim` of a scenario that names a trained model, and the orchestrator of a cluster started with
  // `vfo up --model`, come here: only this binary can load the model. Neither is a command of `vfo forecast`.
  const vfo::cli::ModelLoader loader = [](const std::string& dir) {
    return std::make_shared<const vfo::ForecastModel>(vfo::load_forecast_model(dir));
  };
  vfo::cli::add_sim_command(app, loader);
  app.get_subcommand("sim")->group("");
  vfo::cli::add_orchestrator_command(app, loader);
  return vfo::cli::run_app(app, argc, argv);
}
