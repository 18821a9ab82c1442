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

constexpr int kFormatVersion = 2;
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

// `parent`'s "point" object; `path` names the parent in messages ("" or "baselines[2].").
std::shared_ptr<const PointModel> read_point(const Fields& f, const json& parent, const std::string& path,
                                             const fs::path& dir) {
  const json& p = f.object(parent, "point", path);
  const std::string at = path + "point.";
  const auto method = f.get<std::string>(p, "method", at);
  try {
    if (method == "persistence") return std::make_shared<PersistenceModel>();
    if (method == "ma") return std::make_shared<MovingAverageModel>(f.get<int>(p, "length", at));
    if (method == "ewma") return std::make_shared<EwmaModel>(f.get<double>(p, "alpha", at));
    if (method == "ar")
      return std::make_shared<ArModel>(f.get<std::vector<std::vector<double>>>(p, "coefficients", at));
  } catch (const std::invalid_argument& e) {
    f.fail(at.substr(0, at.size() - 1), std::string("is inconsistent: ") + e.what());
  }
  if (method == "lstm" || method == "gru") return RecurrentModel::load(dir / f.get<std::string>(p, "weights", at));
  f.fail(at + "method", "'" + method + "' is unknown");
}

// `parent`'s "calibration" object; `path` as read_point's.
OverloadCalibration read_calibration(const Fields& f, const json& parent, const std::string& path) {
  const json& c = f.object(parent, "calibration", path);
  const std::string at = path + "calibration.";
  OverloadCalibration::State s;
  s.channels = f.get<int>(c, "channels", at);
  s.thresholds.cpu_pct = f.get<double>(c, "cpu_threshold_pct", at);
  s.thresholds.ram_pct = f.get<double>(c, "ram_threshold_pct", at);
  s.bin_upper_edges = f.get<std::vector<double>>(c, "bin_upper_edges", at);
  s.residuals = f.get<std::vector<std::vector<float>>>(c, "residuals", at);
  try {
    return OverloadCalibration(std::move(s));
  } catch (const std::invalid_argument& e) {
    f.fail(path + "calibration", std::string("is inconsistent: ") + e.what());
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
  j["base_rate"] = model.base_rate;
  json baselines = json::array();
  for (const ForecastCandidate& b : model.baselines) {
    baselines.push_back({{"point", point_json(*b.point)}, {"calibration", calibration_json(b.calibration)}});
  }
  j["baselines"] = baselines;

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
  if (f.get<int>(j, "version", "") != kFormatVersion) {
    f.fail("version", "is not " + std::to_string(kFormatVersion) + " (a model of another vfo version: train it again)");
  }

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
  model.calibration = read_calibration(f, j, "");
  if (model.calibration.state().channels != model.channels) f.fail("calibration.channels", "differs from channels");
  model.point = read_point(f, j, "", dir);
  model.base_rate = f.get<double>(j, "base_rate", "");
  if (!(model.base_rate >= 0 && model.base_rate <= 1)) f.fail("base_rate", "is not in [0, 1]");
  const auto baselines = f.get<std::vector<json>>(j, "baselines", "");
  for (std::size_t i = 0; i < baselines.size(); ++i) {
    const std::string path = "baselines[" + std::to_string(i) + "].";
    if (!baselines[i].is_object()) f.fail(path.substr(0, path.size() - 1), "is not an object");
    ForecastCandidate b{read_point(f, baselines[i], path, dir), read_calibration(f, baselines[i], path)};
    if (b.point->name().rfind("lstm", 0) == 0 || b.point->name().rfind("gru", 0) == 0)
      f.fail(path + "point", "is not a baseline");
    if (b.calibration.channels() != model.channels) f.fail(path + "calibration.channels", "differs from channels");
    model.baselines.push_back(std::move(b));
  }
  try {
    (void)persistence_index(model);
  } catch (const std::invalid_argument&) {
    f.fail("baselines", "holds no persistence");
  }
  return model;
}

}  // namespace vfo
