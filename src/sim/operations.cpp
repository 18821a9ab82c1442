// EdgeSimulation (edge_simulation.hpp), carrying out the controller's actions: deployments, cold migrations
// and live migrations by each protocol, as SimGrid flows.
#include <algorithm>
#include <utility>

#include "edge_simulation.hpp"
#include "vfo/migration/precopy.hpp"
#include "vfo/model/units.hpp"

namespace vfo::sim {

void EdgeSimulation::abort_operations(const std::function<bool(const Operation&)>& matches) {
  std::vector<sg4::CommPtr> transfers;
  for (auto& [id, op] : operations_) {
    if (op->aborted || !matches(*op)) continue;
    op->aborted = true;
    for (sg4::CommPtr& comm : std::exchange(op->comms, {})) transfers.push_back(std::move(comm));
  }
  for (const sg4::CommPtr& comm : transfers) comm->cancel();
}

void EdgeSimulation::start_operation(const Action& action) {
  Service& s = *services_[action.function.chain.value];
  FunctionState& f = s.functions[action.function.index];
  f.target = action.to;
  if (!reserve(s, action.function.index, action.to)) {
    // Generic environment: the node filled up with jobs since the probe. A VF is never queued: a
    // deployment's VF waits for Algorithm 2 at the next round; a live migration is off.
    if (action.kind == Action::Kind::deploy) {
      f.phase = Phase::lost;
      f.node = action.to;
      f.reported_lost_from = now();
    }
    return;
  }
  switch (action.kind) {
    case Action::Kind::deploy:
      f.phase = Phase::deploying;
      break;
    case Action::Kind::cold_migrate:
      f.phase = Phase::cold_moving;
      break;
    case Action::Kind::live_migrate:
      f.phase = Phase::live_moving;
      break;
  }
  const int id = next_operation_id_++;
  auto op = std::make_unique<Operation>();
  op->action = action;
  op->service = s.record.id;
  op->record.live = action.kind == Action::Kind::live_migrate;
  op->record.protocol = op->record.live ? scenario_.migration.protocol : "cold";
  op->record.service = s.record.id;
  op->record.function = action.function.index;
  op->record.from = (op->record.live ? action.from : f.node).value;
  op->record.to = action.to.value;
  op->record.start_s = now();
  Operation* raw = op.get();
  operations_.emplace(id, std::move(op));
  sg4::Actor::create("op", platform_.orchestrator, [this, id, raw] {
    run_operation(*raw);
    operations_.erase(id);
  });
}

bool EdgeSimulation::transfer(Operation& op, sg4::Host* from, sg4::Host* to, double bytes, double& counter) {
  if (op.aborted) return false;
  if (bytes < 1) return true;
  const sg4::CommPtr comm = sg4::Comm::sendto_async(from, to, static_cast<std::uint64_t>(bytes));
  op.comms.push_back(comm);
  ++result_.events;
  const auto forget = [&] {  // an abort may have taken it already
    const auto it = std::find(op.comms.begin(), op.comms.end(), comm);
    if (it != op.comms.end()) op.comms.erase(it);
  };
  try {
    comm->wait();
  } catch (const simgrid::Exception&) {
    counter += bytes - comm->get_remaining();
    forget();
    return false;
  }
  forget();
  counter += bytes;
  return !op.aborted;
}

bool EdgeSimulation::pause(Operation& op, double seconds) {
  if (op.aborted) return false;
  sg4::this_actor::sleep_for(seconds);
  return !op.aborted;
}

double EdgeSimulation::rewire_s(NodeId to) const {
  return 2.0 * (topology_.orchestrator_link.latency_s + topology_.nodes[to.value].uplink.latency_s);
}

sg4::Semaphore* EdgeSimulation::migration_slot(NodeId node) {
  sg4::Semaphore*& slot = migration_slots_[node];
  if (slot == nullptr) {
    slot = sg4::Semaphore::create(static_cast<unsigned>(scenario_.migration.max_concurrent_per_node)).detach();
  }
  return slot;
}

void EdgeSimulation::run_operation(Operation& op) {
  const Action& a = op.action;
  Service& s = *services_[op.service];
  FunctionState& f = s.functions[a.function.index];
  const Function& spec = s.chain.functions[a.function.index];
  const auto& m = scenario_.migration;
  sg4::Host* target = platform_.nodes[a.to.value];
  MigrationRecord& record = op.record;
  double bytes = 0;
  // A VF that never ran (its first target failed or filled up) is still being deployed, not migrated.
  const bool deployment = a.kind == Action::Kind::deploy || (a.kind == Action::Kind::cold_migrate && !f.ever_up);
  const auto close = [&](bool ok) {
    if (deployment) {
      result_.deploy_bytes += bytes;
      return;
    }
    s.record.migration_bytes += bytes;
    result_.migration_bytes += bytes;
    record.bytes = bytes;
    record.total_s = now() - record.start_s;
    record.aborted = !ok;
    if (!ok) ++result_.aborted_migrations;
    result_.migration_records.push_back(record);
  };
  // The VF runs on the target from now on: it may be slowed there, and the target's leave is probed.
  const auto arrived = [&] {
    f.phase = Phase::running;
    f.node = a.to;
    f.resumed = false;
    set_up(s, f, true);
    schedule_leave_probe(a.to);
    if (generic_) check_overloads(a.to);
  };

  if (a.kind != Action::Kind::live_migrate) {
    // Deploy and cold migration (Algorithm 2): place, send the image from the orchestrator, start, rewire.
    const bool ok = pause(op, scenario_.control.placement_s) &&
                    transfer(op, platform_.orchestrator, target, spec.image_bytes, bytes) &&
                    pause(op, m.start_s + rewire_s(a.to));
    record.prepare_s = record.downtime_s = now() - record.start_s;
    close(ok);
    if (!ok) return;
    if (!deployment) {
      ++result_.cold_migrations;
      ++s.record.cold_migrations;
    }
    arrived();
    return;
  }

  // Live migration (Algorithm 3): the target pulls the VF's image from the registry (the orchestrator)
  // and starts it; then the state moves by the scenario's protocol. Only the state crosses the source's
  // link.
  sg4::Host* source = platform_.nodes[a.from.value];
  bool ok = pause(op, scenario_.control.placement_s) &&
            transfer(op, platform_.orchestrator, target, spec.image_bytes, bytes) && pause(op, m.start_s);
  // At most `max_concurrent_per_node` states leave one node at a time (as OpenStack's
  // max_concurrent_live_migrations): concurrent pre-copies would split the uplink until none converges.
  sg4::Semaphore* slot = migration_slot(a.from);
  const bool holding_slot = ok;
  if (holding_slot) slot->acquire();
  ok = ok && !op.aborted;
  record.prepare_s = now() - record.start_s;
  ok = ok && move_state(op, s, f, spec, source, target, bytes);
  if (holding_slot) slot->release();  // may yield: the target may fail meanwhile
  ok = ok && !op.aborted;
  close(ok);
  if (!ok) return;
  ++result_.live_migrations;
  ++s.record.live_migrations;
  arrived();
  release_from(s, a.function.index, a.from);
}

void EdgeSimulation::freeze(Service& s, FunctionState& f, double& frozen_at) {
  f.phase = Phase::frozen;
  set_up(s, f, false);
  frozen_at = now();
}

bool EdgeSimulation::move_state(Operation& op, Service& s, FunctionState& f, const Function& spec, sg4::Host* source,
                                sg4::Host* target, double& bytes) {
  const auto& m = scenario_.migration;
  MigrationRecord& record = op.record;
  const double copy_start = now();
  const double switch_s = m.switch_s + rewire_s(op.action.to);
  double frozen_at = 0;
  bool ok = true;
  if (protocol_ == MigrationProtocol::precopy || protocol_ == MigrationProtocol::stop_and_copy) {
    // Pre-copy: rounds while the VF runs, until the dirty rest is small or the cap is hit; stop-and-copy
    // has no round.
    PrecopyMigration precopy(spec.state_bytes, spec.dirty_rate_bps,
                             PrecopyConfig{m.max_rounds, units::megabytes(m.stop_mb)});
    double freeze_bytes = spec.state_bytes;
    if (protocol_ == MigrationProtocol::precopy) {
      while (ok) {
        const double t0 = now();
        ok = transfer(op, source, target, precopy.next_round_bytes(), bytes);
        if (ok && precopy.finish_round(now() - t0)) break;
      }
      record.rounds = precopy.rounds();
      freeze_bytes = precopy.freeze_bytes();
    }
    record.copy_s = now() - copy_start;
    if (!ok) return false;
    freeze(s, f, frozen_at);
    ok = transfer(op, source, target, freeze_bytes, bytes) && pause(op, switch_s);
    record.downtime_s = now() - frozen_at;
    return ok;
  }

  // Post-copy: freeze only the CPU context, resume on the target, then the pages come over: faulted
  // ones while the VF stalls (one round trip each, besides their bytes), the rest pushed or pulled while
  // it runs. The phases are migration_on_link's over this pair's nominal link; their bytes go as flows.
  const Link& from = topology_.nodes[op.action.from.value].uplink;
  const Link& to = topology_.nodes[op.action.to.value].uplink;
  const double bandwidth = std::min(from.bandwidth_bps, to.bandwidth_bps);
  MigrationInputs inputs;
  inputs.state_bytes = spec.state_bytes;
  inputs.dirty_rate_bps = spec.dirty_rate_bps;
  inputs.page_bytes = m.page_kb * 1024;
  inputs.working_set_fraction = m.working_set_fraction;
  inputs.prepaging_fraction = m.prepaging_fraction;
  inputs.switch_s = switch_s;
  const MigrationTimeline plan = migration_on_link(protocol_, inputs, bandwidth, 2 * (from.latency_s + to.latency_s));
  record.faults = plan.faults;
  freeze(s, f, frozen_at);
  ok = transfer(op, source, target, kPostcopyContextBytes, bytes) && pause(op, switch_s);
  if (!ok) return false;
  record.downtime_s = now() - frozen_at;
  f.phase = Phase::live_moving;
  f.resumed = true;  // running on the target; the source still holds pages
  set_up(s, f, true);
  for (const MigrationPhase& phase : plan.phases) {
    if (phase.kind == MigrationPhase::Kind::push) {
      ok = transfer(op, source, target, phase.bytes, bytes);
    } else if (phase.kind == MigrationPhase::Kind::fault_service) {
      // The VF waits on its faults (it counts as down); the time beyond the pages' bytes is their round
      // trips, with the link idle.
      const double stall_start = now();
      set_up(s, f, false);
      ok = transfer(op, source, target, phase.bytes, bytes) &&
           pause(op, std::max(0.0, phase.duration_s - phase.bytes / bandwidth));
      if (ok) set_up(s, f, true);
      record.stall_s += now() - stall_start;
    }
    if (!ok) return false;
  }
  record.copy_s = now() - copy_start - record.downtime_s - record.stall_s;
  return true;
}

}  // namespace vfo::sim
