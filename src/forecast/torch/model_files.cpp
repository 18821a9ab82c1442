#include "vfo/forecast/model_files.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "vfo/forecast/baselines.hpp"
#include "vfo/forecast/recurrent_model.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr int kFormatVersion = 1;
constexpr const char* kJsonName = "model.json";
constexpr const char* kWeightsName = "weights.pt";

// --- writing --------------------------------------------------------------------------------------------

json point_json(const PointModel& point) {
  if (dynamic_cast<const PersistenceModel*>(&point) != nullptr) return {{"method", "persistence"}};
  if (const auto* ma = dynamic_cast<const MovingAverageModel*>(&point)) {
    return {{"method", "ma"}, {"length", ma->length()}};
  }
  if (const auto* ewma = dynamic_cast<const EwmaModel*>(&point)) return {{"method", "ewma"}, {"alpha", ewma->alpha()}};
  if (const auto* ar = dynamic_cast<const ArModel*>(&point)) {
    return {{"method", "ar"}, {"coefficients", ar->coefficients()}};
  }
  if (const auto* rnn = dynamic_cast<const RecurrentModel*>(&point)) {
    return {{"method", rnn->name()}, {"weights", kWeightsName}};
  }
  throw std::invalid_argument("save_forecast_model: a point model of unknown kind: " + point.name());
}

json calibration_json(const OverloadCalibration& calibration) {
  const OverloadCalibration::State& s = calibration.state();
  return {{"channels", s.channels},
          {"cpu_threshold_pct", s.thresholds.cpu_pct},
          {"ram_threshold_pct", s.thresholds.ram_pct},
          {"bin_upper_edges", s.bin_upper_edges},
          {"residuals", s.residuals}};
}

// --- reading --------------------------------------------------------------------------------------------

// Reads fields of model.json; every failure is one line naming the file and the field.
class Fields {
 public:
  Fields(const json& j, std::string file) : j_(j), file_(std::move(file)) {}

  template <typename T>
  T get(const json& parent, const std::string& key, const std::string& path) const {
    const auto it = parent.find(key);
    if (it == parent.end()) fail(path + key, "is missing");
    try {
      return it->template get<T>();
    } catch (const json::exception&) {
      fail(path + key, "has the wrong type");
    }
  }
  const json& object(const json& parent, const std::string& key, const std::string& path) const {
    const auto it = parent.find(key);
    if (it == parent.end() || !it->is_object()) fail(path + key, "is missing or not an object");
    return *it;
  }
  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InputError(fmt::format("{}: {} {} (expected a model written by `vfo forecast train`)", file_, field, what));
  }
  const json& root() const { return j_; }

 private:
  const json& j_;
  std::string file_;
};

std::shared_ptr<const PointModel> read_point(const Fields& f, const fs::path& dir) {
  const json& p = f.object(f.root(), "point", "");
  const auto method = f.get<std::string>(p, "method", "point.");
  if (method == "persistence") return std::make_shared<PersistenceModel>();
  if (method == "ma") return std::make_shared<MovingAverageModel>(f.get<int>(p, "length", "point."));
  if (method == "ewma") return std::make_shared<EwmaModel>(f.get<double>(p, "alpha", "point."));
  if (method == "ar") {
    return std::make_shared<ArModel>(f.get<std::vector<std::vector<double>>>(p, "coefficients", "point."));
  }
  if (method == "lstm" || method == "gru") {
    return RecurrentModel::load(dir / f.get<std::string>(p, "weights", "point."));
  }
  f.fail("point.method", "'" + method + "' is unknown");
}

OverloadCalibration read_calibration(const Fields& f) {
  const json& c = f.object(f.root(), "calibration", "");
  OverloadCalibration::State s;
  s.channels = f.get<int>(c, "channels", "calibration.");
  s.thresholds.cpu_pct = f.get<double>(c, "cpu_threshold_pct", "calibration.");
  s.thresholds.ram_pct = f.get<double>(c, "ram_threshold_pct", "calibration.");
  s.bin_upper_edges = f.get<std::vector<double>>(c, "bin_upper_edges", "calibration.");
  s.residuals = f.get<std::vector<std::vector<float>>>(c, "residuals", "calibration.");
  try {
    return OverloadCalibration(std::move(s));
  } catch (const std::invalid_argument& e) {
    f.fail("calibration", std::string("is inconsistent: ") + e.what());
  }
}

}  // namespace

void save_forecast_model(const ForecastModel& model, const fs::path& dir) {
  if (model.point == nullptr) throw std::invalid_argument("save_forecast_model: no point model");
  json j;
  j["format"] = "vfo-forecast-model";
  j["version"] = kFormatVersion;
  j["point"] = point_json(*model.point);
  j["window"] = model.spec.window;
  j["horizon"] = model.spec.horizon;
  j["channels"] = model.channels;
  j["interval_s"] = model.interval_s;
  j["seed"] = model.seed;
  j["validation_fraction"] = model.fractions.validation;
  j["test_fraction"] = model.fractions.test;
  j["traces"] = model.traces;
  j["calibration"] = calibration_json(model.calibration);

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir.string() + ": cannot create folder (" + ec.message() + ")");
  if (const auto* rnn = dynamic_cast<const RecurrentModel*>(model.point.get())) rnn->save(dir / kWeightsName);
  write_file_atomically(dir / kJsonName, j.dump(1) + "\n");
}

ForecastModel load_forecast_model(const fs::path& dir) {
  const fs::path file = dir / kJsonName;
  const std::string text = read_input_file(file, "a model folder written by `vfo forecast train`");
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: invalid JSON at byte {} (expected a model written by `vfo forecast train`)",
                                 file.string(), e.byte));
  }
  const Fields f(j, file.string());
  if (!j.is_object() || f.get<std::string>(j, "format", "") != "vfo-forecast-model") {
    f.fail("format", "is not vfo-forecast-model");
  }
  if (f.get<int>(j, "version", "") != kFormatVersion) f.fail("version", "is not " + std::to_string(kFormatVersion));

  ForecastModel model;
  model.spec.window = f.get<int>(j, "window", "");
  model.spec.horizon = f.get<int>(j, "horizon", "");
  model.channels = f.get<int>(j, "channels", "");
  model.interval_s = f.get<double>(j, "interval_s", "");
  model.seed = f.get<std::uint64_t>(j, "seed", "");
  model.fractions.validation = f.get<double>(j, "validation_fraction", "");
  model.fractions.test = f.get<double>(j, "test_fraction", "");
  model.traces = f.get<std::vector<std::string>>(j, "traces", "");
  if (model.spec.window < 1) f.fail("window", "is below 1");
  if (model.spec.horizon < 1) f.fail("horizon", "is below 1");
  if (model.channels != 1 && model.channels != 2) f.fail("channels", "is not 1 or 2");
  if (!(model.interval_s > 0)) f.fail("interval_s", "is not above 0");
  model.calibration = read_calibration(f);
  if (model.calibration.state().channels != model.channels) f.fail("calibration.channels", "differs from channels");
  model.point = read_point(f, dir);
  return model;
}

}  // namespace vfo
