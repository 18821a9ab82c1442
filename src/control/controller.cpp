#include "vfo/control/controller.hpp"

#include <algorithm>
#include <map>

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

// Load and VF count of each node during one round, as decisions are taken.
struct Ledger {
  std::vector<Resources> used;
  std::vector<int> functions;

  explicit Ledger(const ClusterSnapshot& snapshot) {
    for (const auto& n : snapshot.nodes) used.push_back(n.used);
    functions.assign(snapshot.nodes.size(), 0);
    for (const auto& f : snapshot.functions) {
      if (f.status == FunctionStatus::running) ++functions[f.node.value];
      if (f.status == FunctionStatus::moving) ++functions[f.target.value];
    }
  }
};

// Where a VF is, or will be once its move ends; nullopt for a lost VF.
std::optional<NodeId> settled_node(const FunctionReport& f) {
  switch (f.status) {
    case FunctionStatus::running:
      return f.node;
    case FunctionStatus::moving:
      return f.target;
    case FunctionStatus::lost:
      return std::nullopt;
  }
  return std::nullopt;
}

// The node that `result` gives VF `index` of its one chain.
NodeId placed_node(const PlacementResult& result, std::uint32_t index) {
  const auto it = std::find_if(result.placed.begin(), result.placed.end(),
                               [&](const PlacedFunction& p) { return p.function == index; });
  return it->node;
}

// Placements tried per chain before the live migrations whose target would reach K are given up.
constexpr int kMaxTargetPasses = 8;

}  // namespace

bool Controller::stays_below_k(NodeId node, const Resources& demand) const {
  if (risk_.empty() || forecaster_ == nullptr) return true;
  const std::optional<double> p = forecaster_->p_fail_with(node.value, demand);
  return p.value_or(risk_[node.value]) < config_.k;
}

Controller::Controller(ControllerConfig config, const Placer& placer, Forecaster* forecaster)
    : config_(config), placer_(placer), forecaster_(forecaster) {}

bool Controller::eligible(const NodeReport& report) const {
  if (!report.answered) return false;
  const std::size_t i = report.node.value;
  return i >= risk_.size() || risk_[i] < config_.k;
}

PlacementNode Controller::placement_node(const NodeReport& report, const Resources& used, int functions) const {
  PlacementNode n;
  n.id = report.node;
  n.speed_ips = report.speed_ips > 0 ? report.speed_ips : report.capacity.cpu_ips;
  n.capacity =
      Resources{report.capacity.cpu_ips * config_.utilisation_cap, report.capacity.ram_bytes * config_.utilisation_cap};
  n.used = used;
  n.functions = functions;
  n.link_free_bps = report.link_bps;
  n.latency_s = report.link_latency_s;
  n.avoid = !eligible(report);
  return n;
}

Plan Controller::round(const ClusterSnapshot& snapshot) {
  if (config_.live_migration && forecaster_ != nullptr) {
    risk_ = forecaster_->assess(snapshot, config_.horizon_s);
  } else {
    risk_.clear();
  }
  const auto at_risk = [&](const FunctionReport& f) {
    return f.status == FunctionStatus::running && !risk_.empty() && risk_[f.node.value] >= config_.k &&
           snapshot.nodes[f.node.value].answered;
  };

  // The chains that have a VF to move, each with its VFs in chain order.
  std::map<ChainId, std::vector<const FunctionReport*>> chains;
  for (const auto& f : snapshot.functions) chains[f.ref.chain].push_back(&f);
  Ledger ledger(snapshot);
  Plan plan;
  for (auto& [chain_id, functions] : chains) {
    std::sort(functions.begin(), functions.end(),
              [](const FunctionReport* a, const FunctionReport* b) { return a->ref < b->ref; });
    std::vector<const FunctionReport*> movers;
    for (const auto* f : functions) {
      if (f->status == FunctionStatus::lost || at_risk(*f)) movers.push_back(f);
    }
    if (movers.empty()) continue;

    // The chain's other VFs are pinned: they do not count as load already on their nodes.
    std::vector<Resources> used = ledger.used;
    std::vector<int> count = ledger.functions;
    PlacementChain chain;
    chain.id = chain_id;
    chain.fps = functions.front()->fps;
    for (const auto* f : functions) {
      PlacementFunction pf{f->load_ipf, f->demand.ram_bytes, f->output_bytes_per_frame, std::nullopt};
      const bool moves = std::find(movers.begin(), movers.end(), f) != movers.end();
      if (!moves) {
        pf.pinned = settled_node(*f);
        used[pf.pinned->value] -= f->demand;
        --count[pf.pinned->value];
      }
      chain.functions.push_back(pf);
    }
    PlacementProblem problem;
    problem.model = config_.placement;
    problem.model.replication = false;  // a migration moves VFs as they are
    for (const auto& n : snapshot.nodes)
      problem.nodes.push_back(placement_node(n, used[n.node.value], count[n.node.value]));
    problem.chains.push_back(std::move(chain));

    // A live migration's target must stay below K with the VF it takes in: a target that would not is
    // avoided and the chain placed again (each pass avoids at least one more node, so this ends).
    PlacementResult result = placer_.place(problem, config_.limits);
    for (int pass = 0; pass < kMaxTargetPasses && result.has_placement(); ++pass) {
      bool retry = false;
      for (const auto* f : movers) {
        const NodeId to = placed_node(result, f->ref.index);
        if (f->status == FunctionStatus::running && !stays_below_k(to, f->demand)) {
          problem.nodes[to.value].avoid = true;
          retry = true;
        }
      }
      if (!retry) break;
      result = placer_.place(problem, config_.limits);
    }
    if (!result.has_placement()) {
      for (const auto* f : movers) {
        if (f->status == FunctionStatus::lost) plan.unplaced.push_back(f->ref);
      }
      continue;
    }
    for (const auto* f : movers) {
      const NodeId to = placed_node(result, f->ref.index);
      const auto kind = f->status == FunctionStatus::lost ? Action::Kind::cold_migrate : Action::Kind::live_migrate;
      if (kind == Action::Kind::live_migrate && !stays_below_k(to, f->demand)) continue;  // passes ran out
      ledger.used[to.value] += f->demand;
      ++ledger.functions[to.value];
      plan.actions.push_back({kind, f->ref, f->node, to});
    }
  }
  // Cold migrations first (Algorithm 2 heals what is broken), then live ones; each by VF.
  std::stable_sort(plan.actions.begin(), plan.actions.end(), [](const Action& a, const Action& b) {
    return (a.kind == Action::Kind::cold_migrate) > (b.kind == Action::Kind::cold_migrate);
  });
  return plan;
}

Plan Controller::admit(const Chain& chain, const ClusterSnapshot& snapshot) const {
  Ledger ledger(snapshot);
  PlacementProblem problem;
  problem.model = config_.placement;
  problem.model.replication = false;
  for (const auto& n : snapshot.nodes) {
    problem.nodes.push_back(placement_node(n, ledger.used[n.node.value], ledger.functions[n.node.value]));
  }
  PlacementChain pc;
  pc.id = chain.id;
  pc.fps = chain.fps;
  for (const auto& f : chain.functions) pc.functions.push_back({f.load_ipf, f.ram_bytes, f.output_bytes_per_frame, {}});
  problem.chains.push_back(std::move(pc));

  Plan plan;
  const PlacementResult result = placer_.place(problem, config_.limits);
  if (!result.has_placement()) {
    plan.rejected_because = result.reason.empty() ? "no placement" : result.reason;
    return plan;
  }
  for (const auto& p : result.placed) {
    plan.actions.push_back({Action::Kind::deploy, FunctionRef{chain.id, p.function}, NodeId{}, p.node});
  }
  return plan;
}

}  // namespace vfo
