#include "cli/progress_bar.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace vfo::cli {

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled),
      tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(double fraction, const std::string& detail) {
  if (!enabled_) return;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int step = static_cast<int>(fraction * (tty_ ? 50 : 10));
  if (step == last_step_) return;
  const std::string suffix = detail.empty() ? "" : ", " + detail;
  last_step_ = step;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (tty_) {
    fmt::print(stderr, "\r{} [{:<50}] {:3.0f}% {:.1f} s{}\x1b[K", label_,
               std::string(static_cast<std::size_t>(step), '#'), fraction * 100, elapsed, suffix);
  } else {
    fmt::print(stderr, "{}: {:.0f}% ({:.1f} s{})\n", label_, fraction * 100, elapsed, suffix);
  }
  std::fflush(stderr);
}

void ProgressBar::done() {
  if (enabled_ && tty_) fmt::print(stderr, "\n");
}

}  // namespace vfo::cli
