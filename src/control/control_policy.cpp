#include "vfo/control/control_policy.hpp"

namespace vfo {

ControllerConfig controller_config(const ControlPolicy& policy) {
  ControllerConfig config;
  config.k = policy.k;
  config.live_migration = policy.live_migration;
  config.utilisation_cap = policy.utilisation_cap;
  config.horizon_s = policy.horizon_s > 0 ? policy.horizon_s : policy.probing_period_s;
  config.placement.max_functions_per_node = policy.max_functions_per_node;
  config.placement.cost = policy.placement_cost;
  return config;
}

}  // namespace vfo
