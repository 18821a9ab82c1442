#pragma once
#include <chrono>
#include <string>

namespace vfo::cli {

// Progress of a long command on stderr: a bar redrawn in place on a terminal, otherwise a line at
// every 10% step. Does nothing when disabled. Not thread-safe.
class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  void update(double fraction);  // fraction in [0, 1]
  void done();

 private:
  std::string label_;
  bool enabled_;
  bool tty_;
  int last_step_ = -1;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace vfo::cli
