// RecurrentModel on LibTorch. This is the one file of vfo that includes LibTorch headers (docs/architecture.md):
// they cost ~15 s of compile time per file.
#include "vfo/forecast/recurrent_model.hpp"

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "vfo/util/input_error.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

// Examples per forward pass in predict() and in validation: large enough to keep the matrix products
// efficient, small enough that the gate activations of a chunk stay in cache (a single pass over 10,000
// examples was 5x slower than chunks of 512 on the development machine).
constexpr std::int64_t kInferenceChunk = 512;

// File format: the archive key that marks a vfo model, and the version of what follows.
constexpr const char* kMagicKey = "vfo_recurrent_model";
constexpr std::int64_t kMagic = 0x76666f726e6e;  // "vfornn"
constexpr std::int64_t kFormatVersion = 1;

// One network: a recurrent layer over the window, then, from its output at the last step, a dense ReLU
// layer and a linear output layer.
class CellNetImpl : public torch::nn::Module {
 public:
  CellNetImpl(RecurrentCell cell, int inputs, int hidden, int dense, int outputs) {
    if (cell == RecurrentCell::lstm) {
      lstm_ = register_module("rnn", torch::nn::LSTM(torch::nn::LSTMOptions(inputs, hidden).batch_first(true)));
    } else {
      gru_ = register_module("rnn", torch::nn::GRU(torch::nn::GRUOptions(inputs, hidden).batch_first(true)));
    }
    dense_ = register_module("dense", torch::nn::Linear(hidden, dense));
    out_ = register_module("out", torch::nn::Linear(dense, outputs));
  }

  // x: [batch, window, inputs] -> [batch, outputs].
  torch::Tensor forward(const torch::Tensor& x) {
    // The final hidden state, [layers = 1, batch, hidden], is the output at the last step.
    torch::Tensor last = lstm_ ? std::get<0>(std::get<1>(lstm_->forward(x))) : std::get<1>(gru_->forward(x));
    return out_(torch::relu(dense_(last.select(0, 0))));
  }

 private:
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear dense_{nullptr};
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(CellNet);

// The whole model in normalised units: one joint network, or one network per channel.
class ForecastNetImpl : public torch::nn::Module {
 public:
  ForecastNetImpl(const TrainOptions& o, int channels) : joint_(o.joint) {
    const int nets = joint_ ? 1 : channels;
    for (int c = 0; c < nets; ++c) {
      const int io = joint_ ? channels : 1;
      nets_.push_back(register_module("net" + std::to_string(c), CellNet(o.cell, io, o.hidden, o.dense, io)));
    }
  }

  // x: [batch, window, channels] -> [batch, channels].
  torch::Tensor forward(const torch::Tensor& x) {
    if (joint_) return nets_[0](x);
    std::vector<torch::Tensor> outs;
    for (std::size_t c = 0; c < nets_.size(); ++c) {
      outs.push_back(nets_[c](x.narrow(2, static_cast<std::int64_t>(c), 1).contiguous()));
    }
    return torch::cat(outs, 1);
  }

 private:
  bool joint_;
  std::vector<CellNet> nets_;
};
TORCH_MODULE(ForecastNet);

// A model file that is not what load() expects; the message is the reason, for the InputError.
class BadModelFile : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string first_line(const std::string& text) {
  const std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "unknown error" : line;
}

// What an exception says, in one line (LibTorch's errors carry a backtrace).
std::string reason_of(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) {
    return first_line(c10_error->what_without_backtrace());
  }
  return first_line(e.what());
}

// Empty examples (count() == 0, no inputs or targets) pass whatever their window and channels.
void check_examples(const Examples& e, const char* what) {
  const std::size_t n = e.count();
  if (n == 0 && e.inputs.empty() && e.targets.empty()) return;
  if (e.window < 1 || e.channels < 1) {
    throw std::invalid_argument(std::string(what) + " examples: window and channels must be >= 1");
  }
  if (e.inputs.size() != n * e.window * e.channels || e.targets.size() != n * e.channels) {
    throw std::invalid_argument(std::string(what) + " examples: inputs/targets sizes do not match count()");
  }
}

// The loss of `prediction` against `target`, summed over every element, or averaged when `mean`.
torch::Tensor loss_of(const torch::Tensor& prediction, const torch::Tensor& target, TrainLoss loss, bool mean) {
  const torch::Tensor error = prediction - target;
  torch::Tensor elementwise;
  switch (loss) {
    case TrainLoss::l1:
      elementwise = error.abs();
      break;
    case TrainLoss::huber: {  // 0.5 e^2 where |e| < 1, |e| - 0.5 elsewhere
      const torch::Tensor a = error.abs();
      elementwise = torch::where(a < 1, 0.5 * error.square(), a - 0.5);
      break;
    }
    case TrainLoss::mse:
      elementwise = error.square();
      break;
  }
  return mean ? elementwise.mean() : elementwise.sum();
}

void check_options(const TrainOptions& o) {
  if (o.hidden < 1 || o.dense < 1 || o.epochs < 1 || o.patience < 1 || o.batch_size < 1 || o.threads < 0 ||
      !(o.learning_rate > 0)) {
    throw std::invalid_argument(
        "recurrent model options: hidden, dense, epochs, patience and batch_size must be >= 1, threads >= 0 and "
        "learning_rate > 0");
  }
}

// A tensor of `count` rows laid out as `data` (copied), shape {count, rest...}.
torch::Tensor tensor_of(const std::vector<float>& data, std::vector<std::int64_t> shape) {
  return torch::from_blob(const_cast<float*>(data.data()), shape, torch::kFloat32).clone();
}

// The last step of windows x [n, window, channels]: [n, channels].
torch::Tensor last_reading(const torch::Tensor& x) {
  return x.select(1, x.size(1) - 1);
}

torch::Tensor int64_tensor(const std::vector<std::int64_t>& v) {
  return torch::tensor(v, torch::TensorOptions().dtype(torch::kInt64));
}
torch::Tensor float64_tensor(const std::vector<double>& v) {
  return torch::tensor(v, torch::TensorOptions().dtype(torch::kFloat64));
}

// Reads tensor `key` of dtype `type` and `numel` elements (-1: any number) as a contiguous tensor.
torch::Tensor read_tensor(torch::serialize::InputArchive& archive, const std::string& key, torch::Dtype type,
                          std::int64_t numel) {
  torch::Tensor t;
  if (!archive.try_read(key, t)) throw BadModelFile("no '" + key + "'");
  if (t.scalar_type() != type || t.dim() != 1 || (numel >= 0 && t.numel() != numel)) {
    throw BadModelFile("'" + key + "' has the wrong type or size");
  }
  return t.contiguous();
}

template <typename T>
std::vector<T> vector_of(const torch::Tensor& t) {
  return std::vector<T>(t.data_ptr<T>(), t.data_ptr<T>() + t.numel());
}

}  // namespace

const char* cell_name(RecurrentCell cell) {
  return cell == RecurrentCell::lstm ? "lstm" : "gru";
}

RecurrentCell parse_cell(const std::string& name) {
  if (name == "lstm") return RecurrentCell::lstm;
  if (name == "gru") return RecurrentCell::gru;
  throw std::invalid_argument("unknown recurrent cell '" + name + "' (expected lstm or gru)");
}

void set_torch_threads(int threads) {
  if (threads < 1) throw std::invalid_argument("set_torch_threads: threads must be >= 1");
  torch::set_num_threads(threads);
}

const char* loss_name(TrainLoss loss) {
  switch (loss) {
    case TrainLoss::l1:
      return "l1";
    case TrainLoss::huber:
      return "huber";
    case TrainLoss::mse:
      break;
  }
  return "mse";
}

TrainLoss parse_loss(const std::string& name) {
  if (name == "mse") return TrainLoss::mse;
  if (name == "l1") return TrainLoss::l1;
  if (name == "huber") return TrainLoss::huber;
  throw std::invalid_argument("unknown loss '" + name + "' (expected mse, l1 or huber)");
}

struct RecurrentModel::Impl {
  TrainOptions options;
  int window = 0;
  int channels = 0;
  std::vector<float> mean, stddev;  // per channel, in percent
  torch::Tensor mean_t, stddev_t;   // the same as [channels] tensors

  // What the network learns to output for normalised windows x and targets y: the target, or its change
  // from the window's last reading.
  torch::Tensor learned_target(const torch::Tensor& x, const torch::Tensor& y) const {
    return options.predict_change ? y - last_reading(x) : y;
  }
  ForecastNet net{nullptr};
  History history;

  Impl(const TrainOptions& o, int w, int c, std::vector<float> m, std::vector<float> s)
      : options(o), window(w), channels(c), mean(std::move(m)), stddev(std::move(s)) {
    options.on_epoch = nullptr;  // a model does not keep the caller's callbacks alive
    options.on_batch = nullptr;
    mean_t = tensor_of(mean, {channels});
    stddev_t = tensor_of(stddev, {channels});
    net = ForecastNet(options, channels);
  }

  // What the network reads of normalised windows x: the window, or (predict_change) the window less its
  // last reading, so the network never sees the level.
  torch::Tensor network_input(const torch::Tensor& x) const {
    return options.predict_change ? x - last_reading(x).unsqueeze(1) : x;
  }

  // x: normalised [n, window, channels] -> normalised [n, channels], without autograd, in chunks.
  // Calls `sink(first_row, output_chunk)` for each chunk.
  template <typename Sink>
  void infer(const torch::Tensor& x, Sink&& sink) const {
    c10::InferenceMode guard;
    const std::int64_t n = x.size(0);
    for (std::int64_t first = 0; first < n; first += kInferenceChunk) {
      const std::int64_t rows = std::min(kInferenceChunk, n - first);
      sink(first, net.ptr()->forward(network_input(x.narrow(0, first, rows))));
    }
  }

  // The training loss, averaged over every element of normalised inputs x and targets y.
  double mean_loss(const torch::Tensor& x, const torch::Tensor& y) const {
    double sum = 0;
    infer(x, [&](std::int64_t first, const torch::Tensor& out) {
      sum += loss_of(out, y.narrow(0, first, out.size(0)), options.loss, /*mean=*/false).item<double>();
    });
    return sum / static_cast<double>(y.numel());
  }
};

RecurrentModel::RecurrentModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecurrentModel::~RecurrentModel() = default;

std::string RecurrentModel::name() const {
  return cell_name(impl_->options.cell);
}
int RecurrentModel::channels() const {
  return impl_->channels;
}
int RecurrentModel::window() const {
  return impl_->window;
}
const TrainOptions& RecurrentModel::options() const {
  return impl_->options;
}
const RecurrentModel::History& RecurrentModel::history() const {
  return impl_->history;
}

std::unique_ptr<RecurrentModel> RecurrentModel::train(const Examples& train, const Examples& validation,
                                                      const TrainOptions& options) {
  return fit(train, validation, options, nullptr);
}

std::unique_ptr<RecurrentModel> RecurrentModel::train(const Examples& train, const Examples& validation,
                                                      const TrainOptions& options, const RecurrentModel& init) {
  return fit(train, validation, options, &init);
}

std::unique_ptr<RecurrentModel> RecurrentModel::fit(const Examples& train, const Examples& validation,
                                                    const TrainOptions& requested, const RecurrentModel* init) {
  TrainOptions options = requested;
  if (init != nullptr) {
    const TrainOptions& from = init->impl_->options;
    options.cell = from.cell;
    options.hidden = from.hidden;
    options.dense = from.dense;
    options.joint = from.joint;
    options.predict_change = from.predict_change;
    if (train.window != init->impl_->window || train.channels != init->impl_->channels) {
      throw std::invalid_argument("fine-tuning: the examples' window or channels differ from the model's");
    }
  }
  const auto started = std::chrono::steady_clock::now();
  check_options(options);
  check_examples(train, "training");
  if (train.count() == 0) throw std::invalid_argument("training examples: none");
  check_examples(validation, "validation");
  if (validation.count() > 0 && (validation.window != train.window || validation.channels != train.channels)) {
    throw std::invalid_argument("validation examples: window or channels differ from the training examples'");
  }
  if (options.threads > 0) torch::set_num_threads(options.threads);
  torch::manual_seed(options.seed);

  const int w = train.window;
  const int c = train.channels;
  const auto n = static_cast<std::int64_t>(train.count());

  // Normalisation: per channel mean and standard deviation of every input reading (a flat channel gets 1).
  std::vector<double> sum(c, 0.0), sum_sq(c, 0.0);
  for (std::size_t i = 0; i < train.inputs.size(); ++i) {
    const double v = train.inputs[i];
    sum[i % c] += v;
    sum_sq[i % c] += v * v;
  }
  std::vector<float> mean(c), stddev(c);
  const double readings = static_cast<double>(n) * w;
  for (int k = 0; k < c; ++k) {
    const double m = sum[k] / readings;
    const double s = std::sqrt(std::max(0.0, sum_sq[k] / readings - m * m));
    mean[k] = static_cast<float>(m);
    stddev[k] = static_cast<float>(std::isfinite(s) && s > 1e-6 ? s : 1.0);
  }
  if (init != nullptr) {
    mean = init->impl_->mean;
    stddev = init->impl_->stddev;
  }
  auto impl = std::make_unique<Impl>(options, w, c, std::move(mean), std::move(stddev));
  if (init != nullptr) {
    torch::NoGradGuard no_grad;
    auto to = impl->net->parameters();
    const auto from = init->impl_->net->parameters();
    for (std::size_t i = 0; i < to.size(); ++i) to[i].copy_(from[i]);
  }
  const auto normalised = [&](const std::vector<float>& data, std::vector<std::int64_t> shape) {
    return tensor_of(data, std::move(shape)).sub_(impl->mean_t).div_(impl->stddev_t);
  };
  const torch::Tensor x = normalised(train.inputs, {n, w, c});
  const torch::Tensor y = impl->learned_target(x, normalised(train.targets, {n, c}));
  const auto nv = static_cast<std::int64_t>(validation.count());
  const torch::Tensor xv = nv > 0 ? normalised(validation.inputs, {nv, w, c}) : torch::Tensor();
  const torch::Tensor yv = nv > 0 ? impl->learned_target(xv, normalised(validation.targets, {nv, c})) : torch::Tensor();

  ForecastNet& net = impl->net;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(options.learning_rate));
  Rng rng(options.seed, "recurrent_model/shuffle");
  std::vector<std::int64_t> order(n);
  for (std::int64_t i = 0; i < n; ++i) order[i] = i;
  const std::int64_t per_epoch =
      options.max_examples_per_epoch > 0 ? std::min<std::int64_t>(n, options.max_examples_per_epoch) : n;

  History& history = impl->history;
  double best = std::numeric_limits<double>::infinity();
  std::vector<torch::Tensor> best_weights;
  int since_best = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    // Fisher-Yates; the first per_epoch entries are this epoch's (random) subset.
    for (std::int64_t i = n - 1; i > 0; --i) {
      std::swap(order[i], order[static_cast<std::int64_t>(rng.next_u64() % static_cast<std::uint64_t>(i + 1))]);
    }
    const torch::Tensor epoch_order = torch::from_blob(order.data(), {per_epoch}, torch::kInt64);
    net->train();
    double loss_sum = 0;
    for (std::int64_t first = 0; first < per_epoch; first += options.batch_size) {
      const std::int64_t rows = std::min<std::int64_t>(options.batch_size, per_epoch - first);
      const torch::Tensor batch = epoch_order.narrow(0, first, rows);
      adam.zero_grad();
      const torch::Tensor loss = loss_of(net->forward(impl->network_input(x.index_select(0, batch))),
                                         y.index_select(0, batch), options.loss, /*mean=*/true);
      loss.backward();
      adam.step();
      loss_sum += loss.item<double>() * static_cast<double>(rows);
      if (options.on_batch) {
        options.on_batch(epoch, static_cast<std::size_t>(first + rows), static_cast<std::size_t>(per_epoch));
      }
    }
    net->eval();
    const double train_loss = loss_sum / static_cast<double>(per_epoch);
    const double validation_loss = nv > 0 ? impl->mean_loss(xv, yv) : train_loss;
    history.train_loss.push_back(train_loss);
    history.validation_loss.push_back(validation_loss);
    if (validation_loss < best) {
      best = validation_loss;
      history.best_epoch = epoch;
      since_best = 0;
      best_weights.clear();
      for (const auto& p : net->parameters()) best_weights.push_back(p.detach().clone());
    } else {
      ++since_best;
    }
    if (options.on_epoch) options.on_epoch(epoch, options.epochs, train_loss, validation_loss);
    if (since_best >= options.patience) break;
  }
  if (!best_weights.empty()) {
    torch::NoGradGuard no_grad;
    auto params = net->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(best_weights[i]);
  }
  history.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::unique_ptr<RecurrentModel>(new RecurrentModel(std::move(impl)));
}

std::vector<float> RecurrentModel::predict(const float* inputs, std::size_t count, int window, int channels) const {
  if (window != impl_->window || channels != impl_->channels) {
    throw std::invalid_argument("recurrent model: expects window " + std::to_string(impl_->window) + " and " +
                                std::to_string(impl_->channels) + " channels, got " + std::to_string(window) + " and " +
                                std::to_string(channels));
  }
  std::vector<float> out(count * channels);
  if (count == 0) return out;
  const auto n = static_cast<std::int64_t>(count);
  torch::Tensor x;
  {
    c10::InferenceMode guard;
    x = torch::from_blob(const_cast<float*>(inputs), {n, window, channels}, torch::kFloat32)
            .sub(impl_->mean_t)
            .div_(impl_->stddev_t);
  }
  impl_->infer(x, [&](std::int64_t first, const torch::Tensor& y) {
    const torch::Tensor level = impl_->options.predict_change ? y + last_reading(x.narrow(0, first, y.size(0))) : y;
    const torch::Tensor percent = level.mul(impl_->stddev_t).add_(impl_->mean_t).contiguous();
    std::memcpy(out.data() + first * channels, percent.data_ptr<float>(), sizeof(float) * percent.numel());
  });
  return out;
}

void RecurrentModel::save(const std::filesystem::path& file) const {
  const Impl& m = *impl_;
  const TrainOptions& o = m.options;
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  try {
    torch::serialize::OutputArchive archive;
    archive.write(kMagicKey, int64_tensor({kMagic, kFormatVersion}));
    archive.write("architecture", int64_tensor({static_cast<std::int64_t>(o.cell), o.hidden, o.dense, o.joint, m.window,
                                                m.channels, o.predict_change}));
    archive.write("training", int64_tensor({o.epochs, o.patience, o.batch_size, static_cast<std::int64_t>(o.seed),
                                            o.threads, static_cast<std::int64_t>(o.max_examples_per_epoch),
                                            static_cast<std::int64_t>(o.loss)}));
    archive.write("learning_rate", float64_tensor({o.learning_rate}));
    archive.write("mean", m.mean_t);
    archive.write("stddev", m.stddev_t);
    archive.write("train_loss", float64_tensor(m.history.train_loss));
    archive.write("validation_loss", float64_tensor(m.history.validation_loss));
    archive.write("history", float64_tensor({static_cast<double>(m.history.best_epoch), m.history.seconds}));
    torch::serialize::OutputArchive net_archive;
    m.net->save(net_archive);
    archive.write("net", net_archive);
    archive.save_to(temporary.string());
    std::filesystem::rename(temporary, file);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw InputError(file.string() + ": cannot write the model (" + reason_of(e) + ")");
  }
}

std::unique_ptr<RecurrentModel> RecurrentModel::load(const std::filesystem::path& file) {
  try {
    if (!std::filesystem::is_regular_file(file)) throw BadModelFile("no such file");
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    const auto magic = vector_of<std::int64_t>(read_tensor(archive, kMagicKey, torch::kInt64, 2));
    if (magic[0] != kMagic) throw BadModelFile("bad marker");
    if (magic[1] != kFormatVersion) {
      throw BadModelFile("format version " + std::to_string(magic[1]) + ", expected " + std::to_string(kFormatVersion));
    }
    const auto arch = vector_of<std::int64_t>(read_tensor(archive, "architecture", torch::kInt64, 7));
    const auto training = vector_of<std::int64_t>(read_tensor(archive, "training", torch::kInt64, 7));
    TrainOptions o;
    if (arch[0] != 0 && arch[0] != 1) throw BadModelFile("unknown cell");
    o.cell = static_cast<RecurrentCell>(arch[0]);
    o.hidden = static_cast<int>(arch[1]);
    o.dense = static_cast<int>(arch[2]);
    o.joint = arch[3] != 0;
    const auto window = static_cast<int>(arch[4]);
    const auto channels = static_cast<int>(arch[5]);
    o.predict_change = arch[6] != 0;
    o.epochs = static_cast<int>(training[0]);
    o.patience = static_cast<int>(training[1]);
    o.batch_size = static_cast<int>(training[2]);
    if (training[6] < 0 || training[6] > 2) throw BadModelFile("unknown loss");
    o.loss = static_cast<TrainLoss>(training[6]);
    o.seed = static_cast<std::uint64_t>(training[3]);
    o.threads = static_cast<int>(training[4]);
    o.max_examples_per_epoch = static_cast<std::size_t>(training[5]);
    o.learning_rate = read_tensor(archive, "learning_rate", torch::kFloat64, 1).item<double>();
    constexpr std::int64_t kMaxSize = 1 << 20;  // guards the allocation below against a corrupt size
    if (o.hidden < 1 || o.dense < 1 || window < 1 || channels < 1 || o.hidden > kMaxSize || o.dense > kMaxSize ||
        channels > kMaxSize || window > kMaxSize) {
      throw BadModelFile("bad architecture");
    }
    auto mean = vector_of<float>(read_tensor(archive, "mean", torch::kFloat32, channels));
    auto stddev = vector_of<float>(read_tensor(archive, "stddev", torch::kFloat32, channels));
    auto impl = std::make_unique<Impl>(o, window, channels, std::move(mean), std::move(stddev));
    impl->history.train_loss = vector_of<double>(read_tensor(archive, "train_loss", torch::kFloat64, -1));
    impl->history.validation_loss = vector_of<double>(read_tensor(archive, "validation_loss", torch::kFloat64, -1));
    const auto history = vector_of<double>(read_tensor(archive, "history", torch::kFloat64, 2));
    impl->history.best_epoch = static_cast<int>(history[0]);
    impl->history.seconds = history[1];

    // The weights: LibTorch replaces each parameter by what it reads, so check that each still has the
    // shape and type the architecture gives it.
    torch::serialize::InputArchive net_archive;
    if (!archive.try_read("net", net_archive)) throw BadModelFile("no 'net'");
    std::vector<std::pair<std::vector<std::int64_t>, torch::Dtype>> expected;
    for (const auto& p : impl->net->parameters()) expected.emplace_back(p.sizes().vec(), p.scalar_type());
    impl->net->load(net_archive);
    const auto params = impl->net->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (params[i].sizes().vec() != expected[i].first || params[i].scalar_type() != expected[i].second) {
        throw BadModelFile("weights do not match the architecture");
      }
    }
    impl->net->eval();
    return std::unique_ptr<RecurrentModel>(new RecurrentModel(std::move(impl)));
  } catch (const std::exception& e) {
    throw InputError(file.string() + ": not a vfo recurrent model (" + reason_of(e) + ")");
  }
}

}  // namespace vfo
