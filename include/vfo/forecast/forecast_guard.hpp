#pragma once
// The forecaster's guard. On a cluster it never learned from, a network can do worse than repeating the last
// reading. The guard watches, node by node, how every candidate (the network and the baselines) did on the
// forecasts whose outcome is already known, and answers with the prediction of the candidate doing best on
// that node; until one has done better than persistence there, with persistence's. Overloads are too rare on
// one node to rank probabilities, so p_fail comes from the candidate whose p_fail has the lowest Brier score
// over the whole cluster so far (persistence's until one beats it, and during the cluster's warm-up). That
// p_fail is then recalibrated on what followed earlier answers: on the node's own history, shrunk towards the
// cluster's, shrunk towards the calibration learned offline.
#include <cstddef>
#include <deque>
#include <vector>

namespace vfo {

struct GuardOptions {
  int horizon = 1;              // steps from a forecast to its target (the model's horizon), >= 1
  int channels = 1;             // values per prediction (CPU first); the error sums them
  std::size_t persistence = 0;  // the index of the persistence candidate: the floor
  // The error that ranks candidates is an exponentially weighted mean absolute error; a forecast's weight
  // halves after this many later ones on the same node.
  double error_half_life = 12;
  // Forecasts with a known outcome on a node before any candidate but persistence may answer there.
  int warmup = 6;
  // How much the recalibration trusts the level above it, in forecasts: the cluster's rate of a p bin is
  // (events + prior * offline p) / (forecasts + prior), the node's (events + prior * cluster's) / (forecasts
  // + prior).
  double cluster_prior = 200;
  double node_prior = 50;
  // Forecasts with a known outcome in the cluster before p_fail may come from another candidate than persistence.
  long cluster_warmup = 500;
};

// What the cluster saw: event counts per bin of raw p_fail (how often an overload followed forecasts of that
// level), and each candidate's summed squared error of p_fail (its Brier score, unnormalised).
class CalibrationCounts {
 public:
  // Adds one forecast's squared p_fail error to the candidate's sum; NaN (the candidate did not forecast) is
  // not counted.
  void score(std::size_t candidate, double squared_error);
  // The candidate (of `candidates`) with the lowest mean squared error over the forecasts it made, `persistence`
  // on ties and before persistence has `warmup` scored forecasts; a candidate with none is not considered.
  std::size_t best_probabilities(std::size_t persistence, std::size_t candidates, long warmup) const;

  // Bins of the raw p: [0, 0.001), [0.001, 0.01), [0.01, 0.03), [0.03, 0.1), [0.1, 0.2), [0.2, 0.35),
  // [0.35, 0.5), [0.5, 0.65), [0.65, 0.8), [0.8, 0.9), [0.9, 1].
  static std::size_t bin_of(double raw_p);
  static constexpr std::size_t kBins = 11;

  void record(double raw_p, bool overloaded);
  // (events + prior * fallback) / (forecasts + prior) in raw_p's bin; fallback when prior and count are 0.
  double shrunk(double raw_p, double fallback, double prior) const;

 private:
  double forecasts_[kBins] = {};
  double events_[kBins] = {};
  std::vector<double> squared_errors_;
  std::vector<long> scored_;  // forecasts scored, per candidate
};

// One node's guard. Not thread-safe; one per node, fed in step order.
class ForecastGuard {
 public:
  // Throws std::invalid_argument when candidates is 0, persistence is not one of them, or an option is out of
  // range (horizon or channels < 1, half life <= 0, warmup or a prior < 0).
  ForecastGuard(const GuardOptions& options, std::size_t candidates);

  struct Answer {
    std::size_t candidate = 0;    // whose prediction answers
    std::size_t p_candidate = 0;  // whose p_fail answers
    double raw_p = 0;             // that candidate's p_fail, as its offline calibration says
    double p_fail = 0;            // recalibrated
  };

  // The forecasts made at `step` (greater than any step before): predictions holds candidates x channels
  // values, raw_p one p_fail per candidate. A candidate that did not forecast this step (a cascade ran only the
  // cheap ones) has NaN predictions and p: it cannot answer this step, and its errors are not scored for it. `cluster`
  // (may be null) holds the cluster's counts; it is read, not written.
  Answer forecast(long step, const float* predictions, const double* raw_p, const CalibrationCounts* cluster);

  // What followed the forecasts made at `step`: the reading `horizon` steps later (channels values) and
  // whether an overload happened in between. Scores every candidate's prediction on the node and p_fail in
  // `cluster` (may be null), and records the answer's outcome in the node's and the cluster's counts. Forecasts made
  // before `step` that are still waiting are dropped (their outcome was not measured); a step with no forecast is
  // ignored.
  void resolve(long step, const float* target, bool overloaded, CalibrationCounts* cluster);

  // raw_p recalibrated on the node's counts, shrunk towards `cluster`'s (may be null), shrunk towards raw_p.
  double recalibrated(double raw_p, const CalibrationCounts* cluster) const;

  // The candidate that would answer now.
  std::size_t leader() const;
  // A candidate's weighted mean absolute error over the forecasts it made (0 before any outcome).
  double error(std::size_t candidate) const;
  int scored() const { return scored_; }

 private:
  struct Pending {
    long step = 0;
    std::vector<float> predictions;
    std::vector<double> candidates_p;
    double raw_p = 0;
  };
  void drop_front();
  GuardOptions options_;
  double decay_;
  std::vector<double> weighted_error_;  // per candidate, sum of decayed |error|
  std::vector<double> weight_;          // per candidate, sum of decayed weights of the forecasts it made
  int scored_ = 0;
  long forecasts_ = 0;
  long last_step_ = 0;
  std::deque<Pending> pending_;
  Pending spare_;  // a resolved entry whose buffers the next forecast reuses (no allocation per round)
  CalibrationCounts counts_;
};

}  // namespace vfo
