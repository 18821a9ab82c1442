#include "vfo/forecast/recurrent_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/scratch.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo {
namespace {

constexpr int kWindow = 12;

// Noiseless, sine-like usage in percent: series `s` at step `t`, channel 0 (CPU) or 1 (RAM). The channels
// have different periods, so a model must read each channel to predict it.
float usage(int s, int t, int channel) {
  const double phase = 0.7 * s;
  if (channel == 0)
    return static_cast<float>(50 + 30 * std::sin(2 * std::numbers::pi * t / 24 + phase) +
                              8 * std::sin(2 * std::numbers::pi * t / 9));
  return static_cast<float>(40 + 20 * std::cos(2 * std::numbers::pi * t / 16 + 1.3 * phase));
}

// Every example (stride 1, horizon 1) of series [first, first + count), each `length` readings long, laid out as
// Examples documents.
Examples wave_examples(int first, int count, int length, int channels) {
  Examples e;
  e.window = kWindow;
  e.channels = channels;
  for (int s = first; s < first + count; ++s) {
    for (int end = kWindow; end < length; ++end) {  // the target is reading `end`
      for (int t = end - kWindow; t < end; ++t) {
        for (int c = 0; c < channels; ++c) e.inputs.push_back(usage(s, t, c));
      }
      for (int c = 0; c < channels; ++c) e.targets.push_back(usage(s, end, c));
      e.series.push_back(s);
    }
  }
  e.peaks = e.targets;
  return e;
}

// Mean absolute error of `predictions` (count x channels) on channel `channel`.
double mae(const Examples& e, const std::vector<float>& predictions, int channel) {
  double sum = 0;
  for (std::size_t i = 0; i < e.count(); ++i) {
    sum += std::abs(predictions[i * e.channels + channel] - e.targets[i * e.channels + channel]);
  }
  return sum / static_cast<double>(e.count());
}

// Persistence: the last reading of the window.
std::vector<float> persistence(const Examples& e) {
  std::vector<float> out;
  for (std::size_t i = 0; i < e.count(); ++i) {
    for (int c = 0; c < e.channels; ++c) out.push_back(e.inputs[((i + 1) * e.window - 1) * e.channels + c]);
  }
  return out;
}

std::vector<float> predict_all(const RecurrentModel& model, const Examples& e) {
  return model.predict(e.inputs.data(), e.count(), e.window, e.channels);
}

struct Data {
  Examples train, validation, test;
};

// Disjoint series for training, validation and test.
Data wave_data(int channels, int train_series = 12) {
  return {wave_examples(0, train_series, 160, channels), wave_examples(100, 3, 160, channels),
          wave_examples(200, 3, 160, channels)};
}

// Small and quick, still the paper's architecture.
TrainOptions quick_options(RecurrentCell cell = RecurrentCell::lstm) {
  TrainOptions o;
  o.cell = cell;
  o.epochs = 12;
  o.patience = 3;
  o.batch_size = 64;
  o.learning_rate = 3e-3;
  return o;
}

// Trains and checks that each channel's held-out error is far below persistence's.
void expect_learns(const RecurrentModel& model, const Data& data, double max_ratio) {
  const auto predicted = predict_all(model, data.test);
  const auto naive = persistence(data.test);
  ASSERT_EQ(predicted.size(), data.test.count() * data.test.channels);
  for (int c = 0; c < data.test.channels; ++c) {
    const double model_mae = mae(data.test, predicted, c);
    const double naive_mae = mae(data.test, naive, c);
    EXPECT_LT(model_mae, max_ratio * naive_mae)
        << "channel " << c << ": " << model.name() << " " << model_mae << " vs persistence " << naive_mae;
  }
}

TEST(RecurrentCell, NamesRoundTrip) {
  EXPECT_STREQ(cell_name(RecurrentCell::lstm), "lstm");
  EXPECT_STREQ(cell_name(RecurrentCell::gru), "gru");
  EXPECT_EQ(parse_cell("lstm"), RecurrentCell::lstm);
  EXPECT_EQ(parse_cell("gru"), RecurrentCell::gru);
  EXPECT_THROW(parse_cell("LSTM"), std::invalid_argument);
  EXPECT_THROW(parse_cell(""), std::invalid_argument);
}

TEST(RecurrentModel, LstmLearnsASineFarBetterThanPersistence) {
  const Data data = wave_data(1);
  TrainOptions o = quick_options();
  std::vector<int> epochs_seen;
  o.on_epoch = [&](int epoch, int epochs, double train_loss, double validation_loss) {
    epochs_seen.push_back(epoch);
    EXPECT_EQ(epochs, o.epochs);
    EXPECT_TRUE(std::isfinite(train_loss));
    EXPECT_TRUE(std::isfinite(validation_loss));
  };
  const auto model = RecurrentModel::train(data.train, data.validation, o);
  EXPECT_EQ(model->name(), "lstm");
  EXPECT_EQ(model->window(), kWindow);
  EXPECT_EQ(model->channels(), 1);
  EXPECT_EQ(model->options().hidden, 100);
  EXPECT_EQ(model->options().dense, 100);
  expect_learns(*model, data, 0.1);

  const RecurrentModel::History& h = model->history();
  ASSERT_FALSE(h.train_loss.empty());
  EXPECT_EQ(h.train_loss.size(), h.validation_loss.size());
  EXPECT_EQ(epochs_seen.size(), h.train_loss.size());
  EXPECT_GE(h.best_epoch, 1);
  EXPECT_LE(h.best_epoch, static_cast<int>(h.validation_loss.size()));
  // The kept epoch is the one with the least validation loss, and the loss fell while training.
  for (double v : h.validation_loss) EXPECT_GE(v, h.validation_loss[h.best_epoch - 1]);
  EXPECT_LT(h.validation_loss[h.best_epoch - 1], 0.1 * h.validation_loss.front() + 1e-3);
  EXPECT_GT(h.seconds, 0);
}

TEST(RecurrentModel, JointModelLearnsTwoChannels) {
  const Data data = wave_data(2);
  TrainOptions o = quick_options();
  o.joint = true;
  const auto model = RecurrentModel::train(data.train, data.validation, o);
  EXPECT_TRUE(model->options().joint);
  EXPECT_EQ(model->channels(), 2);
  expect_learns(*model, data, 0.1);
}

TEST(RecurrentModel, SeparateModelsEachSeeOnlyTheirChannel) {
  const Data data = wave_data(2);
  TrainOptions o = quick_options();
  o.joint = false;
  const auto model = RecurrentModel::train(data.train, data.validation, o);
  EXPECT_FALSE(model->options().joint);
  expect_learns(*model, data, 0.1);

  // Changing the RAM readings changes the RAM forecast only.
  Examples changed = data.test;
  for (std::size_t i = 1; i < changed.inputs.size(); i += 2) changed.inputs[i] += 25;
  const auto before = predict_all(*model, data.test);
  const auto after = predict_all(*model, changed);
  for (std::size_t i = 0; i < data.test.count(); ++i) {
    ASSERT_EQ(before[2 * i], after[2 * i]) << "example " << i;
  }
  EXPECT_NE(before[1], after[1]);
}

TEST(RecurrentModel, GruLearnsTooAndSeedsDecide) {
  const Data data = wave_data(1, 8);
  TrainOptions o = quick_options(RecurrentCell::gru);
  o.hidden = 48;
  o.dense = 48;
  const auto a = RecurrentModel::train(data.train, data.validation, o);
  EXPECT_EQ(a->name(), "gru");
  expect_learns(*a, data, 0.1);

  // Same data and options: the same weights, so the same predictions, bit for bit.
  const auto b = RecurrentModel::train(data.train, data.validation, o);
  EXPECT_EQ(predict_all(*a, data.test), predict_all(*b, data.test));
  EXPECT_EQ(a->history().validation_loss, b->history().validation_loss);

  o.seed = 2;
  o.epochs = 1;
  const auto c = RecurrentModel::train(data.train, data.validation, o);
  EXPECT_NE(predict_all(*a, data.test), predict_all(*c, data.test));
}

TEST(RecurrentModel, SaveLoadRoundTripGivesIdenticalPredictions) {
  const Data data = wave_data(2, 4);
  TrainOptions o = quick_options();
  o.joint = false;
  o.hidden = 24;
  o.dense = 16;
  o.epochs = 2;
  o.seed = 7;
  o.max_examples_per_epoch = 300;
  const auto model = RecurrentModel::train(data.train, data.validation, o);
  const std::filesystem::path file = test::scratch_dir() / "model.pt";
  model->save(file);
  EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));
  const auto loaded = RecurrentModel::load(file);

  EXPECT_EQ(predict_all(*loaded, data.test), predict_all(*model, data.test));
  EXPECT_EQ(loaded->name(), "lstm");
  EXPECT_EQ(loaded->window(), kWindow);
  EXPECT_EQ(loaded->channels(), 2);
  const TrainOptions& l = loaded->options();
  EXPECT_EQ(l.cell, o.cell);
  EXPECT_EQ(l.hidden, 24);
  EXPECT_EQ(l.dense, 16);
  EXPECT_FALSE(l.joint);
  EXPECT_EQ(l.epochs, 2);
  EXPECT_EQ(l.patience, o.patience);
  EXPECT_EQ(l.batch_size, o.batch_size);
  EXPECT_EQ(l.learning_rate, o.learning_rate);
  EXPECT_EQ(l.seed, 7u);
  EXPECT_EQ(l.max_examples_per_epoch, 300u);
  EXPECT_EQ(loaded->history().train_loss, model->history().train_loss);
  EXPECT_EQ(loaded->history().validation_loss, model->history().validation_loss);
  EXPECT_EQ(loaded->history().best_epoch, model->history().best_epoch);
}

TEST(RecurrentModel, FineTuningStartsFromTheGivenWeightsAndKeepsTheirArchitecture) {
  const Data d = wave_data(1);
  TrainOptions o = quick_options();
  o.epochs = 2;
  const auto base = RecurrentModel::train(d.train, d.validation, o);
  // A learning rate too small to move any weight: the tuned network predicts what it started from.
  TrainOptions still = o;
  still.learning_rate = 1e-12;
  still.hidden = o.hidden + 3;  // ignored: the architecture is the base model's
  std::size_t batches = 0;
  still.on_batch = [&](int, std::size_t done, std::size_t per_epoch) {
    EXPECT_LE(done, per_epoch);
    ++batches;
  };
  const auto tuned = RecurrentModel::train(d.test, d.validation, still, *base);
  EXPECT_EQ(tuned->options().hidden, o.hidden);
  EXPECT_GT(batches, 0u);
  const std::vector<float> before = predict_all(*base, d.test);
  const std::vector<float> after = predict_all(*tuned, d.test);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) ASSERT_NEAR(before[i], after[i], 1e-3) << i;
  // With a real learning rate it moves.
  const auto moved = RecurrentModel::train(d.test, d.validation, o, *base);
  EXPECT_NE(predict_all(*moved, d.test), before);
  // Another window cannot be fine-tuned.
  Examples other = d.train;
  other.window = 6;
  other.inputs.resize(other.count() * 6);
  EXPECT_THROW(RecurrentModel::train(other, Examples{}, o, *base), std::invalid_argument);
}

TEST(RecurrentModel, BadFilesAreInputErrors) {
  const Data data = wave_data(1, 1);
  TrainOptions o = quick_options();
  o.hidden = 8;
  o.dense = 8;
  o.epochs = 1;
  const auto model = RecurrentModel::train(data.train, {}, o);
  const std::filesystem::path good = test::scratch_dir() / "good.pt";
  model->save(good);
  const std::string bytes = test::slurp(good);
  ASSERT_GT(bytes.size(), 100u);

  const auto expect_bad = [](const std::filesystem::path& file) {
    try {
      RecurrentModel::load(file);
      ADD_FAILURE() << file << " loaded";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(file.string() + ": not a vfo recurrent model (", 0), 0u) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_EQ(what.back(), ')') << what;
    }
  };
  expect_bad(test::write_file("text.pt", "cpu,ram\n1,2\n"));
  expect_bad(test::write_file("truncated.pt", bytes.substr(0, bytes.size() / 2)));
  std::string flipped = bytes;
  for (std::size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) flipped[i] = static_cast<char>(~flipped[i]);
  expect_bad(test::write_file("flipped.pt", flipped));
  expect_bad(test::scratch_dir() / "missing.pt");
  expect_bad(test::scratch_dir());
}

TEST(RecurrentModel, RejectsBadArguments) {
  const Data data = wave_data(1, 1);
  TrainOptions o = quick_options();
  o.hidden = 8;
  o.dense = 8;
  o.epochs = 1;
  EXPECT_THROW(RecurrentModel::train({}, {}, o), std::invalid_argument);
  EXPECT_THROW(RecurrentModel::train(data.train, wave_data(2, 1).validation, o), std::invalid_argument);
  Examples broken = data.train;
  broken.targets.pop_back();
  EXPECT_THROW(RecurrentModel::train(broken, {}, o), std::invalid_argument);
  TrainOptions zero = o;
  zero.batch_size = 0;
  EXPECT_THROW(RecurrentModel::train(data.train, {}, zero), std::invalid_argument);

  const auto model = RecurrentModel::train(data.train, {}, o);
  EXPECT_EQ(model->history().train_loss, model->history().validation_loss);  // no validation examples
  EXPECT_THROW(model->predict(data.test.inputs.data(), 1, kWindow + 1, 1), std::invalid_argument);
  EXPECT_THROW(model->predict(data.test.inputs.data(), 1, kWindow, 2), std::invalid_argument);
  EXPECT_TRUE(model->predict(nullptr, 0, kWindow, 1).empty());
  // Inference in chunks gives each example the prediction it gets alone.
  const Examples many = wave_examples(200, 8, 160, 1);
  ASSERT_GT(many.count(), 1000u);
  const auto all = predict_all(*model, many);
  for (std::size_t i : {std::size_t{0}, std::size_t{700}, many.count() - 1}) {
    EXPECT_NEAR(model->predict(many.inputs.data() + i * kWindow, 1, kWindow, 1)[0], all[i], 1e-3) << i;
  }
}

}  // namespace
}  // namespace vfo
