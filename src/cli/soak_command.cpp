// `vfo chaos soak [--duration S] [--seed N] [--nodes N] [--period S] [--out DIR] [--quiet]`: faults against a
// local edge cluster for S seconds, then the sink's account of every frame.
//
// N vfo-agent processes on loopback (emulated nodes of half a core and 1000 MB, so that a stress process can
// overload one), the orchestrator daemon (`vfo orchestrator`, the one `vfo up` runs) probing every --period s
// with live migration on the trend forecaster, and a 4-VF chain at 20 fps. Between calm spells of 2 to 5 s, one
// fault at a time, each once the chain is whole and delivering; the six kinds come once per cycle in an order
// drawn from the seed (disk-full only as root), and the first cycle always runs whole, past S if need be:
//   kill        a node's agent is SIGKILLed with its VFs; once the chain healed, the node starts anew (empty) on
//               its address (so every fault finds N nodes);
//   hang        a node's agent is SIGSTOPped (its VFs run on: a hung node, not a dead one) for 3 to 6 s, then
//               SIGCONT; the orchestrator takes it for dead and moves its VFs, and once it answers again the
//               stale instances must be stopped: no VF may run on two nodes;
//   stress      a node that hosts a compute VF is loaded to 100 % of its CPU over 10 s, for 30 s: the forecaster
//               should see it coming and move the VF live;
//   crash-live  a stress as above, and the orchestrator daemon is SIGKILLed 0 to 1 s after it started the live
//               migration (in the copy, at the switch or after it), then started again on the same store;
//   crash-cold  a node is killed as above, and the daemon is SIGKILLed 0 to 3 probing periods later (before,
//               during or after the cold migration), then started again;
//   disk-full   (as root) the disk under the cluster's folder (store, events, logs) fills up, a node is killed
//               as above, and the disk stays full for 3 to 8 s: the daemon must live through it and heal the
//               chain once there is space again. The folder is then a tmpfs of 256 MiB in a mount namespace of
//               the soak's own (cli/small_disk.hpp), copied to DIR/cluster at the end.
// The sink's node is spared: the sink's record of every seq it received is the soak's measure (a killed sink's
// record dies with it; the runtime tests cover that case on their own). After the last fault the chain must
// deliver what the source produced meanwhile. From the sink's seqs: frames lost (a seq between the first and
// the last delivered that never arrived) and duplicated (a seq delivered twice) must be 0, as must VFs found
// running on two nodes, and the sink must never have been started anew (its node taken for failed: its record
// would then cover only part of the run). The soak learns what the daemon did from its events
// (DIR/cluster/events.jsonl) and sees the cluster as `vfo status` does. Writes DIR/summary.json and DIR/faults.csv and
// prints the account; exit code 1 when a count that must be 0 is not, the chain does not heal in time, or the daemon
// ends on its own.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/cli.hpp"
#include "cli/cluster_events.hpp"
#include "cli/local_cluster.hpp"
#include "cli/progress_bar.hpp"
#include "cli/sink_arrivals.hpp"
#include "cli/small_disk.hpp"
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
  // The cluster in `dir`, on `disk` when there is one (it holds `dir`).
  Soak(const SoakOptions& o, const fs::path& dir, SmallDisk* disk)
      : o_(o), disk_(disk), cluster_(dir, o.nodes, {"--node-cpus", "0.5", "--node-ram-mb", "1000"}), events_(dir) {
    if (disk_ != nullptr) kinds_.push_back("disk-full");
    start_orchestrator();
    runtime::OrchestratorOptions view = cluster_.orchestrator_options();
    view.probe_deadline = runtime::probe_deadline_for(o_.period_s);
    view_ = std::make_unique<runtime::Orchestrator>(view);  // reads only: the daemon acts
    chain_ = view_->add_chain(parse_chain_manifest(kSoakChain, "soak"), kSoakChain);
    wait_whole("the chain's first start");
  }

  // Faults until `duration_s` has passed, then the last heal and the sink's catch-up.
  void run(ProgressBar& bar) {
    Rng rng(o_.seed, "soak");
    const auto start = Clock::now();
    const auto end = start + seconds(o_.duration_s);
    // Past `end` only to finish the first cycle: every kind runs at least once, however slow the heals.
    const auto more = [&] { return Clock::now() < end || next_kind_ < kinds_.size(); };
    while (more()) {
      run_for(rng.uniform(2, 5));
      if (!more()) break;
      if (next_kind_ % kinds_.size() == 0) {  // each kind once per cycle, in a seeded order
        for (std::size_t i = kinds_.size() - 1; i > 0; --i) std::swap(kinds_[i], kinds_[rng.next_u64() % (i + 1)]);
      }
      const std::string kind = kinds_[next_kind_++ % kinds_.size()];
      FaultRecord f;
      f.at_s = std::chrono::duration<double>(Clock::now() - start).count();
      f.kind = kind;
      totals_ = {};
      const auto injected = Clock::now();
      if (kind == "kill" || kind == "crash-cold") f.node = kill(rng, kind == "crash-cold");
      if (kind == "disk-full") f.node = fill_disk(rng);
      if (kind == "hang") f.node = hang(rng);
      if (kind == "stress" || kind == "crash-live") f.node = stress(rng, kind == "crash-live");
      f.heal_s = std::chrono::duration<double>(Clock::now() - injected).count();
      f.cold = totals_.cold;
      f.live = totals_.live;
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
            {"orchestrator_kills_in_live_migrations", counts["crash-live"]},
            {"orchestrator_kills_in_cold_migrations", counts["crash-cold"]},
            {"disk_full_episodes", counts["disk-full"]},
            {"cold_migrations", cold},
            {"live_migrations", live},
            {"frames_delivered", sink_.value("frames", 0ull)},
            {"first_seq", sink_.value("first_seq", 0ull)},
            {"last_seq", sink_.value("last_seq", 0ull)},
            {"frames_lost", sink_.value("seq_missing", 0ull)},
            {"frames_duplicated", sink_.value("seq_repeats", 0ull)},
            {"bad_payloads", sink_.value("bad_payloads", 0ull)},
            {"vfs_run_twice", vfs_run_twice_},
            {"sink_restarts", sink_restarts_}};
  }

  std::string faults_csv() const {
    std::string csv = "at_s,kind,node,heal_s,cold_migrations,live_migrations,run_twice\n";
    for (const FaultRecord& f : faults_) {
      csv += fmt::format("{:.3f},{},{},{:.3f},{},{},{}\n", f.at_s, f.kind, f.node, f.heal_s, f.cold, f.live, f.twice);
    }
    return csv;
  }

 private:
  // The daemon, with the soak's settings in cluster.json.
  void start_orchestrator() {
    cluster_.start_orchestrator(
        {{"period_s", o_.period_s}, {"live", {{"k", 0.5}, {"horizon_s", 4}, {"verify", true}}}});
  }

  // SIGKILLs the daemon and starts a new one on the same store.
  void crash_orchestrator() {
    cluster_.kill_orchestrator();
    start_orchestrator();
  }

  // The node of VF `index` of the chain.
  std::string node_of(std::uint32_t index) { return view_->status().at(0).functions.at(index).node; }

  // The node of one of the VFs `hosting`, drawn from `rng`, that does not host the sink; "" when there is none.
  std::string pick_node(Rng& rng, const std::vector<std::uint32_t>& hosting) {
    const std::string sink = node_of(kSinkVf);
    std::vector<std::string> candidates;
    for (const std::uint32_t vf : hosting) candidates.push_back(node_of(vf));
    std::erase(candidates, sink);
    if (candidates.empty()) return "";
    return candidates[rng.next_u64() % candidates.size()];
  }

  // Kills a node; with `crash`, also the daemon, 0 to 3 probing periods later.
  std::string kill(Rng& rng, bool crash) {
    const std::string node = pick_node(rng, {kSourceVf, 1, 2});
    if (node.empty()) return node;
    const std::size_t i = LocalCluster::index_of(node);
    cluster_.agent(i).kill(SIGKILL);
    if (crash) {
      run_for(rng.uniform(0, 3 * o_.period_s));
      crash_orchestrator();
    }
    wait_whole((crash ? "orchestrator kill during the cold migration off " : "kill of ") + node);
    cluster_.restart(i);
    wait_whole("restart of " + node);
    if (crash) count_vfs_run_twice();
    return node;
  }

  // Fills the disk, kills a node while it is full, frees it 3 to 8 s later.
  std::string fill_disk(Rng& rng) {
    const std::string node = pick_node(rng, {kSourceVf, 1, 2});
    if (node.empty()) return node;
    const std::size_t i = LocalCluster::index_of(node);
    disk_->fill();
    cluster_.agent(i).kill(SIGKILL);
    try {
      run_for(rng.uniform(3, 8));
    } catch (...) {
      disk_->free_space();
      throw;
    }
    disk_->free_space();
    wait_whole("kill of " + node + " on a full disk");
    cluster_.restart(i);
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

  // Loads the node of a compute VF; with `crash`, kills the daemon 0 to 1 s after it started a live migration.
  std::string stress(Rng& rng, bool crash) {
    const std::string node = pick_node(rng, {1, 2});
    if (node.empty()) return node;
    const auto& options = cluster_.orchestrator_options();
    const auto address = std::find_if(options.agents.begin(), options.agents.end(),
                                      [&](const runtime::AgentAddress& a) { return a.name == node; });
    runtime::AgentClient agent(address->address, options.identity, std::chrono::seconds(5), node);
    std::string error;
    if (!agent.stress(100, 0, 10, 30, &error)) throw CommandFailed("chaos soak: stress on " + node + ": " + error);
    const auto deadline = Clock::now() + seconds(25);
    while (Clock::now() < deadline && totals_.live == 0) run_for(0.05);
    if (crash && totals_.live > 0) {
      run_for(rng.uniform(0, 1));
      crash_orchestrator();
    }
    wait_whole((crash ? "orchestrator kill during a live migration from " : "stress of ") + node);
    if (crash) count_vfs_run_twice();
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

  // Watches the daemon for `s` seconds: the migrations its events tell, and that it still runs.
  void run_for(double s) {
    const auto until = Clock::now() + seconds(s);
    do {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      for (const Json& e : events_.next()) {
        const std::string kind = e["kind"].get<std::string>();
        if (kind == "cold-migration") ++totals_.cold;
        if (kind == "live-migration-started") ++totals_.live;
        if (kind == "cold-migration" || kind == "live-migration-started") last_action_ = Clock::now();
      }
      if (!cluster_.orchestrator_running()) {
        throw CommandFailed("chaos soak: the orchestrator daemon ended on its own (its log: " +
                            (fs::path(o_.out) / "cluster" / "logs" / cluster_.orchestrator_log().filename()).string() +
                            ")");
      }
    } while (Clock::now() < until);
  }

  // The sink's stats now (null when it does not answer); counts each time it was started anew since the read
  // before (its record then starts again: first_seq moves on, frames fall).
  Json read_sink() {
    const auto stats = view_->function_stats(chain_, kSinkVf);
    Json sink = stats ? Json::parse(*stats, nullptr, false) : Json();
    if (!sink.is_object()) return sink;
    if (sink_started_anew(last_sink_, sink)) ++sink_restarts_;
    last_sink_ = sink;
    return sink;
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
                        "{:.0f} s (the logs: {})",
                        what, kHealTimeoutS, (fs::path(o_.out) / "cluster" / "logs").string()));
      }
      const auto status = view_->status();
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
    const auto source = view_->function_stats(chain_, kSourceVf);
    const std::uint64_t produced = source ? Json::parse(*source, nullptr, false).value("produced", 0ull) : 0;
    const auto deadline = Clock::now() + seconds(30);
    do {
      run_for(0.25);
      sink_ = read_sink();
    } while (Clock::now() < deadline && sink_.is_object() && sink_.value("last_seq", 0ull) < produced);
    if (!sink_.is_object()) throw CommandFailed("chaos soak: the sink did not answer at the end");
  }

  struct Migrations {
    int cold = 0;  // cold migrations (VFs)
    int live = 0;  // live migrations started
  };

  const SoakOptions& o_;
  SmallDisk* disk_;  // null: no disk-full faults
  LocalCluster cluster_;
  EventTail events_;
  std::unique_ptr<runtime::Orchestrator> view_;
  std::uint32_t chain_ = 0;
  Clock::time_point last_action_{};
  Migrations totals_;
  std::vector<FaultRecord> faults_;
  std::vector<std::string> kinds_ = {"kill", "hang", "stress", "crash-live", "crash-cold"};
  std::size_t next_kind_ = 0;
  int vfs_run_twice_ = 0;
  std::string twice_;  // the last fault's VFs found on two nodes
  Json sink_;
  Json last_sink_;         // the sink's stats at the read before
  int sink_restarts_ = 0;  // times the sink was seen started anew
};

// Copies what the cluster's folder on the small disk holds for people (logs, events, migrations) to `to`.
void keep_records(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  for (const fs::directory_entry& e : fs::directory_iterator(from)) {
    if (e.path().filename() == "certs") continue;
    fs::copy(e.path(), to / e.path().filename(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
}

void run_soak(const SoakOptions& o) {
  const fs::path out(o.out);
  fs::create_directories(out);
  // First, while this process has one thread: the disk that disk-full faults fill.
  std::optional<SmallDisk> disk;
  if (const auto why = SmallDisk::unavailable_reason()) {
    if (!o.quiet) fmt::print("chaos soak: no disk-full faults ({})\n", *why);
  } else {
    disk.emplace(out / "disk", 256ull << 20);
  }
  const fs::path dir = disk ? disk->path() / "cluster" : out / "cluster";
  ProgressBar bar("chaos soak", !o.quiet);
  Json s;
  std::string faults;
  try {
    Soak soak(o, dir, disk ? &*disk : nullptr);
    soak.run(bar);
    bar.done();
    s = soak.summary();
    faults = soak.faults_csv();
  } catch (...) {
    if (disk) keep_records(dir, out / "cluster");  // the soak's processes have ended: the records are whole
    throw;
  }
  if (disk) keep_records(dir, out / "cluster");
  write_file_atomically(out / "summary.json", s.dump(2) + "\n");
  write_file_atomically(out / "faults.csv", faults);
  fmt::print(
      "chaos soak: {:.0f} s, seed {}, {} nodes: survived {} kills, {} hangs, {} stress episodes, {} kills of the "
      "orchestrator during a live migration and {} during a cold one, {} full disks; {} cold and {} live "
      "migrations\n"
      "sink: {} frames (seqs {} to {}), lost {}, duplicated {}, bad payloads {}; VFs found on two nodes: {}\n"
      "results: {}\n         {}\n",
      o.duration_s, o.seed, o.nodes, s["kills"].get<int>(), s["hangs"].get<int>(), s["stress_episodes"].get<int>(),
      s["orchestrator_kills_in_live_migrations"].get<int>(), s["orchestrator_kills_in_cold_migrations"].get<int>(),
      s["disk_full_episodes"].get<int>(), s["cold_migrations"].get<int>(), s["live_migrations"].get<int>(),
      s["frames_delivered"].get<std::uint64_t>(), s["first_seq"].get<std::uint64_t>(),
      s["last_seq"].get<std::uint64_t>(), s["frames_lost"].get<std::uint64_t>(),
      s["frames_duplicated"].get<std::uint64_t>(), s["bad_payloads"].get<std::uint64_t>(),
      s["vfs_run_twice"].get<int>(), (out / "summary.json").string(), (out / "faults.csv").string());
  if (s["sink_restarts"].get<int>() > 0) {
    throw CommandFailed(fmt::format(
        "chaos soak: the sink was started anew {} time(s) (its node taken for failed, see the events): its record, "
        "the soak's measure, covers only seqs {} to {}",
        s["sink_restarts"].get<int>(), s["first_seq"].get<std::uint64_t>(), s["last_seq"].get<std::uint64_t>()));
  }
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
      "soak", "Faults against a local cluster (kills, hangs, stress, orchestrator kills), then every frame's account");
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
