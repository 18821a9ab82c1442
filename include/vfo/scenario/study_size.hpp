#pragma once
// How big a simulated study is before it runs: what the simulator draws and keeps for the whole run (node
// events, chain arrivals and their VFs, background jobs, training readings, nodes), and a rough estimate of
// the memory that takes. The loader refuses a scenario whose estimate exceeds the machine's memory, with the
// estimate, instead of letting the run allocate until it dies; a large study that fits runs, with progress.
#include <string>

#include "vfo/scenario/scenario.hpp"

namespace vfo {

struct StudySize {
  double nodes = 0;
  double node_events = 0;        // failures and overloads drawn for the whole run
  double services = 0;           // chain arrivals
  double functions = 0;          // their VFs
  double jobs = 0;               // the generic environment's background jobs
  double training_readings = 0;  // the forecaster's training series, when it is fitted before the run
  double bytes = 0;              // rough: each count times what the simulator keeps per item
  // The scenario key whose count dominates the estimate ("environment.probability_window_s", ...).
  std::string dominant_key;

  // "about 2.1e+06 node events, 8.3e+02 chains of 6.6e+03 VFs, ... (~1.2 GB)"
  std::string describe() const;
};

// The expected counts of `scenario` (means of its distributions; P = 1 events at every window).
StudySize estimate_study_size(const Scenario& scenario);

// This machine's physical memory, in bytes.
double physical_memory_bytes();

}  // namespace vfo
