#include "vfo/forecast/model_files.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "support/input_error.hpp"
#include "support/scratch.hpp"
#include "vfo/forecast/baselines.hpp"
#include "vfo/forecast/model_forecaster.hpp"
#include "vfo/forecast/training.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

using ::testing::HasSubstr;

std::vector<UsageSeries> noisy_series(int count, int length) {
  std::vector<UsageSeries> out;
  Rng rng(11);
  for (int s = 0; s < count; ++s) {
    UsageSeries u{"noisy:" + std::to_string(s), 0, 60, {}, {}, {}};
    for (int t = 0; t < length; ++t) {
      u.cpu_pct.push_back(rng.uniform(0, 100));
      u.ram_pct.push_back(rng.uniform(40, 95));
    }
    out.push_back(std::move(u));
  }
  return out;
}

// Predictions and p_fail of a model on fixed examples, to compare a model with its saved-and-loaded copy.
std::pair<std::vector<float>, std::vector<double>> outputs(const ForecastModel& m) {
  const Examples e = make_examples(noisy_series(3, 30), m.spec, m.channels);
  const std::vector<float> p = m.point->predict(e.inputs.data(), e.count(), e.window, e.channels);
  return {p, m.calibration.probabilities(p)};
}

TEST(ModelFiles, EveryBaselineRoundTrips) {
  for (const std::string method : {"persistence", "ma", "ewma", "ar"}) {
    SCOPED_TRACE(method);
    ForecastTrainOptions o;
    o.method = method;
    o.spec = {6, 2};
    o.seed = 9;
    ForecastModel m = train_forecast_model(noisy_series(40, 60), o);
    m.traces = {"vfo:somewhere.csv"};
    const auto dir = test::fresh_dir("model-" + method);
    save_forecast_model(m, dir);
    const ForecastModel back = load_forecast_model(dir);
    EXPECT_EQ(back.point->name(), m.point->name());
    EXPECT_EQ(back.spec.window, 6);
    EXPECT_EQ(back.spec.horizon, 2);
    EXPECT_EQ(back.channels, 2);
    EXPECT_EQ(back.interval_s, 60);
    EXPECT_EQ(back.seed, 9u);
    EXPECT_EQ(back.traces, m.traces);
    EXPECT_EQ(back.horizon_s(), 120);
    EXPECT_EQ(outputs(back), outputs(m));
  }
}

TEST(ModelFiles, BadFoldersAndFilesGiveOneLineNamingTheFile) {
  const auto missing = test::fresh_dir("no-model");
  EXPECT_THAT(test::input_error_of([&] { load_forecast_model(missing); }),
              HasSubstr((missing / "model.json").string() + ": cannot read file"));

  ForecastTrainOptions o;
  o.method = "ewma";
  const auto dir = test::fresh_dir("model-bad");
  save_forecast_model(train_forecast_model(noisy_series(40, 60), o), dir);
  const std::string good = test::slurp(dir / "model.json");
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir / "model.json") << text;
  };
  const auto message = [&] { return test::input_error_of([&] { load_forecast_model(dir); }); };
  with("\"window\": 12", "\"window\": \"12\"");
  EXPECT_THAT(message(), HasSubstr("model.json: window has the wrong type"));
  with("\"window\": 12", "\"window\": 0");
  EXPECT_THAT(message(), HasSubstr("model.json: window is below 1"));
  with("\"method\": \"ewma\"", "\"method\": \"oracle\"");
  EXPECT_THAT(message(), HasSubstr("point.method 'oracle' is unknown"));
  with("\"channels\": 2,\n \"interval_s\"", "\"channels\": 1,\n \"interval_s\"");
  EXPECT_THAT(message(), HasSubstr("calibration.channels differs from channels"));
  std::ofstream(dir / "model.json") << good.substr(0, good.size() / 2);
  EXPECT_THAT(message(), HasSubstr("model.json: invalid JSON"));
}

// The whole path the controller will use: an LSTM trained, saved, loaded, and fed from probing snapshots.
TEST(ModelFiles, LoadedLstmFeedsTheForecasterLikeTheTrainedOne) {
  ForecastTrainOptions o;
  o.method = "lstm";
  o.spec = {4, 1};
  o.recurrent.hidden = 8;
  o.recurrent.dense = 8;
  o.recurrent.epochs = 2;
  const auto trained = std::make_shared<ForecastModel>(train_forecast_model(noisy_series(30, 40), o));
  const auto dir = test::fresh_dir("model-lstm");
  save_forecast_model(*trained, dir);
  const auto loaded = std::make_shared<ForecastModel>(load_forecast_model(dir));
  EXPECT_TRUE(std::filesystem::exists(dir / "weights.pt"));
  EXPECT_EQ(outputs(*loaded), outputs(*trained));

  ModelForecaster a(trained), b(loaded);
  for (int round = 0; round < 6; ++round) {
    ClusterSnapshot s;
    for (std::uint32_t n = 0; n < 5; ++n) {
      NodeReport r;
      r.node = NodeId{n};
      r.answered = true;
      r.capacity = Resources{1e9, 1e9};
      r.used = Resources{(0.15 * n + 0.1 * round) * 1e9 / 1.6, 0.5e9};
      s.nodes.push_back(r);
    }
    const std::vector<double> pa = a.assess(s, 300), pb = b.assess(s, 300);
    EXPECT_EQ(pa, pb);
    for (const double p : pa) EXPECT_TRUE(p >= 0 && p <= 1) << p;
  }
}

}  // namespace
}  // namespace vfo
