#pragma once
#include <chrono>
#include <string>

namespace vfo::cli {

// Progress of a long command on stderr: a bar redrawn in place on a terminal, otherwise a line at
// every 10% step. Does nothing when disabled. Not thread-safe.
class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled);
  // fraction in [0, 1]; `detail` (may be empty) is printed after the time, e.g. a rate.
  void update(double fraction, const std::string& detail = "");
  void done();

 private:
  std::string label_;
  bool enabled_;
  bool tty_;
  int last_step_ = -1;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace vfo::cli
