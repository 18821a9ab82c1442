#pragma once
#include <stdexcept>
#include <string>

namespace vfo {

// Bad input from a user: a YAML file, a CLI flag, a trace file. what() is one line that names the
// place ("FILE:LINE: what is wrong (what was expected)"); the CLI prints it and exits with code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit code of every vfo command for bad input.
constexpr int kExitBadInput = 2;

}  // namespace vfo
