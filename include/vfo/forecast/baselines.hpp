#pragma once
// Classical point forecasters, the yardsticks the recurrent networks must beat. Every one treats each
// channel independently and predicts the reading `horizon` steps after the window (the horizon is the
// one the examples were cut with; only ArModel learns anything about it).
#include <memory>
#include <string>
#include <vector>

#include "vfo/forecast/examples.hpp"
#include "vfo/forecast/point_model.hpp"

namespace vfo {

// All predict() calls below throw std::invalid_argument when window < 1 or channels < 1 (ArModel: also
// when window < p or channels differs from the number it was fitted on).

// The last reading. Name "persistence".
class PersistenceModel final : public PointModel {
 public:
  std::string name() const override { return "persistence"; }
  std::vector<float> predict(const float* inputs, std::size_t count, int window, int channels) const override;
};

// The mean of the last min(n, window) readings. Name "ma<n>", e.g. "ma12".
class MovingAverageModel final : public PointModel {
 public:
  explicit MovingAverageModel(int n);  // n >= 1, else std::invalid_argument
  int length() const { return n_; }
  std::string name() const override;
  std::vector<float> predict(const float* inputs, std::size_t count, int window, int channels) const override;

 private:
  int n_;
};

// Exponentially weighted moving average over the window: s = x_0, then s = alpha * x_t + (1 - alpha) * s
// for t = 1 .. window-1; predicts s. Name "ewma<alpha>", alpha printed with up to 6 significant digits
// and no trailing zeros, e.g. "ewma0.3".
class EwmaModel final : public PointModel {
 public:
  explicit EwmaModel(double alpha);  // 0 < alpha <= 1, else std::invalid_argument
  double alpha() const { return alpha_; }
  std::string name() const override;
  std::vector<float> predict(const float* inputs, std::size_t count, int window, int channels) const override;

 private:
  double alpha_;
};

// AR(p) with intercept, direct to the horizon: for each channel c,
//   prediction_c = a_c + sum_{j=0}^{p-1} w_{c,j} * x_{c, window-p+j}
// where x_{c, window-p} is the oldest and x_{c, window-1} the newest of the last p readings. Fitted by
// ordinary least squares of the examples' targets on their last p readings. Predictions are not clamped.
class ArModel final : public PointModel {
 public:
  // coefficients[c] = {a_c, w_{c,0} (oldest), ..., w_{c,p-1} (newest)}, the same length p + 1 >= 2 for
  // every channel; throws std::invalid_argument otherwise (or when there is no channel).
  explicit ArModel(std::vector<std::vector<double>> coefficients);

  // Least squares per channel on `train` (its targets on the last p readings of its inputs), computed
  // in double on centred data: the weights solve (Xc'Xc + lambda I) w = Xc'yc with the tiny ridge
  // lambda = 1e-10 * trace(Xc'Xc) (1 when that trace is 0, i.e. constant inputs) so that constant or
  // collinear inputs still give an answer, then a = mean(y) - w . mean(x). Throws std::invalid_argument
  // when p < 1, p > train.window, or train has no example or an inconsistent layout.
  static ArModel fit(const Examples& train, int p);

  const std::vector<std::vector<double>>& coefficients() const { return coefficients_; }
  int order() const { return static_cast<int>(coefficients_.front().size()) - 1; }
  std::string name() const override;  // "ar<p>", e.g. "ar6"
  std::vector<float> predict(const float* inputs, std::size_t count, int window, int channels) const override;

 private:
  std::vector<std::vector<double>> coefficients_;
};

// The standard set, in this order: persistence, ma<min(12, window)>, ewma0.3 and ar<min(6, window)>
// fitted on `train` (which must have train.window >= min(6, window); see ArModel::fit).
std::vector<std::unique_ptr<PointModel>> standard_baselines(const Examples& train, int window);

}  // namespace vfo
