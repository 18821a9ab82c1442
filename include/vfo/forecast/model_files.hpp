#pragma once
// Saving and loading a ForecastModel: a folder holding model.json (kind, window, horizon, interval,
// channels, calibration, split, baseline parameters) and, for a recurrent network, weights.pt.
#include <filesystem>

#include "vfo/forecast/forecast_model.hpp"

namespace vfo {

// Writes `model` into the folder `dir` (created if missing; files are replaced whole).
// Throws std::runtime_error naming the path if it cannot be written, std::invalid_argument if the point
// model is of a kind that cannot be saved.
void save_forecast_model(const ForecastModel& model, const std::filesystem::path& dir);

// Reads a folder written by save_forecast_model. A missing folder, a malformed model.json (one line
// naming the file and the field) or corrupt weights throw InputError.
ForecastModel load_forecast_model(const std::filesystem::path& dir);

}  // namespace vfo
