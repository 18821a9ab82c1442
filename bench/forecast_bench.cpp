// Forecaster benchmarks: the recurrent networks on LibTorch. Not a test: run with
//   ./build/bench/vfo_bench --benchmark_filter=Forecast
//
//   BM_ForecastInference/<cell>/<hidden>/<threads>
//                                 one predict() for 10,000 nodes, window 12, 2 channels (ms per call; target
//                                 < 20 ms); weights from a 1-epoch training on tiny data. hidden 100 is the
//                                 paper's network; smaller ones show what fits the target on 2 cores
//   BM_ForecasterAssess/<kind>    one ModelForecaster::assess() round of a 10,000-node snapshot: history update,
//                                 the batched prediction and the calibrated p_fail (lstm100, lstm32, ma12);
//                                 ma12_guarded adds the four baselines and the guard (its cost beside ma12's)
//   BM_ForecastTrainEpoch         one training epoch of the LSTM over 100,000 examples, window 12, 2 channels
//                                 (seconds)
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "vfo/forecast/baselines.hpp"
#include "vfo/forecast/examples.hpp"
#include "vfo/forecast/forecast_model.hpp"
#include "vfo/forecast/model_forecaster.hpp"
#include "vfo/forecast/recurrent_model.hpp"
#include "vfo/util/random.hpp"

namespace {

constexpr int kWindow = 12;

constexpr int kChannels = 2;

// `count` examples of noisy waves in percent, laid out as vfo::Examples documents.
vfo::Examples wave_examples(std::size_t count, std::uint64_t seed) {
  vfo::Rng rng(seed);
  vfo::Examples e;
  e.window = kWindow;
  e.channels = kChannels;
  for (std::size_t i = 0; i < count; ++i) {
    const double phase = rng.uniform(0, 100);
    for (int t = 0; t <= kWindow; ++t) {
      for (int c = 0; c < kChannels; ++c) {
        const auto v = static_cast<float>(50 + 30 * std::sin((phase + t) * (c + 1) * 0.3) + rng.normal(0, 2));
        (t < kWindow ? e.inputs : e.targets).push_back(v);
      }
    }
    e.peaks.insert(e.peaks.end(), e.targets.end() - kChannels, e.targets.end());
    e.series.push_back(static_cast<int>(i));
  }
  return e;
}

std::unique_ptr<vfo::RecurrentModel> tiny_model(vfo::RecurrentCell cell, int hidden) {
  vfo::TrainOptions options;
  options.cell = cell;
  options.hidden = hidden;
  options.dense = hidden;
  options.epochs = 1;
  return vfo::RecurrentModel::train(wave_examples(256, 1), {}, options);
}

void BM_ForecastInference(benchmark::State& state, vfo::RecurrentCell cell) {
  const auto model = tiny_model(cell, static_cast<int>(state.range(0)));
  vfo::set_torch_threads(static_cast<int>(state.range(1)));
  constexpr std::size_t kNodes = 10'000;
  const vfo::Examples nodes = wave_examples(kNodes, 2);
  for (auto _ : state) {
    auto predictions = model->predict(nodes.inputs.data(), kNodes, kWindow, kChannels);
    benchmark::DoNotOptimize(predictions.data());
  }
  state.counters["nodes_per_s"] =
      benchmark::Counter(static_cast<double>(kNodes), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_ForecastInference, lstm, vfo::RecurrentCell::lstm)
    ->ArgsProduct({{100, 32, 16}, {1, 2}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ForecastInference, gru, vfo::RecurrentCell::gru)
    ->ArgsProduct({{100, 32}, {1}})
    ->Unit(benchmark::kMillisecond);

// A 10,000-node snapshot whose loads follow the waves of wave_examples, one step per round.
vfo::ClusterSnapshot wave_snapshot(std::size_t nodes, int round) {
  vfo::ClusterSnapshot s;
  for (std::size_t i = 0; i < nodes; ++i) {
    vfo::NodeReport r;
    r.node = vfo::NodeId{static_cast<std::uint32_t>(i)};
    r.answered = true;
    r.capacity = vfo::Resources{1e9, 1e9};
    const double cpu = 0.5 + 0.3 * std::sin((static_cast<double>(i) + round) * 0.3);
    r.used = vfo::Resources{cpu * 1e9, (1 - cpu) * 1e9};
    s.nodes.push_back(r);
  }
  return s;
}

void BM_ForecasterAssess(benchmark::State& state, int hidden, bool guarded) {
  constexpr std::size_t kNodes = 10'000;
  auto model = std::make_shared<vfo::ForecastModel>();
  if (hidden > 0) {
    model->point = tiny_model(vfo::RecurrentCell::lstm, hidden);
  } else {
    model->point = std::make_shared<vfo::MovingAverageModel>(12);
  }
  model->spec.window = kWindow;
  model->channels = kChannels;
  const vfo::Examples validation = wave_examples(5000, 4);
  const auto predictions = model->point->predict(validation.inputs.data(), validation.count(), kWindow, kChannels);
  model->calibration = vfo::OverloadCalibration::fit(predictions, validation.peaks, kChannels, {}, 1);
  std::optional<vfo::GuardOptions> guard;
  if (guarded) {
    for (auto& b : vfo::standard_baselines(validation, kWindow)) {
      const auto p = b->predict(validation.inputs.data(), validation.count(), kWindow, kChannels);
      auto calibration = vfo::OverloadCalibration::fit(p, validation.peaks, kChannels, {}, 1);
      model->baselines.push_back({std::shared_ptr<const vfo::PointModel>(std::move(b)), std::move(calibration)});
    }
    guard = vfo::GuardOptions{};
  }
  vfo::set_torch_threads(1);
  vfo::ModelForecaster forecaster(model, guard);
  int round = 0;
  for (; round < kWindow; ++round) forecaster.assess(wave_snapshot(kNodes, round), 300);  // full histories
  const vfo::ClusterSnapshot snapshot = wave_snapshot(kNodes, round);
  for (auto _ : state) {
    auto p = forecaster.assess(snapshot, 300);
    benchmark::DoNotOptimize(p.data());
  }
}
BENCHMARK_CAPTURE(BM_ForecasterAssess, lstm100, 100, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ForecasterAssess, lstm32, 32, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ForecasterAssess, ma12, 0, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ForecasterAssess, ma12_guarded, 0, true)->Unit(benchmark::kMillisecond);

void BM_ForecastTrainEpoch(benchmark::State& state) {
  const vfo::Examples train = wave_examples(100'000, 3);
  vfo::TrainOptions options;
  options.epochs = 1;
  for (auto _ : state) {
    auto model = vfo::RecurrentModel::train(train, {}, options);
    benchmark::DoNotOptimize(model.get());
  }
  state.counters["examples_per_s"] = benchmark::Counter(1e5, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ForecastTrainEpoch)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
