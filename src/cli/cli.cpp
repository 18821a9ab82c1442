#include "cli/cli.hpp"

#include <fmt/core.h>

#include <cmath>
#include <exception>
#include <string>

#include "vfo/runtime/cluster_store.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo::cli {
namespace {

// Refuses NaN and infinity for every floating-point option of `app` and its subcommands: CLI11 parses them as
// numbers, and its own checks (PositiveNumber, Range) let NaN through, as every comparison with NaN is false.
void refuse_non_finite(CLI::App& app) {
  const CLI::Validator finite(
      [](std::string& text) {
        double v = 0;
        if (CLI::detail::lexical_cast(text, v) && !std::isfinite(v)) return "'" + text + "' (expected a finite number)";
        return std::string();
      },
      "");
  for (CLI::Option* option : app.get_options()) {
    if (option->get_type_name().rfind("FLOAT", 0) == 0) option->check(finite);
  }
  for (CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) refuse_non_finite(*command);
}

// A validator that accepts a number for which `accept` holds, else says "'TEXT' (expected WHAT)".
CLI::Validator number_check(bool (*accept)(double), const char* what) {
  return CLI::Validator(
      [accept, what](std::string& text) {
        double v = 0;
        if (CLI::detail::lexical_cast(text, v) && accept(v)) return std::string();
        return fmt::format("'{}' (expected {})", text, what);
      },
      what);
}

}  // namespace

CLI::Validator non_negative_number() {
  return number_check([](double v) { return v >= 0; }, "a number >= 0");
}

CLI::Validator positive_number() {
  return number_check([](double v) { return v > 0; }, "a number > 0");
}

int run_app(CLI::App& app, int argc, char** argv) {
  refuse_non_finite(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "vfo: {}\n", e.what());
    return kExitBadInput;
  } catch (const InputError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return kExitBadInput;
  } catch (const runtime::StoreDamaged& e) {  // a cluster's store that is not one: a damaged input file
    fmt::print(stderr, "vfo: {}\n", e.what());
    return kExitBadInput;
  } catch (const CommandExit& e) {
    return e.code();
  } catch (const CommandFailed& e) {
    fmt::print(stderr, "vfo: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "vfo: internal error: {}\n", e.what());
    return 1;
  }
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{"vfo: virtual function chains on IoT edge nodes, kept alive by migration"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("vfo ") + VFO_VERSION);
  add_sim_command(app);
  add_sweep_command(app);
  add_place_command(app);
  add_forecast_command(app);
  add_demo_command(app);
  add_experiment_command(app);
  add_reproduce_command(app);
  add_cluster_commands(app);
  // A first word that names no command: say which word, and what the commands are.
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;  // the commands --help shows
    bool known = false;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
      known = known || command->get_name() == argv[1];
      if (!command->get_group().empty()) names += (names.empty() ? "" : ", ") + command->get_name();
    }
    if (!known) {
      fmt::print(stderr, "vfo: '{}' is not a command (expected one of: {})\n", argv[1], names);
      return kExitBadInput;
    }
  }
  return run_app(app, argc, argv);
}

}  // namespace vfo::cli
