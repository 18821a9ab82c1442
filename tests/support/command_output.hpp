// What a shell command prints, for tests that look at the system (ip, tc, ...).
#pragma once

#include <cstdio>
#include <string>

namespace vfo::test {

// What `command` prints on stdout and stderr (empty when it cannot be run).
inline std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  pclose(pipe);
  return out;
}

}  // namespace vfo::test
