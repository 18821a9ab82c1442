#include "vfo/control/brain.hpp"

#include <stdexcept>

#include "vfo/placement/placer_factory.hpp"

namespace vfo {

namespace {

std::unique_ptr<Placer> placer_named(const std::string& name) {
  auto placer = make_placer(name);
  if (placer == nullptr) throw std::invalid_argument("placer: unknown name " + name);
  return placer;
}

}  // namespace

Brain::Brain(const ControlPolicy& policy, std::unique_ptr<Forecaster> forecaster)
    : placer_(placer_named(policy.placer)),
      forecaster_(std::move(forecaster)),
      controller_(controller_config(policy), *placer_, forecaster_.get()) {}

}  // namespace vfo
