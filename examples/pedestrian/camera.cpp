// The pedestrian chain's source in C++ (camera.py's twin): JPEG frames from a video file or a folder of images
// (CAMERA_INPUT), or synthesised when none is given; CAMERA_WIDTH x CAMERA_HEIGHT (default 320x240).
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/sdk/function.hpp"

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// A street of noise with two figures walking across it; the same seq gives the same frame.
cv::Mat synthesised(std::uint64_t seq, int width, int height) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(170, 170, 170));
  cv::Mat noise(height, width, CV_8UC3);
  cv::RNG rng(seq);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 20);
  image += noise;
  cv::rectangle(image, {0, height * 8 / 10}, {width, height}, cv::Scalar(110, 110, 110), cv::FILLED);
  const int step = static_cast<int>(seq % 6) * 2;
  for (int k = 0; k < 2; ++k) {
    const int speed = k == 0 ? 3 : 5;
    const int x = static_cast<int>((seq * speed + static_cast<std::uint64_t>(k * width / 2)) % (width + 40)) - 20;
    const int top = height / 4 + 10 * k;
    const cv::Scalar body = k == 0 ? cv::Scalar(40, 40, 40) : cv::Scalar(60, 30, 30);
    cv::circle(image, {x, top}, 9, body, cv::FILLED);
    cv::rectangle(image, {x - 10, top + 10}, {x + 10, top + 60}, body, cv::FILLED);
    cv::line(image, {x - 5, top + 60}, {x - 12 + step, top + 100}, body, 6);
    cv::line(image, {x + 5, top + 60}, {x + 12 - step, top + 100}, body, 6);
  }
  return image;
}

class Camera final : public vfo::sdk::Function {
 public:
  Camera(const std::string& source, int width, int height) : width_(width), height_(height) {
    namespace fs = std::filesystem;
    if (!source.empty() && fs::is_directory(source)) {
      for (const auto& entry : fs::directory_iterator(source)) {
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        if (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp") images_.push_back(entry.path());
      }
      std::sort(images_.begin(), images_.end());
      if (images_.empty()) throw std::runtime_error("CAMERA_INPUT " + source + ": no image in it");
    } else if (!source.empty()) {
      video_.open(source);
      if (!video_.isOpened()) throw std::runtime_error("CAMERA_INPUT " + source + ": not a folder nor a video");
    }
  }

  std::string produce(std::uint64_t seq) override {
    cv::Mat image;
    if (!images_.empty()) {
      image = cv::imread(images_[(seq - 1) % images_.size()].string());
    } else if (video_.isOpened()) {
      if (!video_.read(image)) {  // the end: loop
        video_.set(cv::CAP_PROP_POS_FRAMES, 0);
        video_.read(image);
      }
    } else {
      image = synthesised(seq, width_, height_);
    }
    if (image.empty()) throw std::runtime_error("frame " + std::to_string(seq) + ": no image");
    cv::resize(image, image, {width_, height_});
    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
    return {jpeg.begin(), jpeg.end()};
  }

 private:
  int width_, height_;
  std::vector<std::filesystem::path> images_;
  cv::VideoCapture video_;
};

}  // namespace

int main() {
  try {
    const char* input = std::getenv("CAMERA_INPUT");
    Camera camera(input != nullptr ? input : "", env_int("CAMERA_WIDTH", 320), env_int("CAMERA_HEIGHT", 240));
    return vfo::sdk::run(camera);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "camera: %s\n", e.what());
    return 2;
  }
}
