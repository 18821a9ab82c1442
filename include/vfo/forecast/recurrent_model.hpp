#pragma once
// The recurrent point forecasters of the paper (LSTM) and a GRU variant, trained and run on LibTorch.
//
// Architecture (the paper: "a two layer approach, with one hidden dense layer, each comprising 100 nodes. ReLU
// as activation, ADAM, Mean Square Error loss"): one recurrent layer of `hidden` units over the window, its
// output at the last step -> Linear(hidden, dense) + ReLU -> Linear(dense, outputs).
//
// This header includes no LibTorch header (the network lives behind a pimpl in src/forecast/torch/), so code
// that uses a RecurrentModel compiles without LibTorch's headers; it links the library vfo_forecast_torch.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vfo/forecast/examples.hpp"
#include "vfo/forecast/point_model.hpp"

namespace vfo {

enum class RecurrentCell { lstm, gru };

// "lstm" / "gru".
const char* cell_name(RecurrentCell cell);

// The training loss (and early-stopping criterion) on normalised targets: mse as the paper; l1 (mean absolute
// error: the median, hence the lower MAE on spiky traces); huber (smooth L1 with delta 1 normalised unit).
enum class TrainLoss { mse, l1, huber };
const char* loss_name(TrainLoss loss);
// The inverse of loss_name; throws std::invalid_argument on any other name.
TrainLoss parse_loss(const std::string& name);
// The inverse of cell_name; throws std::invalid_argument on any other name.
RecurrentCell parse_cell(const std::string& name);

struct TrainOptions {
  RecurrentCell cell = RecurrentCell::lstm;
  int hidden = 100;  // recurrent units (paper: 100)
  int dense = 100;   // units of the hidden dense layer (paper: 100, ReLU)
  // true: one network sees every channel and predicts every channel. false: one network per channel, each
  // seeing only its own channel (the paper: separate CPU and RAM models). The per-channel networks are
  // trained side by side on the same minibatches; early stopping watches their mean validation loss. Separate
  // is the default, as the paper (on the Alibaba sample it is as good as joint; docs/model.md).
  bool joint = false;
  // At most `epochs` epochs; training stops early after `patience` epochs without a better validation MSE,
  // and the model keeps the weights of the best epoch.
  int epochs = 30;
  int patience = 4;
  int batch_size = 256;
  double learning_rate = 1e-3;  // Adam
  TrainLoss loss = TrainLoss::mse;
  // true: the network reads the window less its last reading and outputs the change from that reading (in
  // normalised units), added back at prediction: it never sees the level, so a node at a level the training
  // series never sat at costs nothing. false: it reads the window and outputs the reading itself.
  bool predict_change = true;
  // Seeds the weight initialisation (torch::manual_seed, process-wide) and the shuffling: the same data
  // and options give the same weights, given the same thread count.
  std::uint64_t seed = 1;
  // > 0: torch::set_num_threads(threads) before training (process-wide, it stays set); 0 = leave it. On a
  // machine busy with other work, more threads than idle cores make LibTorch much slower, not faster.
  int threads = 0;
  // 0 = every training example each epoch; else a fresh seeded random subset of this many per epoch.
  std::size_t max_examples_per_epoch = 0;
  // Called after each epoch (1-based) with the mean training loss and the validation loss (normalised units).
  std::function<void(int epoch, int epochs, double train_loss, double validation_loss)> on_epoch;
  // Called after each minibatch with the examples of this epoch done so far and the epoch's size.
  std::function<void(int epoch, std::size_t done, std::size_t per_epoch)> on_batch;
};

// Sets LibTorch's intra-op thread count (process-wide) for training and inference that follow; threads >= 1.
void set_torch_threads(int threads);

// A trained recurrent network with its input normalisation.
//
// Normalisation: per channel mean and standard deviation over the training inputs (every step of every
// example), applied to inputs and targets; predictions are mapped back to percent. Stored in the model.
//
// Thread safety: predict(), name() and the accessors are const and may run concurrently from several
// threads; train() and load() create new models and share nothing but LibTorch's process-wide settings.
class RecurrentModel : public PointModel {
 public:
  // What one training run did: the loss of every epoch run (mean squared error of the normalised targets;
  // when `validation` is empty, the training loss stands in for the validation loss), the 1-based epoch
  // whose weights the model keeps, and the wall time of the training in seconds.
  struct History {
    std::vector<double> train_loss;
    std::vector<double> validation_loss;
    int best_epoch = 0;
    double seconds = 0;
  };

  // Trains a network on `train` (minibatch Adam on MSE, seeded shuffling), early stopping on `validation`.
  // Throws std::invalid_argument when `train` is empty or inconsistent (see Examples), when `validation`
  // is not empty and has another window or channel count, or on a non-positive size in `options`.
  static std::unique_ptr<RecurrentModel> train(const Examples& train, const Examples& validation,
                                               const TrainOptions& options);
  // Fine-tuning: the same, starting from `init`'s weights and normalisation instead of fresh ones, with
  // init's architecture (cell, hidden, dense, joint, predict_change) whatever `options` say of it. Also throws
  // std::invalid_argument when the examples' window or channel count differ from init's.
  static std::unique_ptr<RecurrentModel> train(const Examples& train, const Examples& validation,
                                               const TrainOptions& options, const RecurrentModel& init);

  ~RecurrentModel() override;

  std::string name() const override;  // cell_name(options().cell): "lstm" or "gru"

  // Batched inference (in chunks, without autograd). `window` and `channels` must be the model's, else
  // std::invalid_argument. Returns count x channels predictions, in percent.
  std::vector<float> predict(const float* inputs, std::size_t count, int window, int channels) const override;

  int channels() const;
  int window() const;
  // The options the model was trained with (on_epoch is empty in a loaded model); cell, hidden, dense and
  // joint define the architecture.
  const TrainOptions& options() const;
  const History& history() const;

  // Writes weights, architecture, normalisation, options and history to one file (LibTorch's archive
  // format), through a temporary file renamed over `file`, so a failed save leaves an older file whole.
  // Throws vfo::InputError "FILE: cannot write the model (...)" when the file cannot be written.
  void save(const std::filesystem::path& file) const;
  // Reads a file written by save(). Throws vfo::InputError "FILE: not a vfo recurrent model (...)" when the
  // file is missing, is not such a file, or is corrupt.
  static std::unique_ptr<RecurrentModel> load(const std::filesystem::path& file);

 private:
  struct Impl;
  explicit RecurrentModel(std::unique_ptr<Impl> impl);
  static std::unique_ptr<RecurrentModel> fit(const Examples& train, const Examples& validation,
                                             const TrainOptions& options, const RecurrentModel* init);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo
