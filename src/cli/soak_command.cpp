// `vfo chaos soak [--duration S] [--seed N] [--nodes N] [--period S] [--out DIR] [--quiet]`: faults against a
// local edge cluster for S seconds, then the sink's account of every frame.
//
// N vfo-agent processes on loopback (emulated nodes of half a core and 1000 MB, so that a stress process can
// overload one), the orchestrator in this process probing every --period s with live migration on the trend
// forecaster, and a 4-VF chain at 20 fps. Between calm spells of 2 to 5 s, one fault at a time, each once the
// chain is whole and delivering; the four kinds come once per cycle in an order drawn from the seed:
//   kill     a node's agent is SIGKILLed with its VFs; once the chain healed, the node starts anew (empty) and a
//            new orchestrator on the same store takes over (so every fault finds N nodes);
//   hang     a node's agent is SIGSTOPped (its VFs run on: a hung node, not a dead one) for 3 to 6 s, then
//            SIGCONT; the orchestrator takes it for dead and moves its VFs, and once it answers again the stale
//            instances must be stopped: no VF may run on two nodes;
//   stress   a node that hosts a compute VF is loaded to 100 % of its CPU over 10 s, for 30 s: the forecaster
//            should see it coming and move the VF live;
//   restart  a stress as above, and the orchestrator is restarted while the live migration it starts is in
//            flight (the old one finishes it as it shuts down; the new one takes over the store).
// The sink's node is spared: the sink's record of every seq it received is the soak's measure (a killed sink's
// record dies with it; the runtime tests cover that case on their own). After the last fault the chain must
// deliver what the source produced meanwhile. From the sink's seqs: frames lost (a seq between the first and
// the last delivered that never arrived) and duplicated (a seq delivered twice) must be 0, as must VFs found
// running on two nodes. Writes DIR/summary.json and DIR/faults.csv and prints the account; exit code 1 when
// a count that must be 0 is not, or the chain does not heal in time.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/cli.hpp"
#include "cli/local_cluster.hpp"
#include "cli/progress_bar.hpp"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/random.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kSoakChain = R"(name: soak
fps: 20
functions:
  - {name: camera, kind: source, payload_bytes: 2000}
  - {name: detect, kind: compute, instructions: 20000, state_mb: 8, dirty_mb_per_s: 0.3}
  - {name: track, kind: compute, instructions: 10000, state_mb: 2, dirty_mb_per_s: 0.1}
  - {name: display, kind: sink}
)";
constexpr std::uint32_t kSourceVf = 0;
constexpr std::uint32_t kSinkVf = 3;
constexpr double kHealTimeoutS = 60;

struct SoakOptions {
  double duration_s = 60;
  std::uint64_t seed = 1;
  int nodes = 6;
  double period_s = 0.5;
  std::string out = "results/soak";
  bool quiet = false;
};

struct FaultRecord {
  double at_s = 0;  // since the soak started
  std::string kind;
  std::string node;
  double heal_s = 0;  // until the chain was whole and delivering again
  int cold = 0;       // cold migrations meanwhile
  int live = 0;       // live migrations started meanwhile
  std::string twice;  // VFs found running on two nodes after it, with the nodes
};

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

class Soak {
 public:
  Soak(const SoakOptions& o, const fs::path& dir)
      : o_(o), cluster_(dir / "cluster", o.nodes, {"--node-cpus", "0.5", "--node-ram-mb", "1000"}) {
    orchestrator_ = make_orchestrator();
    chain_ = orchestrator_->deploy(parse_chain_manifest(kSoakChain, "soak"), kSoakChain);
    wait_whole("the chain's first start");
  }

  // Faults until `duration_s` has passed, then the last heal and the sink's catch-up.
  void run(ProgressBar& bar) {
    Rng rng(o_.seed, "soak");
    const auto start = Clock::now();
    const auto end = start + seconds(o_.duration_s);
    while (Clock::now() < end) {
      run_for(rng.uniform(2, 5));
      if (Clock::now() >= end) break;
      if (next_kind_ % kinds_.size() == 0) {  // each kind once per cycle, in a seeded order
        for (std::size_t i = kinds_.size() - 1; i > 0; --i) std::swap(kinds_[i], kinds_[rng.next_u64() % (i + 1)]);
      }
      const std::string kind = kinds_[next_kind_++ % kinds_.size()];
      FaultRecord f;
      f.at_s = std::chrono::duration<double>(Clock::now() - start).count();
      f.kind = kind;
      totals_ = {};
      const auto injected = Clock::now();
      if (kind == "kill") f.node = kill(rng);
      if (kind == "hang") f.node = hang(rng);
      if (kind == "stress" || kind == "restart") f.node = stress(rng, kind == "restart");
      f.heal_s = std::chrono::duration<double>(Clock::now() - injected).count();
      f.cold = totals_.migrated;
      f.live = totals_.live_started;
      f.twice = std::exchange(twice_, "");
      faults_.push_back(f);
      bar.update(std::min(1.0, std::chrono::duration<double>(Clock::now() - start) / seconds(o_.duration_s)));
    }
    wait_whole("the end of the soak");
    catch_up();
  }

  Json summary() const {
    std::map<std::string, int> counts;
    int cold = 0, live = 0;
    for (const FaultRecord& f : faults_) {
      ++counts[f.kind];
      cold += f.cold;
      live += f.live;
    }
    return {{"duration_s", o_.duration_s},
            {"seed", o_.seed},
            {"nodes", o_.nodes},
            {"kills", counts["kill"]},
            {"hangs", counts["hang"]},
            {"stress_episodes", counts["stress"]},
            {"orchestrator_restarts", counts["restart"]},
            {"cold_migrations", cold},
            {"live_migrations", live},
            {"frames_delivered", sink_.value("frames", 0ull)},
            {"first_seq", sink_.value("first_seq", 0ull)},
            {"last_seq", sink_.value("last_seq", 0ull)},
            {"frames_lost", sink_.value("seq_missing", 0ull)},
            {"frames_duplicated", sink_.value("seq_repeats", 0ull)},
            {"bad_payloads", sink_.value("bad_payloads", 0ull)},
            {"vfs_run_twice", vfs_run_twice_}};
  }

  std::string faults_csv() const {
    std::string csv = "at_s,kind,node,heal_s,cold_migrations,live_migrations,run_twice\n";
    for (const FaultRecord& f : faults_) {
      csv += fmt::format("{:.3f},{},{},{:.3f},{},{},{}\n", f.at_s, f.kind, f.node, f.heal_s, f.cold, f.live, f.twice);
    }
    return csv;
  }

 private:
  std::unique_ptr<runtime::Orchestrator> make_orchestrator() const {
    runtime::OrchestratorOptions o = cluster_.orchestrator_options();
    o.probe_deadline = std::chrono::milliseconds(static_cast<int>(std::min(1.0, o_.period_s / 2) * 1000));
    o.control.probing_period_s = o_.period_s;
    o.control.live_migration = true;
    o.control.k = 0.5;
    o.control.horizon_s = 4;
    o.live.cpu_threshold_pct = 90;
    o.live.order.verify = true;
    return std::make_unique<runtime::Orchestrator>(o);
  }

  // The node of VF `index` of the chain.
  std::string node_of(std::uint32_t index) { return orchestrator_->status().at(0).functions.at(index).node; }

  // The node of one of the VFs `hosting`, drawn from `rng`, that does not host the sink; "" when there is none.
  std::string pick_node(Rng& rng, const std::vector<std::uint32_t>& hosting) {
    const std::string sink = node_of(kSinkVf);
    std::vector<std::string> candidates;
    for (const std::uint32_t vf : hosting) candidates.push_back(node_of(vf));
    std::erase(candidates, sink);
    if (candidates.empty()) return "";
    return candidates[rng.next_u64() % candidates.size()];
  }

  std::string kill(Rng& rng) {
    const std::string node = pick_node(rng, {kSourceVf, 1, 2});
    if (node.empty()) return node;
    const std::size_t i = LocalCluster::index_of(node);
    cluster_.agent(i).kill(SIGKILL);
    wait_whole("kill of " + node);
    orchestrator_.reset();  // the node comes back empty on a new port: a new orchestrator learns its address
    cluster_.restart(i);
    orchestrator_ = make_orchestrator();
    wait_whole("restart of " + node);
    return node;
  }

  std::string hang(Rng& rng) {
    const std::string node = pick_node(rng, {kSourceVf, 1, 2});
    if (node.empty()) return node;
    runtime::ChildProcess& agent = cluster_.agent(LocalCluster::index_of(node));
    agent.kill(SIGSTOP);
    run_for(rng.uniform(3, 6));
    agent.kill(SIGCONT);
    wait_whole("hang of " + node);
    run_for(4 * o_.period_s);  // rounds that find the resumed node's stale instances and stop them
    count_vfs_run_twice();
    return node;
  }

  // Loads the node of a compute VF; with `restart`, restarts the orchestrator while the live migration it
  // starts is in flight.
  std::string stress(Rng& rng, bool restart) {
    const std::string node = pick_node(rng, {1, 2});
    if (node.empty()) return node;
    const auto& options = cluster_.orchestrator_options();
    const auto address = std::find_if(options.agents.begin(), options.agents.end(),
                                      [&](const runtime::AgentAddress& a) { return a.name == node; });
    runtime::AgentClient agent(address->address, options.identity, std::chrono::seconds(5), node);
    std::string error;
    if (!agent.stress(100, 0, 10, 30, &error)) throw CommandFailed("chaos soak: stress on " + node + ": " + error);
    const auto deadline = Clock::now() + seconds(25);
    while (Clock::now() < deadline && totals_.live_started == 0) step();
    if (restart && totals_.live_started > 0) {
      orchestrator_.reset();
      orchestrator_ = make_orchestrator();
    }
    wait_whole((restart ? "orchestrator restart during a live migration from " : "stress of ") + node);
    return node;
  }

  // The VFs that answering agents run on more than one node, by id, with those nodes.
  std::map<std::string, std::set<std::string>> vfs_on_two_nodes() {
    const auto& options = cluster_.orchestrator_options();
    std::map<std::string, std::set<std::string>> hosts;
    for (const runtime::AgentAddress& a : options.agents) {
      runtime::AgentClient agent(a.address, options.identity, std::chrono::seconds(2), a.name);
      if (const auto probe = agent.probe()) {
        for (const std::string& id : probe->functions) hosts[id].insert(a.name);
      }
    }
    std::erase_if(hosts, [](const auto& entry) { return entry.second.size() < 2; });
    return hosts;
  }

  // Counts the VFs that run on two nodes and go on doing so: a live migration's target runs beside its source
  // until the switch (a few seconds), a stale instance that is never stopped stays. Three looks 2 s apart.
  void count_vfs_run_twice() {
    auto twice = vfs_on_two_nodes();
    for (int look = 1; look < 3 && !twice.empty(); ++look) {
      run_for(2);
      const auto again = vfs_on_two_nodes();
      std::erase_if(twice, [&](const auto& entry) {
        const auto it = again.find(entry.first);
        return it == again.end() || it->second != entry.second;
      });
    }
    vfs_run_twice_ += static_cast<int>(twice.size());
    for (const auto& [id, nodes] : twice) {
      twice_ += (twice_.empty() ? "" : " ") + id + " on " + fmt::format("{}", fmt::join(nodes, "+"));
    }
  }

  void run_for(double s) {
    const auto until = Clock::now() + seconds(s);
    while (Clock::now() < until) step();
  }

  void step() {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto now = Clock::now();
    if (now < next_round_) return;
    next_round_ = now + seconds(o_.period_s);
    const runtime::RoundReport report = orchestrator_->round();
    totals_.migrated += report.migrated;
    totals_.live_started += report.live_started;
    if (report.migrated > 0 || report.live_started > 0) last_action_ = Clock::now();
  }

  Json read_sink() {
    const auto stats = orchestrator_->function_stats(chain_, kSinkVf);
    return stats ? Json::parse(*stats, nullptr, false) : Json();
  }

  // Until every VF runs and the sink's frames go on past the last recovery action; throws CommandFailed after
  // kHealTimeoutS.
  void wait_whole(const std::string& what) {
    const auto deadline = Clock::now() + seconds(kHealTimeoutS);
    std::uint64_t frames_then = 0;
    auto seen_at = Clock::time_point{};
    for (;;) {
      run_for(0.2);
      if (Clock::now() > deadline) {
        throw CommandFailed(
            fmt::format("chaos soak: after the {}, the chain was not whole and delivering within "
                        "{:.0f} s (the agents' logs: {})",
                        what, kHealTimeoutS, (fs::path(o_.out) / "cluster" / "logs").string()));
      }
      const auto status = orchestrator_->status();
      if (status.empty() || !std::all_of(status[0].functions.begin(), status[0].functions.end(),
                                         [](const runtime::VfStatus& f) { return f.running; })) {
        continue;
      }
      const Json sink = read_sink();
      const std::uint64_t frames = sink.is_object() ? sink.value("frames", 0ull) : 0;
      if (frames == 0) continue;
      if (seen_at == Clock::time_point{} || seen_at < last_action_) {
        frames_then = frames;
        seen_at = Clock::now();
        continue;
      }
      if (frames > frames_then) return;  // delivering since a moment after the last action
    }
  }

  // Waits until the sink received every seq the source had produced when the faults ended (or 30 s), and keeps
  // the sink's stats.
  void catch_up() {
    const auto source = orchestrator_->function_stats(chain_, kSourceVf);
    const std::uint64_t produced = source ? Json::parse(*source, nullptr, false).value("produced", 0ull) : 0;
    const auto deadline = Clock::now() + seconds(30);
    do {
      run_for(0.25);
      sink_ = read_sink();
    } while (Clock::now() < deadline && sink_.is_object() && sink_.value("last_seq", 0ull) < produced);
    if (!sink_.is_object()) throw CommandFailed("chaos soak: the sink did not answer at the end");
  }

  const SoakOptions& o_;
  LocalCluster cluster_;
  std::unique_ptr<runtime::Orchestrator> orchestrator_;
  std::uint32_t chain_ = 0;
  Clock::time_point next_round_{};
  Clock::time_point last_action_{};
  runtime::RoundReport totals_;
  std::vector<FaultRecord> faults_;
  std::vector<std::string> kinds_ = {"kill", "hang", "stress", "restart"};
  std::size_t next_kind_ = 0;
  int vfs_run_twice_ = 0;
  std::string twice_;  // the last fault's VFs found on two nodes
  Json sink_;
};

void run_soak(const SoakOptions& o) {
  const fs::path out(o.out);
  fs::create_directories(out);
  ProgressBar bar("chaos soak", !o.quiet);
  Soak soak(o, out);
  soak.run(bar);
  bar.done();
  const Json s = soak.summary();
  write_file_atomically(out / "summary.json", s.dump(2) + "\n");
  write_file_atomically(out / "faults.csv", soak.faults_csv());
  fmt::print(
      "chaos soak: {:.0f} s, seed {}, {} nodes: survived {} kills, {} hangs, {} stress episodes, {} orchestrator "
      "restarts during a live migration; {} cold and {} live migrations\n"
      "sink: {} frames (seqs {} to {}), lost {}, duplicated {}, bad payloads {}; VFs found on two nodes: {}\n"
      "results: {}\n         {}\n",
      o.duration_s, o.seed, o.nodes, s["kills"].get<int>(), s["hangs"].get<int>(), s["stress_episodes"].get<int>(),
      s["orchestrator_restarts"].get<int>(), s["cold_migrations"].get<int>(), s["live_migrations"].get<int>(),
      s["frames_delivered"].get<std::uint64_t>(), s["first_seq"].get<std::uint64_t>(),
      s["last_seq"].get<std::uint64_t>(), s["frames_lost"].get<std::uint64_t>(),
      s["frames_duplicated"].get<std::uint64_t>(), s["bad_payloads"].get<std::uint64_t>(),
      s["vfs_run_twice"].get<int>(), (out / "summary.json").string(), (out / "faults.csv").string());
  if (s["frames_lost"].get<std::uint64_t>() > 0 || s["frames_duplicated"].get<std::uint64_t>() > 0 ||
      s["bad_payloads"].get<std::uint64_t>() > 0 || s["vfs_run_twice"].get<int>() > 0) {
    throw CommandFailed("chaos soak: frames lost or duplicated, or a VF ran twice (see " +
                        (out / "summary.json").string() + ")");
  }
}

}  // namespace

void add_soak_command(CLI::App& chaos) {
  auto o = std::make_shared<SoakOptions>();
  CLI::App* soak = chaos.add_subcommand(
      "soak",
      "Faults against a local cluster (kills, hangs, stress, orchestrator restarts), then every frame's account");
  soak->add_option("--duration", o->duration_s, "seconds of faults")
      ->check(CLI::Range(10.0, 86400.0))
      ->capture_default_str();
  soak->add_option("--seed", o->seed, "seed of the faults' draws")->check(non_negative_number())->capture_default_str();
  soak->add_option("--nodes", o->nodes, "agents")->check(CLI::Range(5, 32))->capture_default_str();
  soak->add_option("--period", o->period_s, "probing period, seconds")
      ->check(CLI::Range(0.1, 5.0))
      ->capture_default_str();
  soak->add_option("--out", o->out, "output directory")->capture_default_str();
  soak->add_flag("--quiet", o->quiet, "no progress");
  soak->callback([o] { run_soak(*o); });
}

}  // namespace vfo::cli
