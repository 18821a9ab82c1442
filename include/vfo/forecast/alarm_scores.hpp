#pragma once
// Overload probabilities judged as the controller uses them: as alarms at its threshold K. The scores a
// controller lives by (precision, recall, lead time, false alarms per node-hour), the threshold-free ones
// (ROC AUC, Brier skill against the base rate), and the precision-recall curve from which K can be picked.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vfo {

// One node's (one series') forecasts, in increasing step order, one per step it was assessed at.
//  - steps[k]: the step of the newest reading forecast k saw; it speaks of the horizon
//    (steps[k], steps[k] + horizon];
//  - p[k] in [0, 1]: its p_fail; outcomes[k]: 1 when that horizon held an overload, else 0;
//  - exceeds: one flag per step of the series, 1 where the reading itself was an overload (above a
//    threshold). A maximal run of such steps is an overload episode.
struct AlarmTrack {
  std::vector<int> steps;
  std::vector<double> p;
  std::vector<int> outcomes;
  std::vector<std::uint8_t> exceeds;
};

// NaN marks a score that is undefined on the data (a precision without alarms, a recall or lead time without
// events, an AUC with one class only).
struct AlarmScores {
  double k = 0;                           // alarm when p >= k
  std::size_t forecasts = 0;              // every forecast of every track
  std::size_t events = 0;                 // forecasts whose horizon overloaded
  std::size_t alarms = 0;                 // forecasts with p >= k
  std::size_t true_alarms = 0;            // alarms whose horizon overloaded
  double precision = 0;                   // true_alarms / alarms
  double recall = 0;                      // true_alarms / events
  double false_alarms_per_node_hour = 0;  // (alarms - true_alarms) / (forecasts * interval_s / 3600)
  // Episodes: those that some forecast could have warned of (one made at a step in [start - horizon, start - 1]).
  // Warned: one of those forecasts alarmed. Lead: from the first alarm of the unbroken run of alarmed steps
  // that reaches the warning (not reaching back into an earlier episode) to the episode's first step.
  std::size_t episodes = 0;
  std::size_t warned_episodes = 0;
  double mean_lead_s = 0;
  double median_lead_s = 0;
  double roc_auc = 0;
  double brier = 0;
  double base_rate_brier = 0;  // the Brier score of always answering `base_rate`
  double brier_skill = 0;      // 1 - brier / base_rate_brier
};

// Scores every track at threshold k. `horizon` (>= 1) is in steps, `interval_s` (> 0) the seconds between
// steps, `base_rate` in [0, 1] the overload frequency a forecaster without information would answer (that
// of its training data). Throws std::invalid_argument on inconsistent tracks (sizes, steps not increasing,
// a p outside [0, 1], an outcome not 0/1, a step outside exceeds) or bad arguments.
AlarmScores score_alarms(const std::vector<AlarmTrack>& tracks, double k, int horizon, double interval_s,
                         double base_rate);

// The area under the ROC curve: the probability that a forecast whose horizon overloaded has a higher p than
// one whose horizon did not (ties count one half). NaN when either class is empty. Throws
// std::invalid_argument on different sizes or an outcome not 0/1.
double roc_auc(const std::vector<double>& p, const std::vector<int>& outcomes);

// A point of the precision-recall curve: alarming when p >= threshold.
struct PrecisionRecallPoint {
  double threshold = 0;
  double precision = 0;
  double recall = 0;
};

// One point per distinct p (highest threshold first), thinned to at most `max_points` evenly spread points
// (the last, lowest threshold kept). Empty when no forecast overloaded. Throws as roc_auc, and when
// max_points < 2.
std::vector<PrecisionRecallPoint> precision_recall_curve(const std::vector<double>& p, const std::vector<int>& outcomes,
                                                         std::size_t max_points = 200);

// The threshold of the curve with the highest F1 (2 P R / (P + R)); the highest such threshold on ties.
// NaN for an empty curve.
double best_f1_threshold(const std::vector<PrecisionRecallPoint>& curve);

}  // namespace vfo
