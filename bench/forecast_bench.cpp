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
//   BM_ForecasterCascade/<kind>/R/T the cascade's round on 10,000 nodes (baselines screen every node, the network
//                                 runs where they cannot rule out an overload and every R rounds), with the full
//                                 network's alarms, the cascade's missed and extra alarms, and its network share;
//                                 T torch threads
//   BM_ForecastTrainEpoch         one training epoch of the LSTM over 100,000 examples, window 12, 2 channels
//                                 (seconds)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
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

// `nodes` series of `rounds` readings (CPU and RAM, percent): a calm, noisy load, and now and then (a start per node
// and round with probability `ramp_rate`) a ramp to the whole node over 8 to 20 rounds that holds 5 to 15 rounds.
std::vector<vfo::UsageSeries> ramp_series(std::size_t nodes, int rounds, double ramp_rate, std::uint64_t seed) {
  vfo::Rng rng(seed);
  std::vector<vfo::UsageSeries> out(nodes);
  for (std::size_t n = 0; n < nodes; ++n) {
    vfo::UsageSeries& s = out[n];
    s.name = "ramp/" + std::to_string(n);
    s.interval_s = 30;
    const double calm = rng.uniform(10, 60);
    const double ram = rng.uniform(20, 60);
    int ramp = 0, ramp_left = 0, hold_left = 0;
    for (int t = 0; t < rounds; ++t) {
      if (ramp_left == 0 && hold_left == 0 && rng.uniform(0, 1) < ramp_rate) {
        ramp = ramp_left = static_cast<int>(rng.uniform(8, 21));
        hold_left = static_cast<int>(rng.uniform(5, 16));
      }
      double level = calm;
      if (ramp_left > 0) {
        level = calm + (100 - calm) * (ramp - ramp_left + 1) / ramp;
        --ramp_left;
      } else if (hold_left > 0) {
        level = 100;
        --hold_left;
      }
      s.cpu_pct.push_back(std::clamp(level + rng.normal(0, 3), 0.0, 100.0));
      s.ram_pct.push_back(std::clamp(ram + rng.normal(0, 1), 0.0, 100.0));
    }
  }
  return out;
}

// The snapshot of round `round` of `series`, one node per series.
vfo::ClusterSnapshot series_snapshot(const std::vector<vfo::UsageSeries>& series, int round) {
  vfo::ClusterSnapshot s;
  s.nodes.reserve(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    vfo::NodeReport r;
    r.node = vfo::NodeId{static_cast<std::uint32_t>(i)};
    r.answered = true;
    r.capacity = vfo::Resources{1e9, 1e9};
    r.measured_cpu_pct = series[i].cpu_pct[static_cast<std::size_t>(round)];
    r.measured_ram_pct = series[i].ram_pct[static_cast<std::size_t>(round)];
    s.nodes.push_back(r);
  }
  return s;
}

// A network of `hidden` units trained on ramp series, with its baselines, all calibrated on held-out series:
// the model `vfo forecast train` would save for such a cluster (horizon 3 rounds).
std::shared_ptr<vfo::ForecastModel> ramp_model(int hidden) {
  const vfo::WindowSpec spec{kWindow, 3};
  const vfo::Examples train = vfo::make_examples(ramp_series(300, 300, 0.005, 11), spec, kChannels);
  const vfo::Examples validation = vfo::make_examples(ramp_series(100, 300, 0.005, 12), spec, kChannels);
  vfo::TrainOptions options;
  options.hidden = hidden;
  options.dense = hidden;
  options.epochs = 3;
  options.threads = 1;
  options.max_examples_per_epoch = 30'000;
  auto model = std::make_shared<vfo::ForecastModel>();
  model->point = vfo::RecurrentModel::train(train, validation, options);
  model->spec = spec;
  model->channels = kChannels;
  const auto calibrate = [&](const vfo::PointModel& m) {
    const auto p = m.predict(validation.inputs.data(), validation.count(), kWindow, kChannels);
    return vfo::OverloadCalibration::fit(p, validation.peaks, kChannels, {}, 1);
  };
  model->calibration = calibrate(*model->point);
  for (auto& b : vfo::standard_baselines(train, kWindow)) {
    auto calibration = calibrate(*b);
    model->baselines.push_back({std::shared_ptr<const vfo::PointModel>(std::move(b)), std::move(calibration)});
  }
  return model;
}

// One round of the cascade (timed) on 10,000 nodes of ramp series (about 0.05 % of nodes start a ramp each
// round), beside the full network's round on the same snapshot (not timed): alarms = the full network's
// alarms (p_fail >= K = 0.5, node-rounds), missed = those the cascade did not raise, extra = the cascade's
// alarms the full network did not raise, alarms_true and missed_true = those of the alarms and of the missed that an
// overload (CPU above 90 %) followed within the horizon, network_share = the node forecasts the network made in the
// cascade. Arguments: R (refresh_rounds) and torch's threads.
void BM_ForecasterCascade(benchmark::State& state, int hidden) {
  constexpr std::size_t kNodes = 10'000;
  constexpr double kK = 0.5;
  const int refresh = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const auto model = ramp_model(hidden);
  const int rounds = kWindow + static_cast<int>(state.max_iterations);
  const auto series = ramp_series(kNodes, rounds + 3, 0.0005, 13);  // + the last round's horizon
  vfo::set_torch_threads(threads);
  vfo::ModelForecaster full(model);
  vfo::ModelForecaster cascade(model, std::nullopt, vfo::CascadeOptions{.screen_p = 0.05, .refresh_rounds = refresh});
  int round = 0;
  for (; round < kWindow; ++round) {  // full histories
    full.assess(series_snapshot(series, round), 90);
    cascade.assess(series_snapshot(series, round), 90);
  }
  const std::uint64_t network_before = cascade.network_forecasts();
  double alarms = 0, missed = 0, extra = 0, missed_overloads = 0, alarm_overloads = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const vfo::ClusterSnapshot snapshot = series_snapshot(series, round++);
    const std::vector<double> reference = full.assess(snapshot, 90);
    state.ResumeTiming();
    const std::vector<double> p = cascade.assess(snapshot, 90);
    benchmark::DoNotOptimize(p.data());
    state.PauseTiming();
    for (std::size_t i = 0; i < kNodes; ++i) {
      const auto& cpu = series[i].cpu_pct;
      const auto now = static_cast<std::size_t>(round - 1);
      const bool overload = std::max({cpu[now + 1], cpu[now + 2], cpu[now + 3]}) > 90;  // within the horizon
      const bool alarm = reference[i] >= kK;
      alarms += alarm ? 1 : 0;
      alarm_overloads += alarm && overload ? 1 : 0;
      missed += alarm && p[i] < kK ? 1 : 0;
      missed_overloads += alarm && p[i] < kK && overload ? 1 : 0;
      extra += !alarm && p[i] >= kK ? 1 : 0;
    }
    state.ResumeTiming();
  }
  state.counters["alarms"] = alarms;
  state.counters["missed"] = missed;
  state.counters["extra"] = extra;
  state.counters["alarms_true"] = alarm_overloads;
  state.counters["missed_true"] = missed_overloads;
  state.counters["network_share"] = static_cast<double>(cascade.network_forecasts() - network_before) /
                                    (static_cast<double>(state.iterations()) * kNodes);
}
// One torch thread: with two, the threads that the full network's (untimed) round leaves spinning take the
// second core from the timed round, which then runs slower than on one.
BENCHMARK_CAPTURE(BM_ForecasterCascade, lstm100, 100)
    ->ArgsProduct({{16, 32}, {1}})
    ->Iterations(30)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ForecasterCascade, lstm32, 32)
    ->ArgsProduct({{16, 32}, {1}})
    ->Iterations(30)
    ->Unit(benchmark::kMillisecond);

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
