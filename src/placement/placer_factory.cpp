#include "vfo/placement/placer_factory.hpp"

#include "vfo/placement/auto_placer.hpp"
#include "vfo/placement/best_fit_placer.hpp"
#include "vfo/placement/exact_placer.hpp"
#include "vfo/placement/heuristic_placer.hpp"

namespace vfo {

std::vector<std::string> placer_names() {
  return {"best-fit", "exact", "heuristic", "auto"};
}

std::unique_ptr<Placer> make_placer(std::string_view name) {
  if (name == "best-fit") return std::make_unique<BestFitPlacer>();
  if (name == "exact") return std::make_unique<ExactPlacer>();
  if (name == "heuristic") return std::make_unique<HeuristicPlacer>();
  if (name == "auto") return std::make_unique<AutoPlacer>();
  return nullptr;
}

}  // namespace vfo
