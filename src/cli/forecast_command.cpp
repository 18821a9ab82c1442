#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace vfo::cli {

void add_forecast_command(CLI::App& app) {
  CLI::App* forecast = app.add_subcommand("forecast",
                                          "Train and evaluate the overload forecaster on usage traces "
                                          "(vfo forecast --help)");
  forecast->prefix_command();  // everything after `forecast` goes to vfo-forecast as is
  forecast->set_help_flag();   // including --help
  forecast->callback([forecast] { exec_binary(sibling_binary("vfo-forecast"), forecast->remaining()); });
}

}  // namespace vfo::cli
