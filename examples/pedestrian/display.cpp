// The pedestrian chain's sink in C++ (display.py's twin): appends each frame's JSON line to DISPLAY_OUTPUT, or
// logs a summary every 50 frames. Its host keeps the account of every frame that reached it (vfo status).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "vfo/sdk/function.hpp"

namespace {

class Display final : public vfo::sdk::Function {
 public:
  explicit Display(const char* output) {
    if (output != nullptr && *output != '\0') output_.open(output, std::ios::app);
  }
  std::optional<std::string> process(const vfo::sdk::Frame& frame) override {
    ++frames_;
    if (output_.is_open()) {
      output_ << frame.payload << '\n' << std::flush;
    } else if (frames_ % 50 == 0) {
      std::printf("display: frame %llu: %llu frames\n", static_cast<unsigned long long>(frame.seq), frames_);
      std::fflush(stdout);
    }
    return std::nullopt;
  }
  std::string snapshot() const override { return std::to_string(frames_); }
  void restore(std::string_view state) override { frames_ = std::strtoull(std::string(state).c_str(), nullptr, 10); }

 private:
  std::ofstream output_;
  unsigned long long frames_ = 0;
};

}  // namespace

int main() {
  Display display(std::getenv("DISPLAY_OUTPUT"));
  return vfo::sdk::run(display);
}
