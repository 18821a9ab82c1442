#include "vfo/forecast/forecast_evaluation.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace vfo {
namespace {

MethodEvaluation scored(std::string method, std::vector<float> predictions, std::vector<double> p_fail,
                        const Examples& examples, const std::vector<int>& outcomes) {
  MethodEvaluation m;
  m.method = std::move(method);
  m.predictions = std::move(predictions);
  m.p_fail = std::move(p_fail);
  for (int c = 0; c < examples.channels; ++c)
    m.error[c] = error_stats(m.predictions, examples.targets, examples.channels, c);
  m.curve = precision_recall_curve(m.p_fail, outcomes);
  return m;
}

// Per series, the examples' steps, p and outcomes, and where the series' own readings overload.
std::vector<AlarmTrack> alarm_tracks(const std::vector<UsageSeries>& series, const Examples& examples,
                                     const std::vector<double>& p, const std::vector<int>& outcomes,
                                     const OverloadThresholds& thresholds) {
  std::map<int, AlarmTrack> by_series;
  for (std::size_t i = 0; i < examples.count(); ++i) {
    AlarmTrack& t = by_series[examples.series[i]];
    t.steps.push_back(examples.steps[i]);
    t.p.push_back(p[i]);
    t.outcomes.push_back(outcomes[i]);
  }
  std::vector<AlarmTrack> tracks;
  for (auto& [index, t] : by_series) {
    const UsageSeries& s = series[static_cast<std::size_t>(index)];
    t.exceeds.resize(s.size());
    for (std::size_t k = 0; k < s.size(); ++k) {
      const bool ram = examples.channels == 2 && s.ram_pct[k] > thresholds.ram_pct;
      t.exceeds[k] = s.cpu_pct[k] > thresholds.cpu_pct || ram ? 1 : 0;
    }
    tracks.push_back(std::move(t));
  }
  return tracks;
}

}  // namespace

Evaluation evaluate_forecaster(const ForecastModel& model, const std::vector<UsageSeries>& series,
                               const Examples& examples, const EvaluationOptions& options) {
  const std::size_t count = examples.count();
  if (count == 0 || examples.steps.size() != count) {
    throw std::invalid_argument("evaluate_forecaster: examples must be made by make_examples and not empty");
  }
  for (std::size_t i = 0; i < count; ++i) {
    const auto s = static_cast<std::size_t>(examples.series[i]);
    if (examples.series[i] < 0 || s >= series.size() ||
        static_cast<std::size_t>(examples.steps[i]) >= series[s].size()) {
      throw std::invalid_argument("evaluate_forecaster: an example does not come from the series given");
    }
  }
  const auto channels = static_cast<std::size_t>(model.channels);
  const OverloadThresholds thresholds = model.calibration.state().thresholds;
  Evaluation e;
  e.outcomes = overload_outcomes(examples, thresholds);
  e.event_rate = static_cast<double>(std::count(e.outcomes.begin(), e.outcomes.end(), 1)) / static_cast<double>(count);

  // Every candidate on every example.
  const std::vector<ForecastCandidate> candidates = candidates_of(model);
  std::vector<std::vector<float>> predictions;
  std::vector<std::vector<double>> p_fail;
  for (const ForecastCandidate& c : candidates) {
    predictions.push_back(c.point->predict(examples.inputs.data(), count, examples.window, examples.channels));
    p_fail.push_back(c.calibration.probabilities(predictions.back()));
  }

  // The guard, in lockstep over the series.
  GuardOptions guard_options = options.guard;
  guard_options.horizon = model.spec.horizon;
  guard_options.channels = model.channels;
  guard_options.persistence = persistence_index(model);
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return examples.steps[a] < examples.steps[b]; });
  std::map<int, ForecastGuard> guards;
  std::map<int, std::vector<std::size_t>> waiting;  // per series, its examples not yet resolved, oldest first
  CalibrationCounts cluster;
  std::vector<float> guarded_predictions(count * channels);
  std::vector<double> guarded_p(count);
  std::vector<float> row(candidates.size() * channels);
  std::vector<double> row_p(candidates.size());
  e.guard_answers.assign(candidates.size(), 0);
  for (const std::size_t i : order) {
    const int s = examples.series[i];
    ForecastGuard& guard = guards.try_emplace(s, guard_options, candidates.size()).first->second;
    std::vector<std::size_t>& queue = waiting[s];
    std::size_t resolved = 0;
    while (resolved < queue.size() && examples.steps[queue[resolved]] <= examples.steps[i] - model.spec.horizon) {
      const std::size_t j = queue[resolved++];
      guard.resolve(examples.steps[j], examples.targets.data() + j * channels, e.outcomes[j] == 1, &cluster);
    }
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(resolved));
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      std::copy_n(predictions[c].data() + i * channels, channels, row.data() + c * channels);
      row_p[c] = p_fail[c][i];
    }
    const ForecastGuard::Answer a = guard.forecast(examples.steps[i], row.data(), row_p.data(), &cluster);
    std::copy_n(row.data() + a.candidate * channels, channels, guarded_predictions.data() + i * channels);
    guarded_p[i] = a.p_fail;
    ++e.guard_answers[a.candidate];
    queue.push_back(i);
  }

  e.methods.push_back(scored(model.point->name() + " (model)", predictions[0], p_fail[0], examples, e.outcomes));
  e.methods.push_back(scored("guarded", std::move(guarded_predictions), std::move(guarded_p), examples, e.outcomes));
  for (std::size_t c = 1; c < candidates.size(); ++c) {
    e.methods.push_back(scored(candidates[c].point->name(), predictions[c], p_fail[c], examples, e.outcomes));
  }
  for (MethodEvaluation& m : e.methods) {
    const std::vector<AlarmTrack> tracks = alarm_tracks(series, examples, m.p_fail, e.outcomes, thresholds);
    m.alarms = score_alarms(tracks, options.k, model.spec.horizon, model.interval_s, model.base_rate);
  }
  return e;
}

}  // namespace vfo
