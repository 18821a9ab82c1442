#include "vfo/forecast/alarm_scores.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace vfo {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_pairs(const std::vector<double>& p, const std::vector<int>& outcomes, const char* function) {
  if (p.size() != outcomes.size())
    throw std::invalid_argument(std::string(function) + ": p and outcomes differ in size");
  for (const int o : outcomes) {
    if (o != 0 && o != 1) throw std::invalid_argument(std::string(function) + ": outcomes must be 0 or 1");
  }
}

void check_track(const AlarmTrack& t) {
  if (t.p.size() != t.steps.size() || t.outcomes.size() != t.steps.size()) {
    throw std::invalid_argument("score_alarms: a track's steps, p and outcomes differ in size");
  }
  for (std::size_t k = 0; k < t.steps.size(); ++k) {
    if (t.steps[k] < 0 || static_cast<std::size_t>(t.steps[k]) >= t.exceeds.size()) {
      throw std::invalid_argument("score_alarms: a step lies outside its track's readings");
    }
    if (k > 0 && t.steps[k] <= t.steps[k - 1]) throw std::invalid_argument("score_alarms: steps must increase");
    if (!(t.p[k] >= 0 && t.p[k] <= 1)) throw std::invalid_argument("score_alarms: p outside [0, 1]");
    if (t.outcomes[k] != 0 && t.outcomes[k] != 1) throw std::invalid_argument("score_alarms: outcome not 0 or 1");
  }
}

double ratio(std::size_t numerator, std::size_t denominator) {
  return denominator == 0 ? kNaN : static_cast<double>(numerator) / static_cast<double>(denominator);
}

// Appends, for each episode of `t` that a forecast could have warned of, its lead in steps (0: not warned).
void episode_leads(const AlarmTrack& t, double k, int horizon, std::vector<int>& leads) {
  // forecast_at[s]: the index of the forecast made at step s, or -1.
  std::vector<int> forecast_at(t.exceeds.size(), -1);
  for (std::size_t i = 0; i < t.steps.size(); ++i)
    forecast_at[static_cast<std::size_t>(t.steps[i])] = static_cast<int>(i);
  const auto alarmed = [&](int step) { return step >= 0 && forecast_at[step] >= 0 && t.p[forecast_at[step]] >= k; };

  int previous_end = -1;  // the last step of the previous episode
  for (int start = 0; start < static_cast<int>(t.exceeds.size()); ++start) {
    if (t.exceeds[start] == 0 || (start > 0 && t.exceeds[start - 1] != 0)) continue;
    const int from = std::max(previous_end + 1, start - horizon);
    int latest_forecast = -1, latest_alarm = -1;
    for (int s = start - 1; s >= from; --s) {
      if (latest_forecast < 0 && forecast_at[s] >= 0) latest_forecast = s;
      if (alarmed(s)) {
        latest_alarm = s;
        break;
      }
    }
    if (latest_forecast >= 0) {
      int first = latest_alarm;
      while (first >= 0 && first - 1 > previous_end && alarmed(first - 1)) --first;
      leads.push_back(latest_alarm >= 0 ? start - first : 0);
    }
    previous_end = start;
    while (previous_end + 1 < static_cast<int>(t.exceeds.size()) && t.exceeds[previous_end + 1] != 0) ++previous_end;
  }
}

}  // namespace

double roc_auc(const std::vector<double>& p, const std::vector<int>& outcomes) {
  check_pairs(p, outcomes, "roc_auc");
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  // Mann-Whitney: the sum of the positives' ranks, ties given their mean rank.
  double positive_rank_sum = 0;
  std::size_t positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && p[order[j]] == p[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t m = i; m < j; ++m) {
      if (outcomes[order[m]] == 1) {
        positive_rank_sum += mean_rank;
        ++positives;
      }
    }
    i = j;
  }
  const std::size_t negatives = p.size() - positives;
  if (positives == 0 || negatives == 0) return kNaN;
  const double np = static_cast<double>(positives);
  return (positive_rank_sum - np * (np + 1) / 2) / (np * static_cast<double>(negatives));
}

std::vector<PrecisionRecallPoint> precision_recall_curve(const std::vector<double>& p, const std::vector<int>& outcomes,
                                                         std::size_t max_points) {
  check_pairs(p, outcomes, "precision_recall_curve");
  if (max_points < 2) throw std::invalid_argument("precision_recall_curve: max_points must be >= 2");
  const auto events = static_cast<std::size_t>(std::count(outcomes.begin(), outcomes.end(), 1));
  if (events == 0) return {};
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
  std::vector<PrecisionRecallPoint> curve;
  std::size_t alarms = 0, hits = 0;
  for (std::size_t i = 0; i < order.size();) {
    const double threshold = p[order[i]];
    while (i < order.size() && p[order[i]] == threshold) {
      hits += static_cast<std::size_t>(outcomes[order[i]]);
      ++alarms;
      ++i;
    }
    curve.push_back({threshold, ratio(hits, alarms), ratio(hits, events)});
  }
  if (curve.size() <= max_points) return curve;
  std::vector<PrecisionRecallPoint> thinned;
  for (std::size_t m = 0; m < max_points; ++m) thinned.push_back(curve[m * (curve.size() - 1) / (max_points - 1)]);
  return thinned;
}

double best_f1_threshold(const std::vector<PrecisionRecallPoint>& curve) {
  double best = kNaN, best_f1 = -1;
  for (const PrecisionRecallPoint& point : curve) {
    const double sum = point.precision + point.recall;
    const double f1 = sum > 0 ? 2 * point.precision * point.recall / sum : 0;
    if (f1 > best_f1) {
      best_f1 = f1;
      best = point.threshold;
    }
  }
  return best;
}

AlarmScores score_alarms(const std::vector<AlarmTrack>& tracks, double k, int horizon, double interval_s,
                         double base_rate) {
  if (horizon < 1 || !(interval_s > 0) || !(base_rate >= 0 && base_rate <= 1)) {
    throw std::invalid_argument("score_alarms: horizon >= 1, interval_s > 0 and base_rate in [0, 1] expected");
  }
  AlarmScores s;
  s.k = k;
  std::vector<double> all_p;
  std::vector<int> all_outcomes;
  std::vector<int> leads;
  double brier_sum = 0, base_sum = 0;
  for (const AlarmTrack& t : tracks) {
    check_track(t);
    for (std::size_t i = 0; i < t.steps.size(); ++i) {
      const bool alarm = t.p[i] >= k;
      s.events += static_cast<std::size_t>(t.outcomes[i]);
      s.alarms += alarm ? 1 : 0;
      s.true_alarms += alarm && t.outcomes[i] == 1 ? 1 : 0;
      brier_sum += (t.p[i] - t.outcomes[i]) * (t.p[i] - t.outcomes[i]);
      base_sum += (base_rate - t.outcomes[i]) * (base_rate - t.outcomes[i]);
    }
    s.forecasts += t.steps.size();
    all_p.insert(all_p.end(), t.p.begin(), t.p.end());
    all_outcomes.insert(all_outcomes.end(), t.outcomes.begin(), t.outcomes.end());
    episode_leads(t, k, horizon, leads);
  }
  s.precision = ratio(s.true_alarms, s.alarms);
  s.recall = ratio(s.true_alarms, s.events);
  const double node_hours = static_cast<double>(s.forecasts) * interval_s / 3600;
  s.false_alarms_per_node_hour = node_hours > 0 ? static_cast<double>(s.alarms - s.true_alarms) / node_hours : kNaN;

  s.episodes = leads.size();
  std::vector<double> warned;
  for (const int lead : leads) {
    if (lead > 0) warned.push_back(lead * interval_s);
  }
  s.warned_episodes = warned.size();
  s.mean_lead_s = kNaN;
  s.median_lead_s = kNaN;
  if (!warned.empty()) {
    std::sort(warned.begin(), warned.end());
    s.mean_lead_s = std::accumulate(warned.begin(), warned.end(), 0.0) / static_cast<double>(warned.size());
    const std::size_t mid = warned.size() / 2;
    s.median_lead_s = warned.size() % 2 == 1 ? warned[mid] : (warned[mid - 1] + warned[mid]) / 2;
  }

  s.roc_auc = roc_auc(all_p, all_outcomes);
  const auto n = static_cast<double>(s.forecasts);
  s.brier = s.forecasts > 0 ? brier_sum / n : kNaN;
  s.base_rate_brier = s.forecasts > 0 ? base_sum / n : kNaN;
  s.brier_skill = s.base_rate_brier > 0 ? 1 - s.brier / s.base_rate_brier : kNaN;
  return s;
}

}  // namespace vfo
