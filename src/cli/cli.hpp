#pragma once
// The `vfo` command: one function per subcommand registers its options and its callback.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/forecast/forecast_model.hpp"

namespace vfo::cli {

// Parses argv, runs the chosen subcommand, returns the process exit code
// (0 ok, 2 bad input: one line on stderr naming the file and line or the flag; a command may document others).
int run(int argc, char** argv);

// Parses argv with `app` (whose callbacks do the work) and maps what they throw to the exit codes above.
int run_app(CLI::App& app, int argc, char** argv);

// A command that could not finish for a reason other than bad input (a child run crashed, a file could
// not be written): the CLI prints "vfo: <what>" and exits with code 1.
class CommandFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A command that finished and printed its answer, and whose answer calls for exit code `code()` rather than 0
// (`vfo place` found no placement: 3). The CLI prints nothing more and exits with that code.
class CommandExit : public std::exception {
 public:
  explicit CommandExit(int code) : code_(code) {}
  int code() const { return code_; }
  const char* what() const noexcept override { return "command exit"; }

 private:
  int code_;
};

// Loads a model folder written by `vfo forecast train` (vfo/forecast/model_files.hpp; needs LibTorch).
using ModelLoader = std::function<std::shared_ptr<const ForecastModel>(const std::string& dir)>;
// `vfo sim`. Without a loader (the vfo binary), a scenario that names a trained model is run by the
// vfo-forecast binary, which links LibTorch and passes its loader (`vfo-forecast sim ...`).
void add_sim_command(CLI::App& app, ModelLoader loader = {});  // sim_command.cpp
void add_sweep_command(CLI::App& app);                         // sweep_command.cpp
void add_place_command(CLI::App& app);                         // place_command.cpp
void add_demo_command(CLI::App& app);                          // demo_command.cpp
void add_experiment_command(CLI::App& app);                    // experiment_command.cpp
void add_forecaster_experiment_command(CLI::App& experiment);  // forecaster_experiment.cpp: experiment forecaster
void add_reproduce_command(CLI::App& app);                     // reproduce_command.cpp
void add_cluster_commands(CLI::App& app);  // cluster_command.cpp: up, orchestrator, deploy, status, chaos, down
void add_soak_command(CLI::App& chaos);    // soak_command.cpp: chaos soak
// The orchestrator daemon (`vfo up` starts it). Without a loader (the vfo binary), a cluster whose live migration
// runs on a trained model hands over to `vfo-forecast orchestrator`, which passes its loader.
void add_orchestrator_command(CLI::App& app, ModelLoader loader = {});  // cluster_command.cpp
// `vfo forecast ...` runs the vfo-forecast binary beside vfo with the same arguments: the forecaster's commands
// link LibTorch, whose start-up (~1 s) every other command would otherwise pay.
void add_forecast_command(CLI::App& app);  // forecast_command.cpp

// Checks of an option's value whose refusal reads "'-1' (expected a number >= 0)" (CLI11's own print the
// bounds of their range in full, "0.000000 to 1797693134862315708...").
CLI::Validator non_negative_number();  // cli.cpp
CLI::Validator positive_number();      // cli.cpp

// The binary `name` in the folder of the running binary (/proc/self/exe); throws CommandFailed.
std::filesystem::path sibling_binary(const std::string& name);  // exec_binary.cpp
// Replaces this process with `binary args...`; throws CommandFailed when it cannot.
[[noreturn]] void exec_binary(const std::filesystem::path& binary, const std::vector<std::string>& args);

}  // namespace vfo::cli
