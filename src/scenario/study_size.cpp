#include "vfo/scenario/study_size.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "vfo/model/units.hpp"

namespace vfo {

namespace {

// What the simulator keeps per item, in bytes: rough upper figures (a SimGrid host and link with the node's
// workload; a service's record and its row in services.csv; a VF's record and migrations; an event; a job; a
// reading of CPU and RAM).
constexpr double kBytesPerNode = 16e3;
constexpr double kBytesPerNodeEvent = 24;
constexpr double kBytesPerService = 512;
constexpr double kBytesPerFunction = 256;
constexpr double kBytesPerJob = 128;
constexpr double kBytesPerReading = 16;

// Events per second of one node for a probability p per window (a Poisson process with P(at least one
// event in a window) = p; p = 1: one event at the start of every window).
double events_per_second(double p, double window_s) {
  if (p <= 0) return 0;
  if (p >= 1) return 1 / window_s;
  return -std::log1p(-p) / window_s;
}

std::string human_bytes(double bytes) {
  if (!std::isfinite(bytes)) return "more bytes than a double holds";
  if (bytes >= 1e9) return fmt::format("{:.3g} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.3g} MB", bytes / 1e6);
  return fmt::format("{:.3g} kB", bytes / 1e3);
}

}  // namespace

std::string StudySize::describe() const {
  std::string text = fmt::format("about {:.2g} nodes, {:.2g} node events, {:.2g} chains of {:.2g} VFs", nodes,
                                 node_events, services, functions);
  if (jobs > 0) text += fmt::format(", {:.2g} background jobs", jobs);
  if (training_readings > 0) text += fmt::format(", {:.2g} training readings", training_readings);
  return text + " (~" + human_bytes(bytes) + ")";
}

StudySize estimate_study_size(const Scenario& s) {
  const EnvironmentSpec& env = s.environment;
  StudySize size;
  size.nodes = env.nodes;
  const double window = env.probability_window_s;
  size.node_events =
      size.nodes * s.duration_s * (events_per_second(env.p_leave, window) + events_per_second(env.p_overload, window));
  size.services = s.demand.rate_per_hour * s.duration_s / units::kSecondsPerHour;
  if (s.demand.max_services > 0) size.services = std::min(size.services, static_cast<double>(s.demand.max_services));
  const double per_chain = s.chains.functions_per_node > 0 ? std::round(s.chains.functions_per_node * size.nodes)
                                                           : std::max(1.0, s.chains.functions.mean);
  size.functions = size.services * per_chain;
  if (env.kind == "generic") {
    size.jobs =
        size.nodes * (env.jobs.initial_jobs.mean + env.jobs.rate_per_hour.mean * s.duration_s / units::kSecondsPerHour);
  }
  const PredictorSpec& p = s.control.predictor;
  if (p.kind == "forecast" && p.model.empty()) {
    size.training_readings = p.training_nodes * p.training_hours * units::kSecondsPerHour / s.control.probing_period_s;
  }
  const std::vector<std::pair<double, std::string>> terms = {
      {size.nodes * kBytesPerNode, "environment.nodes"},
      {size.node_events * kBytesPerNodeEvent, "environment.probability_window_s"},
      {size.services * kBytesPerService, "duration_s"},
      {size.functions * kBytesPerFunction,
       s.chains.functions_per_node > 0 ? "chains.functions_per_node" : "chains.functions"},
      {size.jobs * kBytesPerJob, "environment.jobs"},
      {size.training_readings * kBytesPerReading, "control.predictor.training_hours"},
  };
  size.bytes = 0;
  double largest = -1;
  for (const auto& [bytes, key] : terms) {
    size.bytes += bytes;
    if (bytes > largest) {
      largest = bytes;
      size.dominant_key = key;
    }
  }
  return size;
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::numeric_limits<double>::infinity();
  return static_cast<double>(pages) * static_cast<double>(page_size);
}

}  // namespace vfo
