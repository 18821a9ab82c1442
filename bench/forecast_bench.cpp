// Forecaster benchmarks: the recurrent networks on LibTorch. Not a test: run with
//   ./build/bench/vfo_bench --benchmark_filter=Forecast
//
//   BM_ForecastInference/<cell>   one predict() for 10,000 nodes, window 12, 2 channels, hidden 100 (ms per call;
//                                 target < 20 ms); weights from a 1-epoch training on tiny data
//   BM_ForecastTrainEpoch         one training epoch of the LSTM over 100,000 examples, window 12, 2 channels
//                                 (seconds)
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <vector>

#include "vfo/forecast/examples.hpp"
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

void BM_ForecastInference(benchmark::State& state, vfo::RecurrentCell cell) {
  vfo::TrainOptions options;
  options.cell = cell;
  options.epochs = 1;
  const auto model = vfo::RecurrentModel::train(wave_examples(256, 1), {}, options);
  constexpr std::size_t kNodes = 10'000;
  const vfo::Examples nodes = wave_examples(kNodes, 2);
  for (auto _ : state) {
    auto predictions = model->predict(nodes.inputs.data(), kNodes, kWindow, kChannels);
    benchmark::DoNotOptimize(predictions.data());
  }
  state.counters["nodes_per_s"] =
      benchmark::Counter(static_cast<double>(kNodes), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_ForecastInference, lstm, vfo::RecurrentCell::lstm)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ForecastInference, gru, vfo::RecurrentCell::gru)->Unit(benchmark::kMillisecond);

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
