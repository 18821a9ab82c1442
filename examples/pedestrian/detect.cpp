// The pedestrian chain's detector in C++ (detect.py's twin): OpenCV's HOG people detector on each JPEG frame;
// sends one JSON line per frame, {"seq", "people": [[x, y, w, h, score], ...], "frames", "seen"}, and keeps a
// heat map of where people were seen (32x24 cells of 4-byte counts) in the SDK's tracked state.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/objdetect.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "vfo/sdk/function.hpp"

namespace {

constexpr int kGridW = 32, kGridH = 24;
constexpr std::size_t kCellBytes = 4;

class Detect final : public vfo::sdk::Function {
 public:
  Detect(double scale, int stride) : scale_(scale), stride_(stride) {
    hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
  }

  std::optional<std::string> process(const vfo::sdk::Frame& frame) override {
    const std::vector<unsigned char> bytes(frame.payload.begin(), frame.payload.end());
    const cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
    std::string people;
    if (!image.empty()) {
      std::vector<cv::Rect> boxes;
      std::vector<double> weights;
      hog_.detectMultiScale(image, boxes, weights, 0, {stride_, stride_}, {8, 8}, scale_);
      for (std::size_t i = 0; i < boxes.size(); ++i) {
        const cv::Rect& b = boxes[i];
        char item[96];
        std::snprintf(item, sizeof item, "%s[%d, %d, %d, %d, %.3f]", people.empty() ? "" : ", ", b.x, b.y, b.width,
                      b.height, i < weights.size() ? weights[i] : 0.0);
        people += item;
        count(b.x + b.width / 2, b.y + b.height / 2, image.cols, image.rows);
      }
      seen_ += boxes.size();
    }
    ++frames_;
    return "{\"seq\": " + std::to_string(frame.seq) + ", \"people\": [" + people +
           "], \"frames\": " + std::to_string(frames_) + ", \"seen\": " + std::to_string(seen_) +
           (image.empty() ? ", \"error\": \"not a JPEG frame\"}" : "}");
  }

  std::string snapshot() const override { return std::to_string(frames_) + " " + std::to_string(seen_); }
  void restore(std::string_view state) override {
    const std::string text(state);
    std::sscanf(text.c_str(), "%llu %llu", &frames_, &seen_);
  }

 private:
  void count(int x, int y, int width, int height) {
    vfo::sdk::TrackedState state;
    const int cx = std::min(kGridW - 1, std::max(0, x * kGridW / std::max(width, 1)));
    const int cy = std::min(kGridH - 1, std::max(0, y * kGridH / std::max(height, 1)));
    const std::size_t offset = static_cast<std::size_t>(cy * kGridW + cx) * kCellBytes;
    std::uint32_t n = 0;
    std::memcpy(&n, state.view().data() + offset, kCellBytes);
    ++n;
    state.write(offset, std::string_view(reinterpret_cast<const char*>(&n), kCellBytes));
  }

  cv::HOGDescriptor hog_;
  double scale_;
  int stride_;
  unsigned long long frames_ = 0, seen_ = 0;
};

}  // namespace

int main() {
  const char* scale = std::getenv("DETECT_SCALE");
  const char* stride = std::getenv("DETECT_STRIDE");
  Detect detect(scale != nullptr ? std::atof(scale) : 1.05, stride != nullptr ? std::atoi(stride) : 8);
  return vfo::sdk::run(detect, kGridW * kGridH * kCellBytes);
}
