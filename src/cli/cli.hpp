#pragma once
// The `vfo` command: one function per subcommand registers its options and its callback.
#include <CLI/CLI.hpp>
#include <stdexcept>

namespace vfo::cli {

// Parses argv, runs the chosen subcommand, returns the process exit code
// (0 ok, 2 bad input: one line on stderr naming the file and line or the flag).
int run(int argc, char** argv);

// A command that could not finish for a reason other than bad input (a child run crashed, a file could
// not be written): the CLI prints "vfo: <what>" and exits with code 1.
class CommandFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void add_sim_command(CLI::App& app);    // sim_command.cpp
void add_sweep_command(CLI::App& app);  // sweep_command.cpp

}  // namespace vfo::cli
