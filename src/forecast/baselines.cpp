#include "vfo/forecast/baselines.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace vfo {

namespace {

void check_shape(const char* model, int window, int channels) {
  if (window < 1 || channels < 1)
    throw std::invalid_argument(std::string(model) + ": window and channels must be >= 1");
}

// Returns count x channels predictions, prediction (e, c) = f(reading, c) where reading(t) is channel c
// of example e at step t (0 = oldest of the window).
template <typename F>
std::vector<float> per_channel(const float* inputs, std::size_t count, int window, int channels, F&& f) {
  const auto ch = static_cast<std::size_t>(channels);
  std::vector<float> out(count * ch);
  for (std::size_t e = 0; e < count; ++e) {
    const float* example = inputs + e * static_cast<std::size_t>(window) * ch;
    for (std::size_t c = 0; c < ch; ++c) {
      auto reading = [&](int t) -> double { return example[static_cast<std::size_t>(t) * ch + c]; };
      out[e * ch + c] = static_cast<float>(f(reading, c));
    }
  }
  return out;
}

// Solves (a + ridge I) x = b for a symmetric positive semi-definite n x n `a` (row-major) by Cholesky.
std::vector<double> solve_ridge(std::vector<double> a, std::vector<double> b, std::size_t n, double ridge) {
  for (std::size_t i = 0; i < n; ++i) a[i * n + i] += ridge;
  for (std::size_t j = 0; j < n; ++j) {  // a = L L', L stored in the lower triangle
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) throw std::runtime_error("ArModel::fit: normal equations are not positive definite");
    const double l = std::sqrt(d);
    a[j * n + j] = l;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {  // L y = b
    for (std::size_t k = 0; k < i; ++k) b[i] -= a[i * n + k] * b[k];
    b[i] /= a[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {  // L' x = y
    for (std::size_t k = i + 1; k < n; ++k) b[i] -= a[k * n + i] * b[k];
    b[i] /= a[i * n + i];
  }
  return b;
}

}  // namespace

std::vector<float> PersistenceModel::predict(const float* inputs, std::size_t count, int window, int channels) const {
  check_shape("PersistenceModel", window, channels);
  return per_channel(inputs, count, window, channels, [&](auto reading, std::size_t) { return reading(window - 1); });
}

MovingAverageModel::MovingAverageModel(int n) : n_(n) {
  if (n < 1) throw std::invalid_argument("MovingAverageModel: n must be >= 1");
}

std::string MovingAverageModel::name() const {
  return "ma" + std::to_string(n_);
}

std::vector<float> MovingAverageModel::predict(const float* inputs, std::size_t count, int window, int channels) const {
  check_shape("MovingAverageModel", window, channels);
  const int n = std::min(n_, window);
  return per_channel(inputs, count, window, channels, [&](auto reading, std::size_t) {
    double sum = 0;
    for (int t = window - n; t < window; ++t) sum += reading(t);
    return sum / n;
  });
}

EwmaModel::EwmaModel(double alpha) : alpha_(alpha) {
  if (!(alpha > 0 && alpha <= 1)) throw std::invalid_argument("EwmaModel: alpha must be in (0, 1]");
}

std::string EwmaModel::name() const {
  std::ostringstream out;
  out << "ewma" << alpha_;  // default stream format: %g, 6 significant digits
  return out.str();
}

std::vector<float> EwmaModel::predict(const float* inputs, std::size_t count, int window, int channels) const {
  check_shape("EwmaModel", window, channels);
  return per_channel(inputs, count, window, channels, [&](auto reading, std::size_t) {
    double s = reading(0);
    for (int t = 1; t < window; ++t) s = alpha_ * reading(t) + (1 - alpha_) * s;
    return s;
  });
}

ArModel::ArModel(std::vector<std::vector<double>> coefficients) : coefficients_(std::move(coefficients)) {
  if (coefficients_.empty()) throw std::invalid_argument("ArModel: no channel");
  const std::size_t size = coefficients_.front().size();
  for (const auto& c : coefficients_) {
    if (c.size() < 2 || c.size() != size) {
      throw std::invalid_argument("ArModel: each channel needs the same p + 1 >= 2 coefficients");
    }
  }
}

ArModel ArModel::fit(const Examples& train, int p) {
  const std::size_t n = train.count();
  if (p < 1 || p > train.window) throw std::invalid_argument("ArModel::fit: p must be in [1, window]");
  if (n == 0 || train.channels < 1) throw std::invalid_argument("ArModel::fit: no training example");
  const auto ch = static_cast<std::size_t>(train.channels);
  const auto window = static_cast<std::size_t>(train.window);
  if (train.inputs.size() != n * window * ch || train.targets.size() != n * ch) {
    throw std::invalid_argument("ArModel::fit: examples with an inconsistent layout");
  }
  const auto order = static_cast<std::size_t>(p);
  // Reading j (0 = oldest of the last p) of channel c of example e.
  auto x = [&](std::size_t e, std::size_t j, std::size_t c) -> double {
    return train.inputs[(e * window + window - order + j) * ch + c];
  };
  std::vector<std::vector<double>> coefficients;
  for (std::size_t c = 0; c < ch; ++c) {
    std::vector<double> mean_x(order, 0.0);
    double mean_y = 0;
    for (std::size_t e = 0; e < n; ++e) {
      for (std::size_t j = 0; j < order; ++j) mean_x[j] += x(e, j, c);
      mean_y += train.targets[e * ch + c];
    }
    for (double& m : mean_x) m /= static_cast<double>(n);
    mean_y /= static_cast<double>(n);

    std::vector<double> xtx(order * order, 0.0), xty(order, 0.0), row(order);
    for (std::size_t e = 0; e < n; ++e) {
      for (std::size_t j = 0; j < order; ++j) row[j] = x(e, j, c) - mean_x[j];
      const double y = train.targets[e * ch + c] - mean_y;
      for (std::size_t i = 0; i < order; ++i) {
        xty[i] += row[i] * y;
        for (std::size_t j = 0; j <= i; ++j) xtx[i * order + j] += row[i] * row[j];
      }
    }
    double trace = 0;
    for (std::size_t i = 0; i < order; ++i) {
      trace += xtx[i * order + i];
      for (std::size_t j = 0; j < i; ++j) xtx[j * order + i] = xtx[i * order + j];
    }
    // The ridge only keeps singular systems solvable: 1e-10 * trace is far above Cholesky's rounding
    // (~p * 1e-16 * trace) yet biases a well-posed fit by ~1e-10 relative (1e-8 gave ~1e-6).
    const double ridge = trace > 0 ? 1e-10 * trace : 1.0;
    const std::vector<double> w = solve_ridge(std::move(xtx), std::move(xty), order, ridge);

    std::vector<double> coefficient(order + 1);
    coefficient[0] = mean_y;
    for (std::size_t j = 0; j < order; ++j) {
      coefficient[0] -= w[j] * mean_x[j];
      coefficient[j + 1] = w[j];
    }
    coefficients.push_back(std::move(coefficient));
  }
  return ArModel(std::move(coefficients));
}

std::string ArModel::name() const {
  return "ar" + std::to_string(order());
}

std::vector<float> ArModel::predict(const float* inputs, std::size_t count, int window, int channels) const {
  check_shape("ArModel", window, channels);
  const int p = order();
  if (window < p) throw std::invalid_argument("ArModel::predict: window shorter than p");
  if (static_cast<std::size_t>(channels) != coefficients_.size()) {
    throw std::invalid_argument("ArModel::predict: channel count differs from the fitted one");
  }
  return per_channel(inputs, count, window, channels, [&](auto reading, std::size_t c) {
    const std::vector<double>& k = coefficients_[c];
    double y = k[0];
    for (int j = 0; j < p; ++j) y += k[static_cast<std::size_t>(j) + 1] * reading(window - p + j);
    return y;
  });
}

std::vector<std::unique_ptr<PointModel>> standard_baselines(const Examples& train, int window) {
  if (window < 1) throw std::invalid_argument("standard_baselines: window must be >= 1");
  std::vector<std::unique_ptr<PointModel>> models;
  models.push_back(std::make_unique<PersistenceModel>());
  models.push_back(std::make_unique<MovingAverageModel>(std::min(12, window)));
  models.push_back(std::make_unique<EwmaModel>(0.3));
  models.push_back(std::make_unique<ArModel>(ArModel::fit(train, std::min(6, window))));
  return models;
}

}  // namespace vfo
