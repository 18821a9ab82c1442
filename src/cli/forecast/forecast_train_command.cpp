// `vfo forecast train --trace FORMAT:PATH ... [--model lstm|gru|ar|ewma|ma|persistence] --out MODEL`: fits a
// forecaster on the training split of the series, calibrates its overload probability on the validation
// split, and saves it (vfo/forecast/model_files.hpp) with a training.json beside it.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "cli/forecast/forecast_inputs.hpp"
#include "cli/progress_bar.hpp"
#include "vfo/forecast/model_files.hpp"
#include "vfo/forecast/recurrent_model.hpp"
#include "vfo/forecast/training.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/text.hpp"

namespace vfo::cli {
namespace {

struct TrainCommandOptions {
  TraceInputs inputs;
  ForecastTrainOptions train;
  double horizon_s = 0;  // 0: one interval
  std::string channels = "auto";
  bool joint = false;
  bool absolute = false;
  std::string loss = "mse";
  std::string init;
  bool loss_given = false;  // --loss on the command line; else a fine-tuned model keeps its own loss
  std::string out;
};

int horizon_steps(double horizon_s, double interval_s) {
  if (horizon_s == 0) return 1;
  const double steps = horizon_s / interval_s;
  const double rounded = std::round(steps);
  if (rounded < 1 || std::abs(steps - rounded) > 1e-9 * steps) {
    throw InputError(
        fmt::format("--horizon: {} s is not a whole number of intervals of {} s (expected {} s, {} s, ...)", horizon_s,
                    interval_s, interval_s, 2 * interval_s));
  }
  return static_cast<int>(rounded);
}

nlohmann::ordered_json training_json(const TrainCommandOptions& o, const ForecastModel& model,
                                     const TrainingReport& report) {
  nlohmann::ordered_json j;
  j["method"] = model.point->name();
  j["traces"] = o.inputs.traces;
  j["max_series"] = o.inputs.max_series;
  j["series"] = {{"train", report.series[0]}, {"validation", report.series[1]}, {"test", report.series[2]}};
  j["examples"] = {{"train", report.examples[0]}, {"validation", report.examples[1]}};
  j["seconds"] = report.seconds;
  if (!report.train_loss.empty()) {
    j["epochs"] = report.train_loss.size();
    j["best_epoch"] = report.best_epoch;
    j["loss"] = loss_name(o.train.recurrent.loss);
    j["train_loss"] = report.train_loss;
    j["validation_loss"] = report.validation_loss;
  }
  return j;
}

void run_train(TrainCommandOptions o) {
  o.train.spec.horizon = horizon_steps(o.horizon_s, o.inputs.interval_s);
  o.train.channels = o.channels == "auto" ? 0 : std::stoi(o.channels);
  o.train.recurrent.loss = parse_loss(o.loss);
  if (!o.init.empty()) {
    // Fine-tuning: the saved model says what it reads and predicts.
    auto init = std::make_shared<const ForecastModel>(load_forecast_model(o.init));
    if (std::abs(init->interval_s - o.inputs.interval_s) > 1e-9) {
      throw InputError(
          fmt::format("--init: {} reads one reading every {} s, not --interval {} (expected --interval {})", o.init,
                      init->interval_s, o.inputs.interval_s, init->interval_s));
    }
    o.train.method = init->point->name();
    const auto* network = dynamic_cast<const RecurrentModel*>(init->point.get());
    if (network == nullptr) {
      throw InputError(fmt::format("--init: {} holds {}, not an lstm or gru (only networks are fine-tuned)", o.init,
                                   init->point->name()));
    }
    if (!o.loss_given) o.train.recurrent.loss = network->options().loss;
    o.train.spec = init->spec;
    o.train.channels = init->channels;
    o.train.init = std::move(init);
  }
  o.train.recurrent.joint = o.joint;
  o.train.recurrent.predict_change = !o.absolute;
  std::vector<UsageSeries> series = load_series(o.inputs, o.inputs.interval_s, o.train.seed);

  ProgressBar bar(std::string(o.init.empty() ? "training " : "fine-tuning ") + o.train.method, !o.inputs.quiet);
  const auto started = std::chrono::steady_clock::now();
  std::size_t examples_done = 0;  // over every epoch so far
  std::string last_validation = "-";
  o.train.recurrent.on_batch = [&](int epoch, std::size_t done, std::size_t per_epoch) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::size_t total = examples_done + done;
    bar.update((epoch - 1 + static_cast<double>(done) / static_cast<double>(per_epoch)) / o.train.recurrent.epochs,
               fmt::format("epoch {}, {:.0f} examples/s, validation loss {}", epoch,
                           seconds > 0 ? static_cast<double>(total) / seconds : 0.0, last_validation));
    if (done == per_epoch) examples_done += per_epoch;
  };
  o.train.recurrent.on_epoch = [&](int, int, double, double validation_loss) {
    last_validation = fmt::format("{:.4f}", validation_loss);
  };
  TrainingReport report;
  ForecastModel model = train_forecast_model(series, o.train, &report);
  bar.done();
  model.traces = o.inputs.traces;

  const std::filesystem::path out(o.out);
  try {
    save_forecast_model(model, out);
    write_file_atomically(out / "training.json", training_json(o, model, report).dump(1) + "\n");
  } catch (const std::runtime_error& e) {
    throw CommandFailed(e.what());
  }

  fmt::print("trained {} on {} series ({} examples), calibrated on {} series ({} examples) in {:.1f} s\n",
             model.point->name(), report.series[0], report.examples[0], report.series[1], report.examples[1],
             report.seconds);
  if (report.best_epoch >= 1) {
    fmt::print("epochs {}, best {} (validation loss {:.4f}, normalised {})\n", report.train_loss.size(),
               report.best_epoch, report.validation_loss[report.best_epoch - 1], loss_name(o.train.recurrent.loss));
  }
  fmt::print("model: {} (window {}, horizon {} s, {} channel{}, interval {} s)\n", (out / "model.json").string(),
             model.spec.window, model.horizon_s(), model.channels, model.channels > 1 ? "s" : "", model.interval_s);
  fmt::print("test series held out: {}; evaluate with: vfo forecast eval --model {} --trace ...\n", report.series[2],
             out.string());
}

}  // namespace

void add_forecast_train_command(CLI::App& forecast) {
  auto o = std::make_shared<TrainCommandOptions>();
  CLI::App* train = forecast.add_subcommand("train", "Train a forecaster on usage traces and save it");
  add_trace_inputs(*train, o->inputs, /*with_interval=*/true);
  train->add_option("--model", o->train.method, "method: " + join(forecast_methods(), ", "))
      ->check(CLI::IsMember(forecast_methods()))
      ->capture_default_str();
  train->add_option("--window", o->train.spec.window, "readings the model sees")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  train
      ->add_option("--horizon", o->horizon_s,
                   "seconds ahead to predict, a multiple of --interval (default: one interval)")
      ->check(non_negative_number());
  train->add_option("--channels", o->channels, "auto (CPU and RAM when every series has RAM), 1 (CPU) or 2")
      ->check(CLI::IsMember({"auto", "1", "2"}))
      ->capture_default_str();
  train->add_flag("--joint", o->joint,
                  "lstm/gru: one network reads and predicts CPU and RAM (default: one network per resource, as the "
                  "paper)");
  train->add_option("--epochs", o->train.recurrent.epochs, "lstm/gru: at most this many epochs (early stopping)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  train
      ->add_option("--examples-per-epoch", o->train.recurrent.max_examples_per_epoch,
                   "lstm/gru: a seeded subset of the training examples each epoch (0: all)")
      ->capture_default_str();
  train->add_flag("--absolute", o->absolute,
                  "lstm/gru: read the window and predict the reading itself (default: the window and the change "
                  "relative to the last reading)");
  train->add_option("--loss", o->loss, "lstm/gru: mse (the paper), l1 or huber")
      ->check(CLI::IsMember({"mse", "l1", "huber"}))
      ->capture_default_str();
  train->add_option("--hidden", o->train.recurrent.hidden, "lstm/gru: recurrent units")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  train->add_option("--threads", o->train.recurrent.threads, "lstm/gru: torch threads (0: torch's default)")
      ->check(CLI::Range(0, 1024));
  train->add_option("--ar-order", o->train.ar_order, "ar: order p")->check(CLI::Range(1, 1000))->capture_default_str();
  train->add_option("--ma-length", o->train.ma_length, "ma: readings averaged")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  train->add_option("--ewma-alpha", o->train.ewma_alpha, "ewma: smoothing factor")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  train->add_option("--cpu-threshold", o->train.thresholds.cpu_pct, "CPU overload threshold, percent")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  train->add_option("--ram-threshold", o->train.thresholds.ram_pct, "RAM overload threshold, percent")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  train->add_option("--seed", o->train.seed, "the split, the series choice and the network's initialisation")
      ->capture_default_str();
  train
      ->add_option("--init", o->init,
                   "lstm/gru: fine-tune this saved model on the traces (its method, window, horizon and channels)")
      ->check(CLI::ExistingDirectory);
  train->add_option("--out", o->out, "model folder to write (model.json, weights.pt, training.json)")->required();
  train->callback([o, train] {
    o->loss_given = train->count("--loss") > 0;
    run_train(*o);
  });
}

}  // namespace vfo::cli
