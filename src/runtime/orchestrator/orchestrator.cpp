#include "vfo/runtime/orchestrator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <utility>

#include "runtime/orchestrator/live_migrator.hpp"
#include "vfo/control/brain.hpp"
#include "vfo/forecast/model_forecaster.hpp"
#include "vfo/forecast/resampled_forecaster.hpp"
#include "vfo/forecast/trend_forecaster.hpp"
#include "vfo/runtime/cluster_store.hpp"
#include "vfo/runtime/frame.hpp"
#include "vfo/runtime/sqlite_store.hpp"
#include "vfo/util/mutex.hpp"

namespace vfo::runtime {
namespace {

static_assert(kMaxPayloadBytes == kManifestMaxPayloadBytes, "a manifest must not allow frames the data plane refuses");

// What the placer is told of a node's link. Unused by the controller's placement model today (no bandwidth
// constraint); nominal values of a 100 Mbit/s access link on loopback.
constexpr double kLoopbackLinkBps = 12.5e6;
constexpr double kLoopbackLatencyS = 0.0005;

// How many probes in a row a node may miss by the deadline before it is taken for failed (graced_probes).
constexpr int kLateProbesGraced = 1;

std::string function_id(std::uint32_t chain, std::uint32_t index) {
  return fmt::format("c{}/{}", chain, index);
}

// The chain id and index of a VF id made by function_id, or nullopt for an id of another form.
std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_function_id(const std::string& id) {
  unsigned chain = 0, index = 0;
  if (std::sscanf(id.c_str(), "c%u/%u", &chain, &index) != 2) return std::nullopt;
  return std::pair{chain, index};
}

// Whether `probe` (nullopt: the node did not answer) lists VF `id` among those it runs.
bool lists(const std::optional<NodeProbe>& probe, const std::string& id) {
  return probe && std::find(probe->functions.begin(), probe->functions.end(), id) != probe->functions.end();
}

// Whether VF `id`, placed on the node of `probe`, counts as running: listed, or its node is late (graced: what it
// runs is unknown this round, and taken to be what the store places there).
bool taken_as_running(const std::optional<NodeProbe>& probe, const std::string& id) {
  return (probe && probe->late) || lists(probe, id);
}

FunctionSpec function_spec(const ChainManifest& m, std::uint32_t index) {
  const ManifestFunction& f = m.functions.at(index);
  return FunctionSpec{.kind = f.kind,
                      .fps = m.fps,
                      .payload_bytes = f.payload_bytes,
                      .instructions = f.instructions,
                      .state_bytes = static_cast<std::uint64_t>(f.state_mb * 1e6),
                      .dirty_bytes = static_cast<std::uint64_t>(f.dirty_mb_per_s * 1e6 / m.fps),
                      .command = f.command,
                      .env = f.env,
                      .role = f.kind == "exec" ? chain_role(index, m.functions.size()) : "",
                      .cpus = f.cpus,
                      .memory_bytes = static_cast<std::uint64_t>(f.memory_mb * 1e6)};
}

int rounds_of_model(const ForecastModel& model, double probe_period_s) {
  const auto rounds = model_rounds(model.interval_s, probe_period_s);
  if (!rounds) {
    throw std::invalid_argument(
        fmt::format("the model reads one reading every {} s: the probing period ({} s) must divide that",
                    model.interval_s, probe_period_s));
  }
  return *rounds;
}

// The live forecaster: the trained model when there is one (read on its own grid), else the trend forecaster;
// none without live migration. Throws std::invalid_argument when the model's interval is not a whole number of
// probing periods.
std::unique_ptr<Forecaster> make_forecaster(const OrchestratorOptions& o) {
  if (!o.control.live_migration) return nullptr;
  const double period = o.control.probing_period_s;
  if (o.live.model != nullptr) {
    std::optional<GuardOptions> guard;
    if (o.live.guard) guard = GuardOptions{};
    return std::make_unique<ResampledForecaster>(std::make_unique<ModelForecaster>(o.live.model, guard),
                                                 rounds_of_model(*o.live.model, period));
  }
  return std::make_unique<TrendForecaster>(TrendForecasterConfig{.interval_s = period,
                                                                 .cpu_threshold_pct = o.live.cpu_threshold_pct,
                                                                 .ram_threshold_pct = o.live.ram_threshold_pct});
}

// `o`, once it is known to be one the orchestrator can run; throws std::invalid_argument otherwise.
OrchestratorOptions checked(OrchestratorOptions o) {
  if (o.control.recovery == Recovery::kubernetes) {
    throw std::invalid_argument("recovery: the runtime recovers by cold or reset, not kubernetes (a simulator model)");
  }
  return o;
}

}  // namespace

// Who guards what: `options`, `agents` (the vector; each connection may be called from several threads) and
// `started` are set at construction and only read after. `acting` is held by each operation that changes the
// cluster (a round, a deploy, a live migration's switch) for its whole length, agent calls included: such
// operations must not interleave (two of them could start the same VF twice), so one waits for the other; the
// brain is used only under it. `state` guards `manifests`, `last_nodes`, `last_risk`, `exited` and
// `missed_in_a_row`, and is never held across an agent call; the store is thread-safe on its own; `live` has its
// own lock. So status(), last_nodes(), function_stats(), probe_nodes() and store_problem() take no lock an agent
// call is made under: a slow or hung agent in a round does not delay them (they make their own calls, each within
// its deadline).
struct Orchestrator::Impl {
  OrchestratorOptions options;
  std::unique_ptr<ClusterStore> store;  // never null
  std::vector<std::unique_ptr<AgentConnection>> agents;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();  // a snapshot's now counts from it
  Mutex acting;         // see above: one cluster-changing operation at a time
  mutable Mutex state;  // see above: never held across an agent call
  Brain brain VFO_GUARDED_BY(acting);
  Controller& controller VFO_GUARDED_BY(acting);  // the brain's
  // The placed chains this orchestrator found in the store when it started and has not rewired at an epoch of
  // its own yet (take_over).
  std::set<std::uint32_t> inherited VFO_GUARDED_BY(acting);
  // By chain id, parsed from the store: the text it was parsed from and the manifest.
  std::map<std::uint32_t, std::pair<std::string, ChainManifest>> manifests VFO_GUARDED_BY(state);
  std::vector<NodeView> last_nodes VFO_GUARDED_BY(state);
  std::vector<double> last_risk VFO_GUARDED_BY(state);     // the controller's p_fail per node after the last round
  std::vector<std::string> exited VFO_GUARDED_BY(state);   // VFs the agents reported ended, not yet in a report
  std::vector<int> missed_in_a_row VFO_GUARDED_BY(state);  // by node, the probes it missed since its last answer
  LiveMigrator live;                                       // last: its workers end before the rest goes

  explicit Impl(OrchestratorOptions o)
      : options(checked(std::move(o))),
        store(options.open_store ? options.open_store() : std::make_unique<SqliteStore>(options.store)),
        brain(options.control, make_forecaster(options)),
        controller(brain.controller()),
        live(acting, [this](const LiveMigrationJob& job) {
          acting.assert_held();  // LiveMigrator calls this with `acting` held
          return switch_over(job);
        }) {
    for (const AgentAddress& a : options.agents) {
      agents.push_back(
          options.connect ? options.connect(a)
                          : std::make_unique<AgentClient>(a.address, options.identity, options.probe_deadline, a.name));
    }
    try {
      for (const StoredChain& c : store->chains()) {
        if (!c.placements.empty()) inherited.insert(c.id);
      }
    } catch (const StoreDamaged&) {  // the rounds say why and act on nothing
    }
  }

  // Rewires each inherited chain whose VFs all run at a new epoch of this orchestrator's, and stores it: the
  // chains a predecessor left are fenced off from whatever it was doing when it ended (a live migration's target
  // that was never switched to takes no frame of the new epoch; a source frozen for that migration is given the
  // chain back and takes frames again; a wiring sent in part is sent whole). A chain with a VF lost is left to
  // its cold migration, which rewires it whole at a new epoch too. Updates `chains` and the probes' wiring to
  // what was sent. Call with `acting` held, after stop_stale.
  void take_over(std::vector<std::optional<NodeProbe>>& probes, std::vector<StoredChain>& chains, RoundReport& report)
      VFO_REQUIRES(acting) {
    for (StoredChain& c : chains) {
      if (inherited.count(c.id) == 0) continue;
      if (c.placements.empty()) {
        inherited.erase(c.id);
        continue;
      }
      if (c.placements.size() != manifest(c).functions.size() || !all_running(c, probes)) {
        continue;
      }
      try {
        store->commit_wiring(c.id, c.epoch + 1, c.placements);
      } catch (const std::runtime_error& e) {  // removed meanwhile (vfo delete), or the store failed: next round
        report.errors.push_back(
            fmt::format("chain {} ({}): take over at epoch {}: {}", c.id, c.name, c.epoch + 1, e.what()));
        continue;
      }
      c.epoch += 1;
      inherited.erase(c.id);
      const std::vector<std::string> errors = wire(c, c.epoch);
      report.errors.insert(report.errors.end(), errors.begin(), errors.end());
      for (std::size_t j = 0; j < c.placements.size(); ++j) {
        probes[*node_index(c.placements[j].node)]->wiring[function_id(c.id, c.placements[j].index)] =
            wiring_of(c, j, c.epoch);
      }
      report.taken_over.push_back(fmt::format("{} (chain {}) at epoch {}", c.name, c.id, c.epoch));
    }
  }

  // Whether every placed VF of `c` is listed by the probe of its node (a late node lists none: a chain with a VF
  // there waits for its answer).
  bool all_running(const StoredChain& c, const std::vector<std::optional<NodeProbe>>& probes) const {
    return std::all_of(c.placements.begin(), c.placements.end(), [&](const VfPlacement& p) {
      const auto node = node_index(p.node);
      return node && lists(probes[*node], function_id(c.id, p.index));
    });
  }

  // Stops every VF an agent runs that the store does not place on that node and that is not a live migration's
  // target there: an instance left behind on a node that was taken for dead and came back (its VF was started
  // elsewhere meanwhile), or one of a chain no longer stored. Call with `acting` held.
  void stop_stale(const std::vector<std::optional<NodeProbe>>& probes, const std::vector<StoredChain>& chains,
                  RoundReport& report) VFO_REQUIRES(acting) {
    std::set<std::pair<std::string, std::string>> placed;  // (node, VF id)
    for (const StoredChain& c : chains) {
      for (const VfPlacement& p : c.placements) placed.insert({p.node, function_id(c.id, p.index)});
    }
    for (std::size_t i = 0; i < probes.size(); ++i) {
      if (!probes[i]) continue;
      const std::string& node = options.agents[i].name;
      for (const std::string& id : probes[i]->functions) {
        if (placed.count({node, id}) != 0 || is_incoming(id, i)) continue;
        std::string error;
        if (agents[i]->stop_function(id, &error)) {
          report.stale_stopped.push_back(node + ": " + id);
        } else if (error.rfind("NOT_FOUND", 0) != 0) {  // gone since the probe (a migration's source): fine
          report.errors.push_back(fmt::format("{}: stop the stale instance on {}: {}", id, node, error));
        }
      }
    }
  }

  // Sends each running VF of a chain whose VFs all run the stored wiring where its agent reports another (or
  // none): a predecessor killed between storing a wiring and sending all of it, a rewire that failed, an
  // agent's VF rewired by someone else. A VF applies an order of its current epoch again (it reconnects and
  // replays what was not acknowledged; the downstream drops what it saw), so a probe older than the store (a
  // live migration switched the chain meanwhile) costs a reconnection, nothing more. Chains with a lost VF are
  // left to their cold migration, which rewires them whole. Call with `acting` held.
  void repair_wiring(const std::vector<std::optional<NodeProbe>>& probes, const std::vector<StoredChain>& chains,
                     RoundReport& report) VFO_REQUIRES(acting) {
    for (const StoredChain& c : chains) {
      if (c.placements.empty() || c.placements.size() != manifest(c).functions.size()) continue;
      if (!all_running(c, probes)) continue;
      for (std::size_t j = 0; j < c.placements.size(); ++j) {
        const VfPlacement& p = c.placements[j];
        const std::string id = function_id(c.id, p.index);
        const std::size_t node = *node_index(p.node);
        const VfWiring want = wiring_of(c, j, c.epoch);
        const auto& applied = probes[node]->wiring;
        if (const auto it = applied.find(id); it != applied.end() && it->second == want) continue;
        std::string error;
        if (agents[node]->rewire(id, want.epoch, want.downstream, want.upstream_ack, &error)) {
          report.rewired.push_back(p.node + ": " + id);
        } else {
          report.errors.push_back(fmt::format("{}: rewire on {}: {}", id, p.node, error));
        }
      }
    }
  }

  // Why the store cannot be trusted, or nullopt. Acting on a damaged store could stop healthy VFs, start a
  // second copy of a placed one, or reuse an epoch (which would let a fenced-off instance's frames through);
  // so a round acts on nothing while there is a reason. Without probes, only the store itself is checked (its
  // rows against each other); with them, also against what the agents run.
  std::optional<std::string> distrust(const std::vector<StoredChain>& chains,
                                      const std::vector<std::optional<NodeProbe>>& probes) {
    const std::string file = store->where();
    if (!store->same_store()) return file + ": deleted or replaced since the daemon opened it";
    std::map<std::uint32_t, const StoredChain*> by_id;
    for (const StoredChain& c : chains) {
      by_id[c.id] = &c;
      const std::string chain = fmt::format("{}: chain {} ({})", file, c.id, c.name);
      std::optional<ChainManifest> m;
      try {
        m = manifest(c);
      } catch (const std::exception& e) {
        return chain + ": its manifest does not parse (" + e.what() + ")";
      }
      if (c.placements.empty()) continue;  // not placed yet
      if (c.epoch == 0) return chain + ": placed, but at epoch 0";
      for (std::size_t j = 0; j < c.placements.size(); ++j) {
        const VfPlacement& p = c.placements[j];
        if (p.index != j || j >= m->functions.size()) {
          return fmt::format("{}: placements {} of its {} VFs: VF {} is {}", chain, c.placements.size(),
                             m->functions.size(), j, p.index >= m->functions.size() ? "past its end" : "missing");
        }
        if (!node_index(p.node))
          return fmt::format("{}: VF {} is placed on '{}', not a node of the cluster", chain, j, p.node);
        if (p.data_endpoint.empty() || p.ack_endpoint.empty())
          return fmt::format("{}: VF {} has no endpoints", chain, j);
      }
      if (c.placements.size() != m->functions.size()) {
        return fmt::format("{}: {} of its {} VFs placed (a placement is missing)", chain, c.placements.size(),
                           m->functions.size());
      }
    }
    const std::uint32_t last_id = store->last_chain_id();
    for (std::size_t i = 0; i < probes.size(); ++i) {
      if (!probes[i]) continue;
      const std::string& node = options.agents[i].name;
      for (const std::string& id : probes[i]->functions) {
        const auto parsed = parse_function_id(id);
        if (!parsed) continue;
        const std::uint32_t chain = parsed->first;
        if (chain > last_id) {
          return fmt::format("{}: {} runs {}, of a chain this store never had: the store is older than the cluster",
                             file, node, id);
        }
        const auto applied = probes[i]->wiring.find(id);
        const auto stored = by_id.find(chain);
        if (stored != by_id.end() && stored->second->placements.empty()) {
          return fmt::format("{}: {} runs {}, but the store places none of chain {}: starting it would run it twice",
                             file, node, id, chain);
        }
        if (applied != probes[i]->wiring.end() && stored != by_id.end() &&
            applied->second.epoch > stored->second->epoch) {
          return fmt::format("{}: {}'s {} is at epoch {}, past the store's {}: the store is older than the cluster",
                             file, node, id, applied->second.epoch, stored->second->epoch);
        }
      }
    }
    return std::nullopt;
  }

  // Reads the store into `chains`; why it cannot be trusted (unreadable, or distrust's reasons), or nullopt.
  std::optional<std::string> read_store(std::vector<StoredChain>& chains,
                                        const std::vector<std::optional<NodeProbe>>& probes) {
    try {
      chains = store->chains();
      return distrust(chains, probes);
    } catch (const StoreDamaged& e) {
      return e.what();
    }
  }

  // Sets a chain's note (why it is not whole); nothing when the chain was removed meanwhile (vfo delete).
  void set_note(std::uint32_t chain, const std::string& note) {
    try {
      store->set_note(chain, note);
    } catch (const std::runtime_error&) {  // the foreign key: no such chain any more
    }
  }

  // Whether VF `id` ("c<chain>/<index>") is on its way to node `i` by live migration.
  bool is_incoming(const std::string& id, std::size_t i) {
    const auto parsed = parse_function_id(id);
    if (!parsed) return false;
    const auto to = live.moving_to(parsed->first, parsed->second);
    return to && *to == i;
  }

  std::optional<std::size_t> node_index(const std::string& name) const {
    for (std::size_t i = 0; i < options.agents.size(); ++i) {
      if (options.agents[i].name == name) return i;
    }
    return std::nullopt;
  }

  // The chain's manifest, parsed once per text (a copy: another thread may replace the cached one).
  ChainManifest manifest(const StoredChain& c) VFO_EXCLUDES(state) {
    MutexLock lock(state);
    auto it = manifests.find(c.id);
    if (it == manifests.end() || it->second.first != c.manifest_yaml) {  // new, or changed in the store
      ChainManifest parsed = parse_chain_manifest(c.manifest_yaml, c.name);
      it = manifests.insert_or_assign(c.id, std::pair{c.manifest_yaml, std::move(parsed)}).first;
    }
    return it->second.second;
  }

  // Every agent's probe (nullopt: it did not answer in time; then `errors`, when given, holds why, by node). It
  // touches no shared field, so it needs no lock; an agent reports a VF that ended once, so the caller must then
  // keep_exited() what the probes say.
  std::vector<std::optional<NodeProbe>> probe_all(std::vector<std::string>* errors = nullptr) const {
    // At once: a hung node costs the round one deadline, not one per hung node.
    std::vector<std::future<std::pair<std::optional<NodeProbe>, std::string>>> asked;
    for (std::size_t i = 0; i < agents.size(); ++i) {
      asked.push_back(std::async(std::launch::async, [this, i] {
        std::string error;
        auto probe = agents[i]->probe(&error);
        return std::pair{std::move(probe), std::move(error)};
      }));
    }
    std::vector<std::optional<NodeProbe>> probes;
    for (auto& answer : asked) {
      auto [probe, error] = answer.get();
      probes.push_back(std::move(probe));
      if (errors != nullptr) errors->push_back(std::move(error));
    }
    return probes;
  }

  // The probes that a cluster-changing operation (a round, a deploy) acts on: probe_all(), with a grace for one
  // late answer. A node that misses the deadline for the first time in a row gets a probe marked
  // NodeProbe::late, with no reading (listed in `late`, when given, as "NODE: why"): a busy machine answers late
  // now and then, and taking it for failed would move its VFs cold for nothing. A second miss in a row fails it,
  // and so does a refused connection at once (UNAVAILABLE: nothing listens there, the agent is gone), and an agent
  // whose certificate is revoked (PERMISSION_DENIED).
  // Nodes refused for their certificate are listed in `refused_nodes`, when given, as "NODE: why".
  std::vector<std::optional<NodeProbe>> graced_probes(std::vector<std::string>* late = nullptr,
                                                      std::vector<std::string>* refused_nodes = nullptr)
      VFO_EXCLUDES(state) {
    std::vector<std::string> errors;
    std::vector<std::optional<NodeProbe>> probes = probe_all(&errors);
    MutexLock lock(state);
    missed_in_a_row.resize(probes.size(), 0);
    for (std::size_t i = 0; i < probes.size(); ++i) {
      int& missed = missed_in_a_row[i];
      if (probes[i]) {
        missed = 0;
        continue;
      }
      const bool denied = errors[i].rfind("PERMISSION_DENIED", 0) == 0;
      if (denied && refused_nodes != nullptr) refused_nodes->push_back(options.agents[i].name + ": " + errors[i]);
      const bool refused = denied || errors[i].rfind("UNAVAILABLE", 0) == 0;
      if (refused || ++missed > kLateProbesGraced) continue;
      probes[i] = NodeProbe{.node = options.agents[i].name, .late = true};
      if (late != nullptr) late->push_back(options.agents[i].name + ": " + errors[i]);
    }
    return probes;
  }

  // Keeps the VFs that `probes` report ended, for the next round's report.
  void keep_exited(const std::vector<std::optional<NodeProbe>>& probes) VFO_EXCLUDES(state) {
    MutexLock lock(state);
    for (std::size_t i = 0; i < probes.size(); ++i) {
      if (!probes[i]) continue;
      for (const std::string& e : probes[i]->exited) exited.push_back(options.agents[i].name + ": " + e);
    }
  }

  // What `probes` say of each node, with the controller's last p_fail.
  std::vector<NodeView> node_views(const std::vector<std::optional<NodeProbe>>& probes,
                                   const std::vector<std::string>& errors = {}) const VFO_EXCLUDES(state) {
    std::vector<NodeView> views;
    MutexLock lock(state);
    const std::vector<double>& risk = last_risk;
    for (std::size_t i = 0; i < probes.size(); ++i) {
      NodeView v{options.agents[i].name};
      if (probes[i] && !probes[i]->late) {
        v.cpu_pct = probes[i]->cpu_pct;
        v.ram_pct = probes[i]->ram_pct;
        v.functions = static_cast<int>(probes[i]->functions.size());
      }
      v.p_fail = i < risk.size() ? risk[i] : 0.0;
      if (!probes[i] && i < errors.size()) v.problem = errors[i];
      views.push_back(v);
    }
    return views;
  }

  ClusterSnapshot snapshot(const std::vector<std::optional<NodeProbe>>& probes,
                           const std::vector<StoredChain>& chains) {
    ClusterSnapshot s;
    s.now = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (std::size_t i = 0; i < agents.size(); ++i) {
      const bool answered = probes[i] && !probes[i]->late;  // a late node's VFs run on, but it takes none
      const double ram = answered ? static_cast<double>(probes[i]->ram_total_bytes) : 0.0;
      s.nodes.push_back(NodeReport{NodeId(static_cast<std::uint32_t>(i)), answered,
                                   Resources{options.node_cpu_ips, ram}, Resources{}, options.node_cpu_ips,
                                   kLoopbackLinkBps, kLoopbackLatencyS});
      if (answered) {
        s.nodes.back().measured_cpu_pct = probes[i]->cpu_pct;
        s.nodes.back().measured_ram_pct = probes[i]->ram_pct;
      }
    }
    for (const StoredChain& c : chains) {
      const Chain chain = manifest_chain(manifest(c), ChainId(c.id));
      for (const VfPlacement& p : c.placements) {
        const auto node = node_index(p.node);
        if (!node) continue;
        const Function& f = chain.functions.at(p.index);
        const bool running = taken_as_running(probes[*node], function_id(c.id, p.index));
        FunctionReport r{FunctionRef{chain.id, p.index},
                         NodeId(static_cast<std::uint32_t>(*node)),
                         running ? FunctionStatus::running : FunctionStatus::lost,
                         NodeId(static_cast<std::uint32_t>(*node)),
                         f.demand(chain.fps),
                         f.load_ipf,
                         f.output_bytes_per_frame,
                         chain.fps};
        if (running) s.nodes[*node].used += r.demand;
        if (const auto to = live.moving_to(c.id, p.index)) {
          r.status = FunctionStatus::moving;
          r.target = NodeId(static_cast<std::uint32_t>(*to));
          s.nodes[*to].used += r.demand;
        }
        s.functions.push_back(r);
      }
    }
    return s;
  }

  // Places the chain whole (the `others` are the chains already running), starts its VFs, stores the
  // placements with `epoch` and wires them. On failure stops what it started and throws one line.
  void start_chain(const StoredChain& c, std::uint64_t epoch, const std::vector<std::optional<NodeProbe>>& probes,
                   const std::vector<StoredChain>& others) VFO_REQUIRES(acting) {
    const ChainManifest& m = manifest(c);
    const Plan plan = controller.admit(manifest_chain(m, ChainId(c.id)), snapshot(probes, others));
    StoredChain fresh = c;
    fresh.placements.clear();
    fresh.epoch = epoch;
    const auto undo = [&](const std::string& why) {
      for (const VfPlacement& p : fresh.placements) {
        agents[*node_index(p.node)]->stop_function(function_id(c.id, p.index));
      }
      throw std::runtime_error(c.name + ": " + why);
    };
    if (!plan.rejected_because.empty()) undo("no room: " + plan.rejected_because);
    std::vector<Action> actions = plan.actions;
    std::sort(actions.begin(), actions.end(),
              [](const Action& a, const Action& b) { return a.function.index < b.function.index; });
    struct Started {
      std::optional<FunctionEndpoints> endpoints;
      std::string error;
    };
    const auto start = [&](const Action& a) {
      Started s;
      s.endpoints = agents[a.to.value]->start_function(function_id(c.id, a.function.index),
                                                       function_spec(m, a.function.index), &s.error);
      return s;
    };
    std::vector<Started> started(actions.size());
    if (options.concurrent_starts) {
      std::vector<std::future<Started>> pending;
      for (const Action& a : actions) pending.push_back(std::async(std::launch::async, start, a));
      for (std::size_t i = 0; i < pending.size(); ++i) started[i] = pending[i].get();
    }
    std::string failure;
    for (std::size_t i = 0; i < actions.size(); ++i) {
      const Action& a = actions[i];
      if (!options.concurrent_starts) {
        if (!failure.empty()) break;
        started[i] = start(a);
      }
      const std::string& node = options.agents[a.to.value].name;
      if (!started[i].endpoints) {
        if (failure.empty())
          failure = fmt::format("{} on {}: {}", function_id(c.id, a.function.index), node, started[i].error);
        continue;
      }
      fresh.placements.push_back({a.function.index, node, started[i].endpoints->data, started[i].endpoints->ack});
    }
    if (!failure.empty()) undo(failure);
    store->commit_wiring(c.id, epoch, fresh.placements);
    for (const std::string& e : wire(fresh, epoch)) undo(e);
  }

  // Reset mode: stops every VF of the chain, then places, starts and wires it whole again.
  void reestablish(const StoredChain& c, const std::vector<std::optional<NodeProbe>>& probes) VFO_REQUIRES(acting) {
    for (const VfPlacement& p : c.placements) {
      const auto node = node_index(p.node);
      if (node && probes[*node]) agents[*node]->stop_function(function_id(c.id, p.index));
    }
    std::vector<StoredChain> others = store->chains();
    std::erase_if(others, [&](const StoredChain& o) { return o.id == c.id; });
    start_chain(c, c.epoch + 1, probes, others);
  }

  // A live migration's copy is done: the chain goes through the target from a new epoch on (its upstream
  // replays to it what the end of the chain has not acknowledged), and the frozen source is stopped.
  SwitchOutcome switch_over(const LiveMigrationJob& job) VFO_REQUIRES(acting) {
    std::optional<StoredChain> c = store->chain(job.record.chain);
    if (!c) return {false, "the chain was removed"};
    for (VfPlacement& p : c->placements) {
      if (p.index == job.record.index) {
        p = VfPlacement{p.index, options.agents[job.to].name, job.target_endpoints.data, job.target_endpoints.ack};
      }
    }
    c->epoch += 1;
    try {
      store->commit_wiring(c->id, c->epoch, c->placements);
    } catch (const std::runtime_error& e) {  // removed meanwhile, or the store failed: nothing switched
      return {false, std::string("the switch was not stored: ") + e.what()};
    }
    SwitchOutcome outcome{true, ""};
    for (const std::string& e : wire(*c, c->epoch)) outcome.problems += (outcome.problems.empty() ? "" : "; ") + e;
    job.source->stop_function(job.function_id);
    return outcome;
  }

  // Algorithm 3's action: an incoming VF on the target, then the copy in the background.
  void start_live_migration(const Action& a, const StoredChain& c, const ClusterSnapshot& snapshot, RoundReport& report)
      VFO_REQUIRES(acting) {
    const std::string id = function_id(c.id, a.function.index);
    const std::size_t from = a.from.value;
    const std::size_t to = a.to.value;
    std::string error;
    agents[to]->stop_function(id);  // a leftover of an earlier attempt, if any
    // The target's state socket takes only this migration's key, which only the source's agent is given.
    const CurveKeyPair once = make_curve_key_pair();
    const auto endpoints =
        agents[to]->start_incoming(id, function_spec(manifest(c), a.function.index), once.public_key, &error);
    if (!endpoints) {
      report.errors.push_back(fmt::format("{}: start incoming on {}: {}", id, options.agents[to].name, error));
      return;
    }
    LiveMigrationJob job;
    job.record.chain = c.id;
    job.record.index = a.function.index;
    job.record.function = manifest(c).functions.at(a.function.index).name;
    job.record.from = options.agents[from].name;
    job.record.to = options.agents[to].name;
    job.record.p_fail = from < controller.last_risk().size() ? controller.last_risk()[from] : 0;
    job.record.node_cpu_pct = cpu_utilisation_pct(snapshot.nodes.at(from));
    job.record.decided_ns = steady_now_ns();
    job.function_id = id;
    job.from = from;
    job.to = to;
    job.source = agents[from].get();
    job.target = agents[to].get();
    job.target_endpoints = *endpoints;
    job.order = options.live.order;
    job.order.target = endpoints->state;
    job.order.key = once;
    job.deadline = options.live.deadline;
    report.live_migrations.push_back(
        fmt::format("{} ({}) from {} to {}", job.record.function, id, job.record.from, job.record.to));
    live.start(std::move(job));
    ++report.live_started;
  }

  // The wiring of the chain's j-th placed VF with `epoch`: it sends to the next VF and acknowledges to the one
  // before.
  static VfWiring wiring_of(const StoredChain& c, std::size_t j, std::uint64_t epoch) {
    return {epoch, j + 1 < c.placements.size() ? c.placements[j + 1].data_endpoint : "",
            j > 0 ? c.placements[j - 1].ack_endpoint : ""};
  }

  // Rewires every VF of the chain with `epoch`; returns the errors (a VF whose agent fails is lost anyway).
  std::vector<std::string> wire(const StoredChain& c, std::uint64_t epoch) VFO_REQUIRES(acting) {
    std::vector<std::string> errors;
    for (std::size_t j = 0; j < c.placements.size(); ++j) {
      const VfPlacement& p = c.placements[j];
      const VfWiring w = wiring_of(c, j, epoch);
      const auto node = node_index(p.node);
      std::string error;
      if (!node || !agents[*node]->rewire(function_id(c.id, p.index), epoch, w.downstream, w.upstream_ack, &error)) {
        errors.push_back(fmt::format("{}: rewire on {}: {}", function_id(c.id, p.index), p.node, error));
      }
    }
    return errors;
  }
};

Orchestrator::Orchestrator(OrchestratorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Orchestrator::~Orchestrator() = default;

std::uint32_t Orchestrator::add_chain(const ChainManifest& manifest, const std::string& manifest_yaml) {
  MutexLock lock(impl_->state);  // no agent call: the check and the insertion, one at a time
  for (const StoredChain& c : impl_->store->chains()) {
    if (c.name == manifest.name) throw std::runtime_error("deploy: a chain named " + manifest.name + " already runs");
  }
  const std::uint32_t id = impl_->store->add_chain(manifest.name, manifest_yaml);
  impl_->manifests[id] = {manifest_yaml, manifest};
  return id;
}

std::uint32_t Orchestrator::deploy(const ChainManifest& manifest, const std::string& manifest_yaml) {
  Impl& m = *impl_;
  const std::uint32_t id = add_chain(manifest, manifest_yaml);
  MutexLock lock(m.acting);
  const std::optional<StoredChain> added = m.store->chain(id);
  // A round that ran between the two locks placed it (or a delete removed it): nothing left to do.
  if (!added || !added->placements.empty()) return id;
  std::vector<StoredChain> others = m.store->chains();
  std::erase_if(others, [&](const StoredChain& c) { return c.id == id; });
  try {
    const auto probes = m.graced_probes();
    m.keep_exited(probes);
    m.start_chain(*added, 1, probes, others);
  } catch (const std::runtime_error& e) {
    m.store->remove_chain(id);
    {
      MutexLock state(m.state);
      m.manifests.erase(id);
    }
    throw std::runtime_error(std::string("deploy ") + e.what());
  }
  return id;
}

RoundReport Orchestrator::round() {
  Impl& m = *impl_;
  RoundReport report;
  auto probes = m.graced_probes(&report.late_nodes, &report.refused_nodes);
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (!probes[i]) report.failed_nodes.push_back(m.options.agents[i].name);
  }
  if (probes.size() > 1 && report.failed_nodes.size() + report.late_nodes.size() == probes.size()) {
    // Every node silent at once is rather this orchestrator's trouble (starved of CPU, cut off its network)
    // than every node's: moving every VF would help nothing. As Kubernetes' node controller in its "full
    // disruption" mode, this round acts on nothing.
    report.errors.push_back(
        fmt::format("none of the {} nodes answered its probe: taken for a fault on the "
                    "orchestrator's side, not of every node; nothing is moved",
                    probes.size()));
    return report;
  }
  MutexLock lock(m.acting);
  m.keep_exited(probes);
  {
    MutexLock state(m.state);
    report.exited = std::exchange(m.exited, {});
  }
  std::vector<StoredChain> chains;
  if (auto why = m.read_store(chains, probes)) {
    report.store_problem = std::move(*why);
    return report;  // nothing is done on a store that cannot be trusted
  }
  // Chains added (vfo deploy) but not placed yet: place them whole; retried next round on failure.
  for (StoredChain& c : chains) {
    if (!c.placements.empty()) continue;
    std::vector<StoredChain> placed;
    for (const StoredChain& o : chains) {
      if (!o.placements.empty()) placed.push_back(o);
    }
    try {
      m.start_chain(c, 1, probes, placed);
      ++report.deployed;
      if (auto stored = m.store->chain(c.id)) c = std::move(*stored);  // else removed meanwhile (vfo delete)
      m.set_note(c.id, "");
    } catch (const std::runtime_error& e) {
      report.errors.emplace_back(e.what());
      m.set_note(c.id, e.what());  // vfo deploy and vfo status show it
    }
  }
  if (report.deployed > 0) {  // the probes before did not list the VFs just started
    probes = m.graced_probes();
    m.keep_exited(probes);
  }
  m.stop_stale(probes, chains, report);
  m.take_over(probes, chains, report);
  m.repair_wiring(probes, chains, report);
  ClusterSnapshot snapshot = m.snapshot(probes, chains);
  for (const FunctionReport& f : snapshot.functions) report.lost += f.status == FunctionStatus::lost;
  const bool reset = m.options.control.recovery == Recovery::reset;
  if (reset && report.lost > 0) {
    // Reset mode recovers a broken chain whole, then the controller's round sees the cluster as it is now (its
    // live migrations go on as in cold mode); a chain that could not be reset is tried again next round.
    std::set<std::uint32_t> broken;
    for (const FunctionReport& f : snapshot.functions) {
      if (f.status == FunctionStatus::lost) broken.insert(f.ref.chain.value);
    }
    for (const StoredChain& c : chains) {
      if (broken.count(c.id) == 0) continue;
      try {
        m.reestablish(c, probes);
        ++report.reset_chains;
        m.set_note(c.id, "");
      } catch (const std::runtime_error& e) {
        report.errors.emplace_back(e.what());
        m.set_note(c.id, e.what());
      }
    }
    if (auto why = m.read_store(chains, {})) {
      report.store_problem = std::move(*why);
      return report;
    }
    probes = m.graced_probes();  // the probes before did not list the VFs just started
    m.keep_exited(probes);
    snapshot = m.snapshot(probes, chains);
  }
  Plan plan = m.controller.round(snapshot);
  {
    MutexLock state(m.state);
    m.last_risk = m.controller.last_risk();
  }
  if (m.options.on_round) m.options.on_round(snapshot, plan);
  if (reset) std::erase_if(plan.actions, [](const Action& a) { return a.kind == Action::Kind::cold_migrate; });
  {
    std::vector<NodeView> views = m.node_views(probes);
    MutexLock state(m.state);
    m.last_nodes = std::move(views);
  }
  std::map<std::uint32_t, std::vector<std::string>> moved;  // by chain: its cold migrations, until stored
  std::map<std::uint32_t, StoredChain> by_id;
  for (const StoredChain& c : chains) by_id[c.id] = c;
  for (const FunctionRef& f : plan.unplaced) {  // a lost VF no node can take now (a VF about to overload waits)
    const bool lost = std::any_of(snapshot.functions.begin(), snapshot.functions.end(), [&](const FunctionReport& r) {
      return r.ref == f && r.status == FunctionStatus::lost;
    });
    const auto c = by_id.find(f.chain.value);
    if (!lost || c == by_id.end()) continue;
    report.errors.push_back(fmt::format("{} ({}): lost, and no node can take it now; tried again next round",
                                        m.manifest(c->second).functions.at(f.index).name,
                                        function_id(f.chain.value, f.index)));
    m.set_note(c->first, report.errors.back());
  }
  for (const Action& a : plan.actions) {
    if (a.kind == Action::Kind::live_migrate)
      m.start_live_migration(a, by_id.at(a.function.chain.value), snapshot, report);
    if (a.kind != Action::Kind::cold_migrate) continue;
    StoredChain& c = by_id.at(a.function.chain.value);
    const std::uint32_t index = a.function.index;
    const std::size_t node = a.to.value;
    const std::string id = function_id(c.id, index);
    std::string error;
    m.agents[node]->stop_function(id);  // a leftover of an earlier attempt, if any
    const auto endpoints = m.agents[node]->start_function(id, function_spec(m.manifest(c), index), &error);
    if (!endpoints) {
      report.errors.push_back(fmt::format("{}: start on {}: {}", id, m.options.agents[node].name, error));
      m.set_note(c.id, report.errors.back());
      continue;
    }
    std::string from;
    for (VfPlacement& p : c.placements) {
      if (p.index != index) continue;
      from = p.node;
      p = VfPlacement{index, m.options.agents[node].name, endpoints->data, endpoints->ack};
    }
    moved[c.id].push_back(fmt::format("{} ({}) from {} to {}, epoch {}", m.manifest(c).functions.at(index).name, id,
                                      from, m.options.agents[node].name, c.epoch + 1));
  }
  for (const auto& [id, migrations] : moved) {
    StoredChain& c = by_id.at(id);
    c.epoch += 1;
    try {
      m.store->commit_wiring(id, c.epoch, c.placements);
    } catch (const std::runtime_error& e) {
      // Removed meanwhile (vfo delete), or the store cannot be written (a full disk): the VFs just started are
      // placed nowhere, so the next round stops them as stale and tries again.
      report.errors.push_back(
          fmt::format("chain {} ({}): its new placements were not stored: {}", id, c.name, e.what()));
      continue;
    }
    report.migrated += static_cast<int>(migrations.size());
    report.cold_migrations.insert(report.cold_migrations.end(), migrations.begin(), migrations.end());
    m.inherited.erase(id);  // rewired whole at an epoch of this orchestrator's
    const std::vector<std::string> errors = m.wire(c, c.epoch);
    m.set_note(id, errors.empty() ? "" : errors.front());
    report.errors.insert(report.errors.end(), errors.begin(), errors.end());
  }
  return report;
}

std::optional<std::string> Orchestrator::store_problem() {
  Impl& m = *impl_;  // no lock: the store and the manifests' cache guard themselves
  std::vector<StoredChain> chains;
  return m.read_store(chains, {});
}

std::vector<ChainStatus> Orchestrator::status() {
  Impl& m = *impl_;
  const auto probes = m.probe_all();
  m.keep_exited(probes);  // no lock held: a round that waits on an agent does not delay a status
  std::vector<ChainStatus> out;
  for (const StoredChain& c : m.store->chains()) {
    ChainStatus s{c.id, c.name, c.epoch, {}, c.note};
    const ChainManifest& manifest = m.manifest(c);
    for (const VfPlacement& p : c.placements) {
      const auto node = m.node_index(p.node);
      const auto& probe = node ? probes[*node] : std::nullopt;
      const bool running = lists(probe, function_id(c.id, p.index));
      s.functions.push_back({manifest.functions.at(p.index).name, p.node, running});
      if (!running && s.reason.empty()) {  // broken without a failed attempt yet: say what is missing
        s.reason = fmt::format("{} on {} is not running ({}); the next round recovers it", s.functions.back().name,
                               p.node, probe ? "its node answers but does not run it" : "its node does not answer");
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<LiveMigrationRecord> Orchestrator::live_migrations(bool wait) {
  return impl_->live.records(wait);
}

std::vector<Orchestrator::NodeView> Orchestrator::probe_nodes() {
  Impl& m = *impl_;
  std::vector<std::string> errors;
  const auto probes = m.probe_all(&errors);
  m.keep_exited(probes);
  return m.node_views(probes, errors);
}

std::vector<Orchestrator::NodeView> Orchestrator::last_nodes() const {
  MutexLock lock(impl_->state);
  return impl_->last_nodes;
}

std::optional<std::string> Orchestrator::function_stats(std::uint32_t chain, std::uint32_t index) {
  Impl& m = *impl_;
  std::optional<std::size_t> node;
  {
    const auto c = m.store->chain(chain);  // the store guards itself; the agent is asked with no lock held
    if (!c) return std::nullopt;
    for (const VfPlacement& p : c->placements) {
      if (p.index == index) node = m.node_index(p.node);
    }
  }
  if (!node) return std::nullopt;
  return m.agents[*node]->function_stats(function_id(chain, index));
}

std::chrono::milliseconds probe_deadline_for(double probe_period_s) {
  const double s = std::isfinite(probe_period_s) ? std::clamp(probe_period_s, 0.1, 2.0) : 2.0;
  return std::chrono::milliseconds(static_cast<int>(s * 1000));
}

std::optional<int> model_rounds(double model_interval_s, double probe_period_s) {
  if (!(model_interval_s > 0) || !(probe_period_s > 0)) return std::nullopt;
  const double ratio = model_interval_s / probe_period_s;
  const double whole = std::round(ratio);
  if (whole < 1 || whole > 1e6 || std::abs(ratio - whole) > 0.01 * whole) return std::nullopt;
  return static_cast<int>(whole);
}

}  // namespace vfo::runtime
