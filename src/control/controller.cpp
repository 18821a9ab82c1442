#include "vfo/control/controller.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace vfo {

const char* to_string(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::deploy:
      return "deploy";
    case Action::Kind::cold_migrate:
      return "cold_migrate";
    case Action::Kind::live_migrate:
      return "live_migrate";
  }
  return "?";
}

namespace {

// What each node has left for new VFs during one round, as decisions are taken.
class CapacityLedger {
 public:
  CapacityLedger(const ClusterSnapshot& snapshot, double cap) {
    free_.reserve(snapshot.nodes.size());
    for (const auto& n : snapshot.nodes) {
      Resources limit{n.capacity.cpu_ips * cap, n.capacity.ram_bytes * cap};
      free_.push_back(limit - n.used);
    }
  }
  const Resources& free(NodeId node) const { return free_[node.value]; }
  void take(NodeId node, const Resources& r) { free_[node.value] -= r; }

 private:
  std::vector<Resources> free_;
};

}  // namespace

Controller::Controller(ControllerConfig config, const Placer& placer, Forecaster* forecaster)
    : config_(config), placer_(placer), forecaster_(forecaster) {}

bool Controller::eligible(const NodeReport& report) const {
  if (!report.answered) return false;
  const std::size_t i = report.node.value;
  return i >= risk_.size() || risk_[i] < config_.k;
}

Plan Controller::round(const ClusterSnapshot& snapshot) {
  if (config_.live_migration && forecaster_ != nullptr) {
    risk_ = forecaster_->assess(snapshot, config_.horizon_s);
  } else {
    risk_.clear();
  }

  CapacityLedger ledger(snapshot, config_.utilisation_cap);
  std::map<ChainId, std::set<NodeId>> chain_nodes;
  for (const auto& f : snapshot.functions) {
    chain_nodes[f.ref.chain].insert(f.node);
    if (f.status == FunctionStatus::moving) chain_nodes[f.ref.chain].insert(f.target);
  }

  std::vector<const FunctionReport*> lost, at_risk;
  for (const auto& f : snapshot.functions) {
    if (f.status == FunctionStatus::lost) {
      lost.push_back(&f);
    } else if (f.status == FunctionStatus::running && !risk_.empty() && risk_[f.node.value] >= config_.k &&
               snapshot.nodes[f.node.value].answered) {
      at_risk.push_back(&f);
    }
  }
  const auto by_ref = [](const FunctionReport* a, const FunctionReport* b) { return a->ref < b->ref; };
  std::sort(lost.begin(), lost.end(), by_ref);
  std::sort(at_risk.begin(), at_risk.end(), by_ref);

  Plan plan;
  const auto move = [&](const FunctionReport& f, Action::Kind kind) {
    PlacementProblem problem;
    problem.functions.push_back(f.demand);
    const auto& taken = chain_nodes[f.ref.chain];
    for (const auto& n : snapshot.nodes) {
      if (!eligible(n) || n.node == f.node || taken.contains(n.node)) continue;
      problem.candidates.push_back({n.node, ledger.free(n.node)});
    }
    const Placement placement = placer_.place(problem);
    if (!placement.status.is_ok()) {
      plan.unplaced.push_back(f.ref);
      return;
    }
    const NodeId to = placement.nodes.front();
    ledger.take(to, f.demand);
    chain_nodes[f.ref.chain].insert(to);
    plan.actions.push_back({kind, f.ref, f.node, to});
  };
  for (const auto* f : lost) move(*f, Action::Kind::cold_migrate);
  for (const auto* f : at_risk) move(*f, Action::Kind::live_migrate);
  return plan;
}

Plan Controller::admit(const Chain& chain, const ClusterSnapshot& snapshot) const {
  CapacityLedger ledger(snapshot, config_.utilisation_cap);
  PlacementProblem problem;
  for (const auto& f : chain.functions) problem.functions.push_back(f.demand(chain.fps));
  for (const auto& n : snapshot.nodes) {
    if (eligible(n)) problem.candidates.push_back({n.node, ledger.free(n.node)});
  }
  Plan plan;
  const Placement placement = placer_.place(problem);
  if (!placement.status.is_ok()) {
    plan.rejected_because = placement.status.message();
    return plan;
  }
  for (std::uint32_t j = 0; j < placement.nodes.size(); ++j) {
    plan.actions.push_back({Action::Kind::deploy, FunctionRef{chain.id, j}, NodeId{}, placement.nodes[j]});
  }
  return plan;
}

}  // namespace vfo
