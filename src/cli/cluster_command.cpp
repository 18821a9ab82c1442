// A local edge cluster on this machine: `vfo up`, `vfo deploy`, `vfo scale`, `vfo delete`, `vfo status`,
// `vfo events`, `vfo chaos kill|restart|stress`, `vfo down`, and the orchestrator daemon `vfo orchestrator` that
// `vfo up` starts. The cluster lives in a folder (--cluster, default results/cluster): the certificates,
// cluster.json (who runs where: agents' addresses, pids and start times (daemon_record.hpp) and how each was
// started, the orchestrator's pid and start time, the probing period), the orchestrator's store (cluster.db, or etcd
// with `vfo up --store etcd://...`), and logs. The store is the API between the commands and the daemon: `vfo deploy`
// and `vfo scale` write desired chains (a replica is a chain of its own, NAME#K), and the daemon's next probing round
// places and starts them, or records why it could not.
//
// `vfo up --node-cpus C` emulates nodes of C cores (vfo-agent --node-cpus), `--record DIR` has each agent record
// its node's trace, `--live` turns on forecast-driven live migration (cluster.json "live": K and the horizon; the
// daemon appends what it did to migrations.csv), and `vfo chaos stress NODE` loads a node. `--model DIR` (live
// migration on a trained model) has the daemon run as `vfo-forecast orchestrator`, the binary that links
// LibTorch and can load the model (cluster.json "live": its folder, and whether it is guarded).
//
// `vfo up --store etcd://HOST:PORT,... --orchestrators N` keeps the store in etcd and starts N orchestrator daemons
// (`vfo orchestrator --member K`): one leads, elected through an etcd lease (vfo/runtime/leader_election.hpp), the
// others stand by and the first to see the leader's lease expire takes over, on the same store, as a restarted
// daemon does. DIR/leader names the one that leads.
//
// `vfo up --netns`, as root: each agent runs in a network namespace of its own on a bridge, its link
// shaped by tbf (vfo/runtime/node_network.hpp), and listens on its namespace's address; cluster.json records the
// network ("network": prefix, bridge, host address, subnet, and per node its namespace, address and rate) and
// `vfo down` removes it. Without root (or namespaces), it stays on loopback and says so in one line.
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli/cli.hpp"
#include "cli/cluster_events.hpp"
#include "cli/cluster_metrics.hpp"
#include "cli/daemon_record.hpp"
#include "cli/local_cluster.hpp"
#include "cli/metrics_server.hpp"
#include "vfo/runtime/agent_port.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/cluster_store.hpp"
#include "vfo/runtime/etcd_store.hpp"
#include "vfo/runtime/leader_election.hpp"
#include "vfo/runtime/membership.hpp"
#include "vfo/runtime/node_network.hpp"
#include "vfo/runtime/orchestrator.hpp"
#include "vfo/runtime/process_tree.hpp"
#include "vfo/runtime/sqlite_store.hpp"
#include "vfo/scenario/node_inventory.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/log.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace std::chrono_literals;

struct ClusterOptions {
  std::string dir = "results/cluster";
  int nodes = -1;  // vfo up: 8, or 0 with --inventory or --join-listen
  double period_s = 30;
  std::string inventory;    // vfo up: the nodes started by hand, a YAML file
  std::string join_listen;  // vfo up: where the daemon takes joins, HOST:PORT
  std::string certs;        // vfo up: a certificate folder of `vfo certs` (default: new ones in DIR/certs)
  std::string issue;        // vfo certs: a node to issue a key pair
  std::string revoke;       // vfo certs: a member whose certificate to revoke
  std::string file;
  std::string node;
  bool json = false;
  double wait_s = -1;
  bool netns = false;
  double rate_mbit = runtime::kDefaultLinkRateMbit;
  std::vector<std::string> node_rates;  // NODE=MBIT
  // Emulated nodes, traces, forecast-driven live migration, stress.
  double node_cpus = 0;
  double node_ram_mb = 0;
  std::string record_dir;
  std::string exec_root;  // where the agents run exec VFs (empty: none)
  bool live = false;
  double k = 0.5;
  double horizon_s = -1;  // default: 5 probing periods
  std::string model;      // a trained model's folder
  bool unguarded = false;
  double cpu_pct = 0;
  double ram_pct = 0;
  double ramp_s = 0;
  double for_s = 60;
  int tail = 0;                         // vfo events, vfo logs: the last N (0: all)
  double watch_s = 0;                   // vfo status: print again every S seconds (0: once)
  std::string target;                   // vfo logs: a node, the orchestrator, or a VF
  std::string chain;                    // vfo delete, vfo scale: its name
  std::string metrics = "127.0.0.1:0";  // vfo up: where the daemon serves its Prometheus metrics
  int replicas = 0;                     // vfo scale
  std::string store;                    // vfo up: etcd://... (empty: DIR/cluster.db)
  int orchestrators = 1;                // vfo up: orchestrator daemons (more than one: with --store etcd)
  int member = 1;                       // vfo orchestrator: which of vfo up's daemons it is (its log's name)
};

// The most orchestrator daemons `vfo up --orchestrators` starts.
constexpr int kMaxOrchestrators = 5;
// How long a leading orchestrator may go unheard (its etcd lease's time to live) before another takes over.
constexpr std::chrono::seconds kLeaderLeaseTtl{2};

// The most replicas `vfo scale` gives a chain.
constexpr int kMaxReplicas = 100;

// How many of the latest events vfo status shows.
constexpr std::size_t kRecentEvents = 5;

fs::path cluster_file(const fs::path& dir) {
  return dir / "cluster.json";
}

// Where the daemon keeps the nodes that joined (a JSON object: name -> address), for every command.
fs::path joined_file(const fs::path& dir) {
  return dir / "joined.json";
}

// The nodes that joined, by name (none when the file is missing or damaged: they join again).
std::map<std::string, std::string> read_joined(const fs::path& dir) {
  std::map<std::string, std::string> nodes;
  std::ifstream in(joined_file(dir));
  if (!in) return nodes;
  const Json j = Json::parse(in, nullptr, false);
  if (!j.is_object()) return nodes;
  for (const auto& [name, address] : j.items()) {
    if (address.is_string()) nodes[name] = address.get<std::string>();
  }
  return nodes;
}

// The cluster's certificate folder: `vfo up --certs DIR`'s, else DIR/certs.
fs::path certs_dir(const fs::path& dir, const Json& cluster) {
  return cluster.contains("certs") && cluster["certs"].is_string() ? fs::path(cluster["certs"].get<std::string>())
                                                                   : dir / "certs";
}

// cluster.json, with the nodes that joined among its agents ({"name", "address", "joined": true}; a node that
// joined again on another address has that one).
Json read_cluster(const fs::path& dir) {
  if (!fs::exists(cluster_file(dir))) {
    throw CommandFailed("no cluster in " + dir.string() + " (start one with: vfo up --cluster " + dir.string() + ")");
  }
  const fs::path file = cluster_file(dir);
  Json cluster = Json::parse(read_input_file(file, "the cluster.json that vfo up writes"), nullptr, false);
  const auto is = [&](const char* key, Json::value_t type) {
    return cluster.contains(key) && cluster[key].type() == type;
  };
  if (!cluster.is_object() || !is("agents", Json::value_t::array) || !is("orchestrator", Json::value_t::object)) {
    throw InputError(file.string() +
                     ": not the cluster.json that vfo up writes (the cluster folder is damaged; "
                     "vfo up --cluster " +
                     dir.string() + " starts a new one)");
  }
  for (const Json& a : cluster["agents"]) {
    if (!a.is_object() || !a.contains("name") || !a["name"].is_string() || !a.contains("address") ||
        !a["address"].is_string()) {
      throw InputError(file.string() + ": an agent without a name and an address (the cluster folder is damaged)");
    }
  }
  // A daemon's record (daemon_record.hpp): a whole pid, and a start time that is a count of ticks.
  const auto record_ok = [](const Json& r) {
    return r.is_object() && (!r.contains("pid") || r["pid"].is_number_integer()) &&
           (!r.contains("started") || r["started"].is_number_unsigned());
  };
  bool records_ok =
      record_ok(cluster["orchestrator"]) && std::all_of(cluster["agents"].begin(), cluster["agents"].end(), record_ok);
  for (const Json& d : cluster.value("more_orchestrators", Json::array())) records_ok = records_ok && record_ok(d);
  if (!records_ok) {
    throw InputError(file.string() +
                     ": a process recorded with a pid or start time that is not a whole number (the cluster folder "
                     "is damaged)");
  }
  for (const auto& [name, address] : read_joined(dir)) {
    const auto known = std::find_if(cluster["agents"].begin(), cluster["agents"].end(),
                                    [&](const Json& a) { return a["name"] == name; });
    if (known == cluster["agents"].end()) {
      cluster["agents"].push_back({{"name", name}, {"address", address}, {"joined", true}});
    } else if (!known->contains("pid")) {
      (*known)["address"] = address;
    }
  }
  return cluster;
}

// The etcd store cluster.json names, if it names one. Throws InputError naming cluster.json when it is not an
// etcd URL.
std::optional<runtime::EtcdEndpoints> etcd_store(const fs::path& dir, const Json& cluster) {
  if (!cluster.contains("store")) return std::nullopt;
  try {
    return runtime::parse_etcd_url(cluster["store"].is_string() ? cluster["store"].get<std::string>() : "");
  } catch (const std::invalid_argument& e) {
    throw InputError(cluster_file(dir).string() + ": store: " + e.what() + " (the cluster folder is damaged)");
  }
}

// The cluster's store: the etcd store cluster.json names, else the SQLite file DIR/cluster.db.
std::unique_ptr<runtime::ClusterStore> open_store(const fs::path& dir, const Json& cluster) {
  if (const auto etcd = etcd_store(dir, cluster)) return std::make_unique<runtime::EtcdStore>(*etcd);
  return std::make_unique<runtime::SqliteStore>(dir / "cluster.db");
}

// The options of the cluster's orchestrator; `loader` loads the trained model that cluster.json names (only the
// daemon passes one: the other commands do not forecast).
runtime::OrchestratorOptions orchestrator_options(const fs::path& dir, const Json& cluster,
                                                  const ModelLoader& loader = {}) {
  runtime::OrchestratorOptions o;
  o.store = dir / "cluster.db";
  if (const auto etcd = etcd_store(dir, cluster)) {
    o.open_store = [etcd = *etcd] { return std::make_unique<runtime::EtcdStore>(etcd); };
  }
  o.identity = runtime::Identity::from_dir(certs_dir(dir, cluster), "orchestrator");
  o.probe_deadline = runtime::probe_deadline_for(cluster.value("period_s", 30.0));
  for (const Json& a : cluster["agents"]) o.agents.push_back({a["name"], a["address"]});
  o.control.probing_period_s = cluster.value("period_s", 30.0);
  if (cluster.contains("live")) {
    const Json& live = cluster["live"];
    o.control.live_migration = true;
    o.control.k = live.value("k", o.control.k);
    o.control.horizon_s = live.value("horizon_s", o.control.horizon_s);
    o.live.order.verify = live.value("verify", o.live.order.verify);
    if (loader && live.contains("model")) {
      o.live.model = loader(live["model"].get<std::string>());
      o.live.guard = live.value("guard", true);
    }
  }
  return o;
}

// What `vfo up --model DIR` needs of the model before it starts anything: its interval and horizon (s), from its
// model.json (loading it whole needs LibTorch, which the daemon has). Throws InputError naming the file or flag.
struct ModelTiming {
  double interval_s = 0;
  double horizon_s = 0;
};
ModelTiming model_timing(const std::string& dir, double period_s) {
  const fs::path file = fs::path(dir) / "model.json";
  const std::string text = read_input_file(file.string(), "a model folder written by `vfo forecast train`");
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto number = [&](const char* field) {
    if (!j.is_object() || !j.contains(field) || !j[field].is_number() || !(j[field].get<double>() > 0)) {
      throw InputError(
          fmt::format("{}: {}: expected a number > 0 (a model written by `vfo forecast train`)", file.string(), field));
    }
    return j[field].get<double>();
  };
  const ModelTiming t{number("interval_s"), number("interval_s") * number("horizon")};
  if (!runtime::model_rounds(t.interval_s, period_s)) {
    throw InputError(
        fmt::format("--model: {} reads one reading every {} s: the probing period (--period {}) must divide that", dir,
                    t.interval_s, period_s));
  }
  return t;
}

// Holds SIGINT, SIGTERM and SIGHUP back while `vfo up` starts its daemons, which run in sessions of their own
// (a Ctrl-C reaches only this process): whoever sees interrupted() ends what it started, and the destructor then
// lets the signal through, which ends this process as it would have at once. A signal this process ignores
// never counts.
class HeldSignals {
 public:
  HeldSignals() {
    ::sigemptyset(&held_);
    for (const int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaddset(&held_, s);
    ::pthread_sigmask(SIG_BLOCK, &held_, &before_);
  }
  ~HeldSignals() { ::pthread_sigmask(SIG_SETMASK, &before_, nullptr); }
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;

  // Throws CommandFailed when one of the signals has come.
  void throw_if_interrupted() const {
    sigset_t pending;
    ::sigpending(&pending);
    for (const int s : {SIGINT, SIGTERM, SIGHUP}) {
      if (::sigismember(&pending, s) == 1) throw CommandFailed(std::string("interrupted by ") + ::strsignal(s));
    }
  }

 private:
  sigset_t held_;
  sigset_t before_;
};

// The first line of `path` once it has one (a daemon's ready line), or nullopt after `timeout`.
std::optional<std::string> first_line(const fs::path& path, std::chrono::milliseconds timeout,
                                      const HeldSignals& held) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    held.throw_if_interrupted();
    std::ifstream in(path);
    std::string line;
    if (std::getline(in, line) && in.good()) return line;  // a whole line, newline included
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

// Whether `rate` is a link rate: a number of Mbit/s in (0, kMaxLinkRateMbit].
bool valid_rate(double rate) {
  return std::isfinite(rate) && rate > 0 && rate <= runtime::kMaxLinkRateMbit;
}

// A link rate given as text, or nullopt if it is not a valid one.
std::optional<double> parse_rate(const std::string& text) {
  char* end = nullptr;
  const double rate = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !valid_rate(rate)) return std::nullopt;
  return rate;
}

// The links of `vfo up --netns`: node-1..node-N at --rate, but those that --node-rate NODE=MBIT names. Throws
// InputError (one line) for a rate that is not a number of Mbit/s in range, or a node the cluster does not have.
std::vector<runtime::NodeLinkSpec> link_specs(const ClusterOptions& o) {
  const std::string range = fmt::format("a number of Mbit/s > 0 and <= {}", runtime::kMaxLinkRateMbit);
  if (!valid_rate(o.rate_mbit)) throw InputError(fmt::format("--rate: {} (expected {})", o.rate_mbit, range));
  std::vector<runtime::NodeLinkSpec> links;
  for (int i = 1; i <= o.nodes; ++i) links.push_back({"node-" + std::to_string(i), o.rate_mbit});
  std::vector<bool> given(links.size(), false);
  for (const std::string& entry : o.node_rates) {
    const auto equals = entry.find('=');
    const std::string node = entry.substr(0, equals);
    const auto rate = equals == std::string::npos ? std::nullopt : parse_rate(entry.substr(equals + 1));
    if (!rate) throw InputError(fmt::format("--node-rate: {} (expected NODE=MBIT, MBIT {})", entry, range));
    const auto at = std::find_if(links.begin(), links.end(), [&](const auto& l) { return l.node == node; });
    if (at == links.end()) {
      throw InputError(fmt::format("--node-rate: {}: {} is not a node of the cluster (expected node-1 to node-{})",
                                   entry, node, o.nodes));
    }
    const auto index = static_cast<std::size_t>(at - links.begin());
    if (given[index]) throw InputError(fmt::format("--node-rate: {} is given twice", node));
    given[index] = true;
    at->rate_mbit = *rate;
  }
  return links;
}

// The network prefix of the cluster in `dir`: stable for a folder, distinct between folders (but by a
// 20-bit hash's chance).
std::string network_prefix(const fs::path& dir) {
  std::uint32_t h = 2166136261u;
  for (const char c : fs::weakly_canonical(fs::absolute(dir)).string()) {
    h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  }
  return fmt::format("vfo{:05x}", h & 0xfffffu);
}

// Removes the network of a cluster.json (nothing if it has none); throws CommandFailed.
void remove_network(const Json& cluster) {
  if (!cluster.contains("network")) return;
  const std::string prefix = cluster["network"].value("prefix", "");
  try {
    runtime::NodeNetwork::remove(prefix);
  } catch (const std::exception& e) {
    throw CommandFailed("cannot remove the network " + prefix + ": " + e.what());
  }
}

// Re-issues each node's key pair in `certs` (from its CA) for its namespace address too, as the orchestrator
// checks an agent's address against the agent's certificate.
void certify_node_addresses(const fs::path& certs, const runtime::NodeNetwork& network) {
  const runtime::KeyPair ca = {read_input_file(certs / "ca.key", "the cluster CA's key"),
                               read_input_file(certs / "ca.pem", "the cluster CA's certificate")};
  for (std::size_t i = 0; i < network.size(); ++i) {
    const std::string& name = network.node_name(i);
    const runtime::KeyPair pair =
        runtime::make_member_certificate(ca, name, {"localhost", name}, {"127.0.0.1", network.node_address(i)});
    write_private_file(certs / (name + ".key"), pair.key_pem);
    write_file_atomically(certs / (name + ".pem"), pair.cert_pem);
  }
}

Json network_record(const runtime::NodeNetwork& network) {
  Json record = {{"prefix", network.prefix()},
                 {"bridge", network.bridge()},
                 {"host_address", network.host_address()},
                 {"subnet", network.subnet()},
                 {"nodes", Json::array()}};
  for (std::size_t i = 0; i < network.size(); ++i) {
    record["nodes"].push_back({{"name", network.node_name(i)},
                               {"netns", network.netns_name(i)},
                               {"address", network.node_address(i)},
                               {"rate_mbit", network.rate_mbit(i)}});
  }
  return record;
}

// What `vfo up` writes in a cluster's folder: all it removes there when it starts a cluster anew.
constexpr const char* kClusterEntries[] = {
    "cluster.json", "cluster.db",  "cluster.db-journal", "cluster.db-wal", "cluster.db-shm", "migrations.csv",
    "certs",        "logs",        "store-problem",      "nodes.json",     kEventFiles[0],   kEventFiles[1],
    "metrics-url",  "joined.json", "join-address",       "leader"};

// Where the daemon leaves the address it takes joins at (HOST:PORT), for vfo up.
fs::path join_address_file(const fs::path& dir) {
  return dir / "join-address";
}

// Where the daemon leaves the URL of its Prometheus metrics, for vfo up and vfo status.
fs::path metrics_url_file(const fs::path& dir) {
  return dir / "metrics-url";
}

// The first line of `file`, "" when there is none (or no file).
std::string first_line_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// Where the leading daemon says who it is ({"identity", "member"} and its record, daemon_record.hpp), for vfo status
// and people.
fs::path leader_file(const fs::path& dir) {
  return dir / "leader";
}

// The log of orchestrator daemon `member` (1: orchestrator.log, else orchestrator-K.log).
fs::path orchestrator_log_file(const fs::path& dir, int member) {
  return dir / "logs" / (member == 1 ? std::string("orchestrator.log") : fmt::format("orchestrator-{}.log", member));
}

// Where the daemon leaves why it does not trust the store (absent while it does), for vfo status.
fs::path store_problem_file(const fs::path& dir) {
  return dir / "store-problem";
}

// Where the daemon leaves each node's p_fail after every round (a JSON object by node name), for vfo status.
fs::path node_risk_file(const fs::path& dir) {
  return dir / "nodes.json";
}

// Checks that `dir` may hold a new cluster: missing, empty, or holding only what `vfo up` writes. Throws InputError
// naming the folder and an entry it did not write otherwise (nothing of a user's is ever removed).
void clear_cluster_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) throw InputError("--cluster: " + dir.string() + " is not a folder");
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (std::find_if(std::begin(kClusterEntries), std::end(kClusterEntries),
                     [&](const char* known) { return name == known; }) == std::end(kClusterEntries)) {
      throw InputError(fmt::format(
          "--cluster: {} holds {}, which vfo up did not write: give an empty or new folder (nothing was removed)",
          dir.string(), name));
    }
  }
  if (ec) throw InputError("--cluster: " + dir.string() + ": " + ec.message());
}

// Ends the orchestrator and the agents that `cluster` lists as started by vfo up (not those started by hand): SIGTERM
// (and SIGCONT, so that a stopped one ends too), then SIGKILL after 5 s. Returns how many processes it lists.
std::size_t stop_processes(const Json& cluster) {
  std::vector<Json> daemons;
  if (cluster.contains("orchestrator")) daemons.push_back(cluster["orchestrator"]);
  for (const Json& d : cluster.value("more_orchestrators", Json::array())) daemons.push_back(d);
  for (const Json& a : cluster["agents"]) {
    if (a.contains("pid")) daemons.push_back(a);  // not a node started by hand
  }
  for (const Json& d : daemons) {
    if (signal_daemon(d, SIGTERM)) signal_daemon(d, SIGCONT);
  }
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  for (const Json& d : daemons) {
    // A daemon that this process started (vfo up ending on a failure) is its child: reaped here, else a zombie.
    const auto reap = [&] { waitpid(static_cast<pid_t>(d.value("pid", 0L)), nullptr, WNOHANG); };
    while (daemon_runs(d) && std::chrono::steady_clock::now() < deadline) {
      reap();
      std::this_thread::sleep_for(20ms);
    }
    if (daemon_runs(d)) signal_daemon(d, SIGKILL);
    reap();
  }
  return daemons.size();
}

// The certificate folder of `vfo up`'s agent `name`: the cluster's, or with --certs, a bundle issued from its CA
// (DIR/nodes/NAME, as `vfo certs DIR --issue NAME` makes one).
fs::path agent_certs(const ClusterOptions& o, const fs::path& dir, const std::string& name) {
  return o.certs.empty() ? dir / "certs" : fs::path(o.certs) / "nodes" / name;
}

// The port each agent of `vfo up --netns` serves on, in its own namespace.
constexpr int kNetnsAgentPort = 7000;

// Starts `vfo up`'s agents, node-1..N, one after another, then the orchestrator daemon, recording each in
// `cluster` (and cluster.json) as soon as it runs, so that the caller can end them all if this throws: an
// agent or the orchestrator that does not start, or a signal held by `held`.
void start_daemons(const ClusterOptions& o, const fs::path& dir, const std::vector<std::string>& names,
                   const std::vector<InventoryNode>& inventory, bool model,
                   const std::optional<runtime::NodeNetwork>& network, Json& cluster, const HeldSignals& held) {
  for (int i = 1; i <= o.nodes; ++i) {
    const std::string name = names[static_cast<std::size_t>(i)];
    const fs::path ready = dir / "logs" / (name + ".ready");
    std::string program = sibling_binary("vfo-agent").string();
    std::vector<std::string> args = {"--name",    name,
                                     "--certs",   fs::absolute(agent_certs(o, dir, name)).string(),
                                     "--log-dir", fs::absolute(dir / "logs").string()};
    if (o.node_cpus > 0) args.insert(args.end(), {"--node-cpus", fmt::format("{}", o.node_cpus)});
    if (o.node_ram_mb > 0) args.insert(args.end(), {"--node-ram-mb", fmt::format("{}", o.node_ram_mb)});
    if (!o.record_dir.empty()) {
      args.insert(args.end(), {"--record", fs::absolute(fs::path(o.record_dir) / (name + ".csv")).string()});
    }
    if (!o.exec_root.empty()) args.insert(args.end(), {"--exec-root", fs::absolute(o.exec_root).string()});
    // A port `vfo chaos restart` finds free again while the agent is down: in its own namespace, one the VFs
    // (on ephemeral ports) never take; on loopback, one below the ephemeral range.
    if (network) {  // ip netns exec NETNS vfo-agent ... --listen ADDRESS:PORT
      const auto node = static_cast<std::size_t>(i - 1);
      args.insert(args.end(), {"--listen", network->node_address(node) + ":" + std::to_string(kNetnsAgentPort)});
      std::vector<std::string> argv = network->exec_prefix(node);
      argv.push_back(program);
      args.insert(args.begin(), argv.begin() + 1, argv.end());
      program = argv.front();
    } else {
      args.insert(args.end(), {"--listen", runtime::free_agent_address("127.0.0.1")});
    }
    std::optional<std::string> line;
    pid_t pid = -1;
    const fs::path log = dir / "logs" / (name + ".log");
    for (int attempt = 1; !line; ++attempt) {
      fs::remove(ready);
      pid = runtime::spawn_daemon(program, args, ready.string(), log.string());
      Json record = daemon_record(pid);
      record["name"] = name;
      cluster["agents"].push_back(std::move(record));
      line = first_line(ready, 20s, held);
      if (line) break;
      ::kill(pid, SIGKILL);
      cluster["agents"].erase(cluster["agents"].size() - 1);
      // Another process took the loopback port it was given since it was found free: another one.
      if (network || attempt == 3 || last_line_of(log).find("cannot listen") == std::string::npos) {
        throw CommandFailed(name + " did not start (see " + log.string() + ")");
      }
      args.back() = runtime::free_agent_address("127.0.0.1");
    }
    Json& agent = cluster["agents"].back();
    // How it was started: `vfo chaos restart` starts it again so, on the address it serves now.
    agent.update(Json{{"address", Json::parse(*line)["address"]}, {"program", program}, {"args", args}});
  }
  for (const InventoryNode& n : inventory) {  // started by hand: vfo knows their address only
    cluster["agents"].push_back({{"name", n.name}, {"address", n.address}, {"inventory", true}});
  }
  write_file_atomically(cluster_file(dir), cluster.dump(2) + "\n");
  // The daemons run as vfo-forecast when they must load a model (only that binary links LibTorch). The first leads
  // (nothing else leads yet); each other one is ready once it stands by.
  for (int member = 1; member <= o.orchestrators; ++member) {
    const fs::path log = orchestrator_log_file(dir, member);
    const pid_t orchestrator = runtime::spawn_daemon(
        sibling_binary(model ? "vfo-forecast" : "vfo").string(),
        {"orchestrator", "--cluster", dir.string(), "--member", std::to_string(member)}, log.string(), log.string());
    if (member == 1) {
      cluster["orchestrator"] = daemon_record(orchestrator);
    } else {
      Json record = daemon_record(orchestrator);
      record["member"] = member;
      cluster["more_orchestrators"].push_back(std::move(record));
    }
    write_file_atomically(cluster_file(dir), cluster.dump(2) + "\n");
    if (const auto failure = orchestrator_failure(orchestrator, log, [&] { held.throw_if_interrupted(); })) {
      throw CommandFailed("the orchestrator did not start: " + *failure + " (log " + log.string() + ")");
    }
  }
}

// The certificate folder `vfo up --certs DIR` names, checked: the CA's key pair, the orchestrator's and the data
// plane's key (as `vfo certs` writes them), made absolute. Throws InputError naming what is missing.
fs::path given_certs(const std::string& certs) {
  const fs::path dir = fs::absolute(certs).lexically_normal();
  for (const char* file : {"ca.pem", "ca.key", "orchestrator.pem", "orchestrator.key", "data-plane.key"}) {
    if (!fs::exists(dir / file)) {
      throw InputError("--certs: " + (dir / file).string() + " is missing (expected a folder of vfo certs)");
    }
  }
  return dir;
}

// The agents that `vfo up --inventory FILE` names, checked against `local` (the names of the agents it starts).
std::vector<InventoryNode> inventory_nodes(const std::string& file, const std::vector<std::string>& local) {
  const std::vector<InventoryNode> nodes =
      parse_node_inventory(read_input_file(file, "a node inventory (nodes: [{name, address}])"), file);
  for (const InventoryNode& n : nodes) {
    if (std::find(local.begin(), local.end(), n.name) != local.end()) {
      throw InputError(file + ": " + n.name + " is also the name of a node vfo up starts (--nodes): rename it");
    }
  }
  return nodes;
}

void up(ClusterOptions o) {
  if (o.nodes < 0) o.nodes = o.inventory.empty() && o.join_listen.empty() ? 8 : 0;
  if (o.nodes > 64) throw InputError(fmt::format("--nodes: {} (expected 0 to 64)", o.nodes));
  if (o.nodes == 0 && o.inventory.empty() && o.join_listen.empty()) {
    throw InputError("--nodes: 0 with neither --inventory nor --join-listen (expected nodes from at least one)");
  }
  if (!o.certs.empty() && o.netns) throw InputError("--certs: not with --netns (which issues its nodes' certificates)");
  const fs::path pki = o.certs.empty() ? fs::path() : given_certs(o.certs);
  if (!o.certs.empty()) o.certs = pki.string();
  std::vector<std::string> names = {"orchestrator"};
  for (int i = 1; i <= o.nodes; ++i) names.push_back("node-" + std::to_string(i));
  const std::vector<InventoryNode> inventory =
      o.inventory.empty() ? std::vector<InventoryNode>{} : inventory_nodes(o.inventory, names);
  if (!(o.period_s > 0)) throw InputError("--period: expected a number of seconds > 0");
  if (!(o.k >= 0 && o.k <= 1)) throw InputError(fmt::format("--k: {} (expected 0 <= K <= 1)", o.k));
  if (o.horizon_s == 0 || o.horizon_s < -1) throw InputError("--horizon: expected a number of seconds > 0");
  if (o.orchestrators < 1 || o.orchestrators > kMaxOrchestrators) {
    throw InputError(fmt::format("--orchestrators: {} (expected 1 to {})", o.orchestrators, kMaxOrchestrators));
  }
  std::optional<runtime::EtcdEndpoints> etcd;
  if (!o.store.empty()) {
    try {
      etcd = runtime::parse_etcd_url(o.store);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("--store: ") + e.what());
    }
  }
  if (o.orchestrators > 1 && !etcd) {
    throw InputError(
        "--orchestrators: more than one needs --store etcd://HOST:PORT,... (they elect their leader through etcd)");
  }
  std::optional<ModelTiming> model;
  if (!o.model.empty()) {
    model = model_timing(o.model, o.period_s);
    if (o.horizon_s > 0 && std::abs(o.horizon_s - model->horizon_s) > 1e-9 * model->horizon_s) {
      throw InputError(fmt::format("--horizon: {} s, but the model forecasts {} s ahead (fixed when it is trained)",
                                   o.horizon_s, model->horizon_s));
    }
  }
  const bool live = o.live || model.has_value();
  const std::vector<runtime::NodeLinkSpec> links = o.netns ? link_specs(o) : std::vector<runtime::NodeLinkSpec>{};
  const fs::path dir(o.dir);
  std::optional<Json> previous;  // a cluster.json left here; a damaged one is replaced
  try {
    if (fs::exists(cluster_file(dir))) previous = read_cluster(dir);
  } catch (const InputError&) {
  }
  if (previous && daemon_runs((*previous)["orchestrator"])) {
    throw CommandFailed("a cluster already runs in " + dir.string() + " (vfo down --cluster " + dir.string() + ")");
  }
  clear_cluster_folder(dir);                // before anything starts: a folder that is not a cluster's is refused
  if (previous) remove_network(*previous);  // a crashed cluster's
  for (const char* entry : kClusterEntries) fs::remove_all(dir / entry);
  fs::create_directories(dir / "logs");
  fs::permissions(dir, fs::perms::owner_all);  // its store, keys and logs are its owner's only
  if (o.certs.empty()) {
    runtime::write_cluster_certificates(dir / "certs", names);
  } else {
    for (std::size_t i = 1; i < names.size(); ++i) {
      runtime::issue_node_certificate(pki, names[i], pki / "nodes" / names[i]);
    }
  }
  std::optional<runtime::NodeNetwork> network;  // removed by its destructor if up fails before the end
  if (o.netns) {
    if (const auto reason = runtime::NodeNetwork::unavailable_reason()) {
      fmt::print("vfo up: --netns {}; staying on loopback\n", *reason);
    } else {
      try {
        network.emplace(network_prefix(dir), links);
      } catch (const std::exception& e) {
        throw CommandFailed(std::string("--netns: ") + e.what());
      }
      certify_node_addresses(dir / "certs", *network);
    }
  }
  Json cluster = {{"period_s", o.period_s}, {"agents", Json::array()}, {"metrics_listen", o.metrics}};
  if (etcd) {  // a new cluster starts from an empty store, as DIR/cluster.db was removed above
    try {
      runtime::EtcdStore::wipe(*etcd);
    } catch (const std::runtime_error& e) {
      throw CommandFailed(std::string("--store: ") + e.what());
    }
    cluster["store"] = o.store;
  }
  if (!o.certs.empty()) cluster["certs"] = o.certs;
  if (!o.join_listen.empty()) cluster["join_listen"] = o.join_listen;

  if (network) cluster["network"] = network_record(*network);
  if (live) cluster["live"] = {{"k", o.k}, {"horizon_s", o.horizon_s > 0 ? o.horizon_s : 5 * o.period_s}};
  if (model) {
    cluster["live"]["horizon_s"] = model->horizon_s;
    cluster["live"]["model"] = fs::absolute(o.model).lexically_normal().string();
    cluster["live"]["guard"] = !o.unguarded;
  }
  if (!o.record_dir.empty()) fs::create_directories(o.record_dir);
  {  // From the first daemon on, whatever ends `vfo up` early (an error, a Ctrl-C) ends every daemon it started.
    const HeldSignals held;
    try {
      start_daemons(o, dir, names, inventory, model.has_value(), network, cluster, held);
      held.throw_if_interrupted();
    } catch (...) {
      stop_processes(cluster);
      throw;
    }
  }
  const pid_t orchestrator = static_cast<pid_t>(cluster["orchestrator"]["pid"].get<long>());
  if (network) network->release();  // vfo down removes it
  fmt::print("cluster up in {}: {} agents, probing every {} s\n", dir.string(), cluster["agents"].size(), o.period_s);
  if (o.node_cpus > 0) fmt::print("  each node emulated with {} cores (its VFs and stress share them)\n", o.node_cpus);
  if (!o.exec_root.empty()) fmt::print("  exec VFs run in {}\n", fs::absolute(o.exec_root).string());
  if (live) {
    fmt::print("  live migration on: K = {}, forecast horizon {} s; migrations in {}\n", o.k,
               cluster["live"]["horizon_s"].get<double>(), (dir / "migrations.csv").string());
  }
  if (model) {
    fmt::print("  forecaster: the model in {}{}, one reading every {} s (the mean of {} probes)\n",
               cluster["live"]["model"].get<std::string>(), o.unguarded ? "" : " guarded by its baselines",
               model->interval_s, *runtime::model_rounds(model->interval_s, o.period_s));
  }
  if (!o.record_dir.empty()) fmt::print("  node traces every 5 s in {}/<node>.csv\n", o.record_dir);
  if (network) {
    fmt::print("  network {}: each agent in its own namespace on bridge {} (host {}, {}), links shaped by tbf\n",
               network->prefix(), network->bridge(), network->host_address(), network->subnet());
  }
  for (std::size_t i = 0; i < cluster["agents"].size(); ++i) {
    const Json& a = cluster["agents"][i];
    if (!a.contains("pid")) {
      fmt::print("  {:<8} {}  (inventory: started by hand)\n", a["name"].get<std::string>(),
                 a["address"].get<std::string>());
      continue;
    }
    fmt::print("  {:<8} {}  (pid {})", a["name"].get<std::string>(), a["address"].get<std::string>(),
               a["pid"].get<long>());
    if (network) fmt::print("  netns {}, {} Mbit/s", network->netns_name(i), network->rate_mbit(i));
    fmt::print("\n");
  }
  fmt::print("  orchestrator (pid {}), log {}\n", orchestrator, orchestrator_log_file(dir, 1).string());
  for (const Json& d : cluster.value("more_orchestrators", Json::array())) {
    fmt::print("  orchestrator (pid {}), standing by, log {}\n", d["pid"].get<long>(),
               orchestrator_log_file(dir, d["member"].get<int>()).string());
  }
  if (etcd) {
    fmt::print("  store: {}; the orchestrators elect their leader through it (it says who leads in {})\n", o.store,
               leader_file(dir).string());
  }
  if (!o.join_listen.empty()) {
    const std::string at = first_line_of(join_address_file(dir));
    fmt::print(
        "  nodes join at {} (on each node: vfo-agent --name NAME --certs BUNDLE --listen ADDRESS:PORT --join {}; "
        "a bundle: vfo certs {} --issue NAME)\n",
        at, at, certs_dir(dir, cluster).string());
  }
  if (const std::string url = first_line_of(metrics_url_file(dir)); !url.empty()) {
    fmt::print("  metrics for Prometheus: {}\n", url);
  }
}

// The cluster as a Prometheus scrape reports it: the chains now, and each running VF's host counters. Reads only
// (no lock an agent call of a round is made under), so a scrape answers while a round waits on an agent.
ClusterScrape scrape(runtime::Orchestrator& orchestrator) {
  ClusterScrape s;
  s.chains = orchestrator.status();
  for (const runtime::ChainStatus& c : s.chains) {
    for (std::uint32_t i = 0; i < c.functions.size(); ++i) {
      if (!c.functions[i].running) continue;
      if (const auto stats = orchestrator.function_stats(c.id, i))
        s.vf_stats[{c.id, i}] = Json::parse(*stats, nullptr, false);
    }
  }
  return s;
}

void orchestrator_daemon(const ClusterOptions& o, const ModelLoader& loader) {
  const fs::path dir(o.dir);
  const Json cluster = read_cluster(dir);
  const bool has_model = cluster.contains("live") && cluster["live"].contains("model");
  if (o.member < 1 || o.member > kMaxOrchestrators) {
    throw InputError(fmt::format("--member: {} (expected 1 to {})", o.member, kMaxOrchestrators));
  }
  if (has_model && !loader) {
    exec_binary(sibling_binary("vfo-forecast"),
                {"orchestrator", "--cluster", o.dir, "--member", std::to_string(o.member)});
  }
  start_log("orchestrator", /*to_stderr=*/false);  // stdout is the daemon's log in DIR/logs
  DaemonRecords records(dir);
  // With an etcd store: leads once elected (at once when no other daemon leads), standing by until then.
  const std::optional<runtime::EtcdEndpoints> etcd = etcd_store(dir, cluster);
  std::unique_ptr<runtime::LeaderElection> election;
  std::optional<runtime::LeaderFence> fence;
  bool ready_said = false;  // the ready line is the log's first: a daemon that stood by has said it
  if (etcd) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const std::string identity = fmt::format("orchestrator {} on {} (pid {})", o.member, host, ::getpid());
    election = std::make_unique<runtime::LeaderElection>(*etcd, identity, kLeaderLeaseTtl);
    int tries = 0;
    fence = election->campaign([&] { return tries++ > 0; });
    if (!fence) {
      const std::string leader = election->leader();
      spdlog::info("{} (standing by: {}, through {})", kOrchestratorReadyLine,
                   leader.empty() ? std::string("no leader answers") : leader + " leads", etcd->url);
      ready_said = true;
      const auto since = std::chrono::steady_clock::now();
      fence = election->campaign([] { return false; });
      const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
      spdlog::info("leads now, after standing by {:.1f} s: its predecessor's lease ended", waited);
    }
    records.event("orchestrator-leads", identity + " leads the cluster");
    Json leader = daemon_record(::getpid());
    leader.update(Json{{"identity", identity}, {"member", o.member}});
    records.write(leader_file(dir), leader.dump() + "\n");
  }
  // Once it no longer leads: says so and ends (a supervisor starts it again, as a candidate).
  const auto deposed = [&](const std::string& why) {
    spdlog::error("deposed: {}; ending (another orchestrator leads)", why);
    records.event("orchestrator-deposed", why);
    throw CommandFailed("the orchestrator no longer leads: " + why);
  };
  // The orchestrator of the nodes cluster.json and the joins name now. A join of a node it does not know (or on
  // another address) makes a new one on the same store, as a restarted daemon: it takes each chain over at an
  // epoch of its own.
  const auto make_orchestrator = [&](const Json& now) {
    try {
      runtime::OrchestratorOptions options = orchestrator_options(dir, now, loader);
      if (fence) {  // its writes go through only while it leads
        options.open_store = [etcd = *etcd, fence = *fence] {
          return std::make_unique<runtime::EtcdStore>(etcd, fence);
        };
      }
      return std::make_shared<runtime::Orchestrator>(std::move(options));
    } catch (const std::invalid_argument& e) {  // a model the probing period cannot feed
      throw InputError(cluster_file(dir).string() + ": " + e.what());
    }  // a store that is not one throws StoreDamaged: run_app answers it in one line, exit code 2
  };
  std::mutex current_mutex;  // guards `current`: the scrape's thread reads it
  std::shared_ptr<runtime::Orchestrator> current = make_orchestrator(cluster);
  const auto now_current = [&] {
    std::lock_guard lock(current_mutex);
    return current;
  };
  const auto period = std::chrono::duration<double>(cluster.value("period_s", 30.0));
  ClusterMetrics metrics;
  std::optional<MetricsServer> metrics_server;  // after what it reads: it ends first
  try {
    metrics_server.emplace(cluster.value("metrics_listen", std::string("127.0.0.1:0")),
                           [&] { return metrics.render(scrape(*now_current())); });
  } catch (const std::runtime_error& e) {
    throw InputError(cluster_file(dir).string() + ": metrics_listen: " + e.what());
  }
  records.write(metrics_url_file(dir), metrics_server->url() + "\n");
  std::atomic<bool> members_changed{false};
  std::mutex join_mutex;  // one join at a time: joined.json is read, changed and written whole
  std::optional<runtime::JoinServer> join_server;
  if (cluster.contains("join_listen")) {
    const std::string listen = cluster["join_listen"].get<std::string>();
    const runtime::Identity identity = runtime::Identity::from_dir(certs_dir(dir, cluster), "orchestrator");
    const auto on_join = [&](const std::string& node, const std::string& address) -> std::optional<std::string> {
      std::lock_guard lock(join_mutex);
      try {
        for (const Json& a : read_cluster(dir)["agents"]) {
          if (a["name"] != node) continue;
          if (a.contains("pid")) return node + " is a node vfo up started on the orchestrator's machine";
          if (a["address"] == address) return std::nullopt;  // a restarted agent on its address: nothing changes
        }
        std::map<std::string, std::string> joined = read_joined(dir);
        joined[node] = address;
        write_file_atomically(joined_file(dir), Json(joined).dump(2) + "\n");
      } catch (const std::exception& e) {
        return std::string("the orchestrator cannot record the join: ") + e.what();
      }
      spdlog::info("{} joined at {}", node, address);
      records.event("node-joined", node + " joined at " + address);
      members_changed = true;
      return std::nullopt;
    };
    try {
      join_server.emplace(listen, identity, on_join);
    } catch (const std::runtime_error& e) {
      throw InputError(cluster_file(dir).string() + ": join_listen: " + e.what());
    }
    const std::string host = listen.substr(0, listen.rfind(':'));
    records.write(join_address_file(dir), host + ":" + std::to_string(join_server->port()) + "\n");
  }
  std::vector<runtime::LiveMigrationRecord> earlier_live;  // those of the orchestrators before `current`
  // The first line of the log: `vfo up` waits for it.
  spdlog::info("{} {}", ready_said ? "leading" : kOrchestratorReadyLine,
               !cluster.contains("live") ? std::string("(no live migration)")
               : has_model
                   ? fmt::format("(live migration on the model in {})", cluster["live"]["model"].get<std::string>())
                   : std::string("(live migration on the trend forecaster)"));
  auto next = std::chrono::steady_clock::now();
  std::size_t live_seen = 0;
  std::string store_problem;                // logged when it changes, not every round
  std::string last_state;                   // the last round's summary and errors: a state is logged once
  records.remove(store_problem_file(dir));  // a verdict of an earlier daemon is not this one's
  std::vector<std::string> failed_before;   // the nodes that did not answer the round before
  std::string round_failure;                // why the last round threw; empty when it did not
  for (;;) {
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
    std::this_thread::sleep_until(next);
    if (election && !election->leading()) deposed("its lease in " + etcd->url + " ended unrenewed");
    if (members_changed.exchange(false)) {
      std::lock_guard joins(join_mutex);
      const auto before = current->live_migrations(/*wait=*/true);
      earlier_live.insert(earlier_live.end(), before.begin(), before.end());
      {
        std::lock_guard lock(current_mutex);
        current.reset();
      }
      auto fresh = make_orchestrator(read_cluster(dir));
      std::lock_guard lock(current_mutex);
      current = std::move(fresh);
      spdlog::info("round: the nodes changed; the orchestrator takes the cluster over with them");
    }
    runtime::Orchestrator& orchestrator = *current;
    const auto round_start = std::chrono::steady_clock::now();
    runtime::RoundReport r;
    try {
      r = orchestrator.round();
      round_failure.clear();
    } catch (const runtime::LeadershipLost& e) {
      deposed(e.what());
    } catch (const std::exception& e) {  // the cluster keeps its brain: the next round tries again
      if (round_failure != e.what()) {   // logged once while it lasts
        round_failure = e.what();
        spdlog::error("round: {}", round_failure);
        records.event("error", "round: " + round_failure);
      }
      continue;
    }
    const double round_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - round_start).count();
    if (r.store_problem != store_problem) {
      store_problem = r.store_problem;
      if (store_problem.empty()) {
        records.remove(store_problem_file(dir));
        spdlog::info("round: the store is sound again; acting on it");
      } else {
        records.write(store_problem_file(dir), store_problem + "\n");
        spdlog::error("round: the store cannot be trusted: {}; acting on nothing until it is repaired", store_problem);
      }
      records.event(store_problem.empty() ? "store-trusted" : "store-distrusted",
                    store_problem.empty() ? "the store is sound again; acting on it" : store_problem);
    }
    for (const std::string& n : r.late_nodes) {
      spdlog::warn("round: late to its probe: {}; its VFs are taken as running until it misses another", n);
      records.event("node-late", n);
    }
    for (const std::string& n : r.failed_nodes) {
      if (std::find(failed_before.begin(), failed_before.end(), n) != failed_before.end()) continue;
      const auto refusal = std::find_if(r.refused_nodes.begin(), r.refused_nodes.end(),
                                        [&](const std::string& why) { return why.rfind(n + ": ", 0) == 0; });
      if (refusal == r.refused_nodes.end()) {
        records.event("node-failed", n + " did not answer its probe");
      } else {
        spdlog::warn("round: {}; taken for failed", *refusal);
        records.event("node-refused", *refusal);
      }
    }
    for (const std::string& n : failed_before) {
      if (std::find(r.failed_nodes.begin(), r.failed_nodes.end(), n) == r.failed_nodes.end())
        records.event("node-back", n + " answers again");
    }
    failed_before = r.failed_nodes;
    if (cluster.contains("live")) {  // p_fail is the forecaster's: without live migration there is none to show
      Json risk = Json::object();
      for (const runtime::Orchestrator::NodeView& n : orchestrator.last_nodes()) risk[n.node] = n.p_fail;
      records.write(node_risk_file(dir), risk.dump() + "\n");
    }
    auto live = earlier_live;
    const auto latest = orchestrator.live_migrations();
    live.insert(live.end(), latest.begin(), latest.end());
    metrics.record_round(r, orchestrator.last_nodes(), live);
    if (live.size() > live_seen) {
      for (std::size_t i = live_seen; i < live.size(); ++i) {
        const runtime::LiveMigrationRecord& m = live[i];
        // A failed migration has no downtime (the source ran on); a switch whose target sent no frame within
        // the wait has none measured.
        const std::string downtime = !m.error.empty()      ? ""
                                     : m.downtime_s() >= 0 ? fmt::format(", downtime {:.3f} s", m.downtime_s())
                                                           : ", downtime not measured: no frame through the target yet";
        const std::string what =
            fmt::format("{} from {} to {}: {} (p_fail {:.2f}, {} pre-copy rounds{})", m.function, m.from, m.to,
                        m.error.empty() ? "done" : m.error, m.p_fail, m.report.precopy_rounds(), downtime);
        spdlog::log(m.error.empty() ? spdlog::level::info : spdlog::level::warn, "live migration of {}", what);
        records.event(m.error.empty() ? "live-migration" : "live-migration-failed", what);
      }
      live_seen = live.size();
      records.write(dir / "migrations.csv", runtime::live_migrations_csv(live));
    }
    for (const std::string& e : r.exited) {
      spdlog::warn("round: VF ended on {}", e);
      records.event("vf-ended", e);
    }
    for (const std::string& e : r.stale_stopped) {
      spdlog::info("round: stopped a stale instance on {}", e);
      records.event("stale-stopped", e);
    }
    for (const std::string& e : r.taken_over) {
      spdlog::info("round: took over {}", e);
      records.event("chain-taken-over", e);
    }
    for (const std::string& e : r.rewired) {
      spdlog::info("round: sent the stored wiring again to {}", e);
      records.event("rewired", e);
    }
    for (const std::string& e : r.live_migrations) {
      spdlog::info("live migration of {} started", e);
      records.event("live-migration-started", e);
    }
    for (const std::string& e : r.cold_migrations) {
      spdlog::info("cold migration of {} (round of {:.3f} s)", e, round_s);
      records.event("cold-migration", e);
    }
    if (r.reset_chains > 0)
      records.event("chain-reset", fmt::format("{} chain(s) stopped and started whole", r.reset_chains));
    if (r.deployed > 0) records.event("chain-placed", fmt::format("{} chain(s) placed and started", r.deployed));
    std::string state;
    if (!r.failed_nodes.empty() || r.lost > 0 || r.migrated > 0 || r.deployed > 0 || !r.errors.empty()) {
      std::string failed;
      for (const std::string& n : r.failed_nodes) failed += (failed.empty() ? "" : ",") + n;
      state = fmt::format("round: failed nodes [{}], lost {}, cold migrations {}, chains deployed {}", failed, r.lost,
                          r.migrated, r.deployed);
      for (const std::string& e : r.errors) state += "\nround: error: " + e;
    }
    // A round that changed something is always logged; one that saw what the one before saw is not.
    if (state == last_state && r.migrated == 0 && r.deployed == 0) continue;
    if (state.empty()) {
      spdlog::info("round: every node answers and every VF runs");
    } else {
      std::istringstream lines(state);
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("round: error: ", 0) == 0) {
          spdlog::warn("{}", line);
          records.event("error", line.substr(std::string("round: error: ").size()));
        } else {
          spdlog::info("{}", line);
        }
      }
    }
    last_state = state;
  }
}

// The exit code of `vfo deploy` and `vfo scale` when the orchestrator's round could not place a chain: it stays
// stored, pending, and every round tries again.
constexpr int kExitPending = 3;

// A chain's replicas are stored as chains of their own: the first under the chain's name, the K-th (K >= 2) as
// NAME#K ('#' is no character of a manifest's name). The replica number of `stored` if it is one of `chain`'s, else
// 0.
unsigned replica_number(const std::string& stored, const std::string& chain) {
  if (stored == chain) return 1;
  if (stored.size() <= chain.size() + 1 || stored.compare(0, chain.size(), chain) != 0 || stored[chain.size()] != '#')
    return 0;
  const std::string digits = stored.substr(chain.size() + 1);
  if (digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return 0;
  const unsigned k = static_cast<unsigned>(std::stoul(digits));
  return k >= 2 ? k : 0;
}

std::string replica_name(const std::string& chain, unsigned k) {
  return k == 1 ? chain : fmt::format("{}#{}", chain, k);
}

// The stored chains that are replicas of `chain`, by replica number.
std::map<unsigned, runtime::StoredChain> replicas_of(const runtime::ClusterStore& store, const std::string& chain) {
  std::map<unsigned, runtime::StoredChain> out;
  for (const runtime::StoredChain& c : store.chains()) {
    if (const unsigned k = replica_number(c.name, chain)) out.emplace(k, c);
  }
  return out;
}

// The InputError for a chain name that is not deployed, naming those that are.
InputError not_deployed(const runtime::ClusterStore& store, const std::string& chain) {
  std::string names;
  for (const runtime::StoredChain& c : store.chains()) {
    if (c.name.find('#') == std::string::npos) names += (names.empty() ? "" : ", ") + c.name;
  }
  return InputError("CHAIN: " + chain + " is not deployed (" +
                    (names.empty() ? std::string("no chain is") : "deployed: " + names) + ")");
}

// Waits until the daemon's rounds have placed and started every chain of `ids` (stored just before), printing each
// VF's node. Returns once they all run. When a round could not place one, prints its reason at once and throws
// CommandExit(kExitPending) (the chain stays stored: the daemon tries again every round); when `wait_s` ends before
// the daemon has answered for every chain, throws CommandFailed.
void await_placement(const fs::path& dir, const Json& cluster, const std::vector<std::uint32_t>& ids, double wait_s) {
  const double period = cluster.value("period_s", 30.0);
  if (wait_s > 0) {
    fmt::print("waiting for the orchestrator's next round (it probes every {} s; at most {} s)\n", period, wait_s);
  }
  std::fflush(stdout);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  std::set<std::uint32_t> waiting(ids.begin(), ids.end());
  for (;;) {
    const auto opened = open_store(dir, cluster);
    const runtime::ClusterStore& store = *opened;
    for (auto it = waiting.begin(); it != waiting.end();) {
      const auto c = store.chain(*it);
      if (!c) throw CommandFailed(fmt::format("chain id {} was deleted while deploy waited for it", *it));
      const ChainManifest m = parse_chain_manifest(c->manifest_yaml, c->name);
      if (!c->placements.empty() && c->placements.size() == m.functions.size()) {
        if (ids.size() > 1) fmt::print("chain {} (id {}):\n", c->name, c->id);
        for (const runtime::VfPlacement& p : c->placements) {
          fmt::print("  {:<10} -> {}\n", m.functions.at(p.index).name, p.node);
        }
        it = waiting.erase(it);
      } else if (!c->note.empty()) {
        fmt::print("  not placed yet: {}\n", c->note);
        std::fflush(stdout);
        // The note names the chain first ("NAME: why"); the line below names it already.
        const std::string why = c->note.rfind(c->name + ": ", 0) == 0 ? c->note.substr(c->name.size() + 2) : c->note;
        fmt::print(stderr,
                   "vfo: chain {} is pending: {}; it stays deployed and the orchestrator tries again every round "
                   "(vfo status; vfo delete {})\n",
                   c->name, why, c->name.substr(0, c->name.find('#')));
        throw CommandExit(kExitPending);
      } else {
        ++it;
      }
    }
    std::fflush(stdout);
    if (waiting.empty()) return;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  if (wait_s > 0) {
    throw CommandFailed(fmt::format(
        "the orchestrator has not answered within {} s (is it running? vfo status); the chain stays deployed", wait_s));
  }
}

double placement_wait(const ClusterOptions& o, const Json& cluster) {
  return o.wait_s >= 0 ? o.wait_s : 3 * cluster.value("period_s", 30.0) + 10;
}

void deploy(const ClusterOptions& o) {
  const ChainManifest manifest = load_chain_manifest(o.file);  // bad manifest: one line, exit 2
  const fs::path dir(o.dir);
  const Json cluster = read_cluster(dir);
  const std::string yaml = read_input_file(o.file, "a chain manifest in YAML");
  std::vector<std::uint32_t> ids;
  {
    // As `kubectl apply`: the same manifest again changes nothing; another one for the same name replaces the
    // chain and its replicas (their VFs are stopped by the daemon's next round and the new ones are placed and
    // started whole).
    const auto opened = open_store(dir, cluster);
    runtime::ClusterStore& store = *opened;
    const auto replicas = replicas_of(store, manifest.name);
    unsigned count = 1;
    if (const auto first = replicas.find(1); first != replicas.end()) {
      if (first->second.manifest_yaml == yaml) {
        fmt::print("chain {} (id {}) runs this manifest already: nothing to do\n", manifest.name, first->second.id);
        return;
      }
      fmt::print("chain {} (id {}) has a new manifest: it is replaced (its VFs are stopped and started anew)\n",
                 manifest.name, first->second.id);
      count = replicas.rbegin()->first;
    }
    for (const auto& [k, c] : replicas) store.remove_chain(c.id);
    for (unsigned k = 1; k <= count; ++k) ids.push_back(store.add_chain(replica_name(manifest.name, k), yaml));
  }
  fmt::print("chain {} (id {}{}) handed to the orchestrator\n", manifest.name, ids.front(),
             ids.size() > 1 ? fmt::format(", {} replicas", ids.size()) : "");
  await_placement(dir, cluster, ids, placement_wait(o, cluster));
}

void scale(const ClusterOptions& o) {
  if (o.replicas < 1 || o.replicas > kMaxReplicas) {
    throw InputError(
        fmt::format("--replicas: {} (expected 1 to {}; vfo delete CHAIN removes a chain)", o.replicas, kMaxReplicas));
  }
  const fs::path dir(o.dir);
  const Json cluster = read_cluster(dir);  // a folder without a cluster: one line
  const auto n = static_cast<unsigned>(o.replicas);
  std::vector<std::uint32_t> added;
  {
    const auto opened = open_store(dir, cluster);
    runtime::ClusterStore& store = *opened;
    const auto replicas = replicas_of(store, o.chain);
    if (replicas.count(1) == 0) throw not_deployed(store, o.chain);
    const unsigned before = static_cast<unsigned>(replicas.size());
    if (before == n && replicas.rbegin()->first == n) {
      fmt::print("chain {} has {} replica{} already: nothing to do\n", o.chain, n, n == 1 ? "" : "s");
      return;
    }
    std::string removed;
    for (const auto& [k, c] : replicas) {
      if (k <= n) continue;
      store.remove_chain(c.id);
      removed += (removed.empty() ? "" : ", ") + c.name;
    }
    const std::string& yaml = replicas.at(1).manifest_yaml;
    for (unsigned k = 2; k <= n; ++k) {
      if (replicas.count(k) == 0) added.push_back(store.add_chain(replica_name(o.chain, k), yaml));
    }
    fmt::print("chain {} scaled from {} to {} replica{}", o.chain, before, n, n == 1 ? "" : "s");
    if (!removed.empty()) fmt::print("; removed {}: the orchestrator stops their VFs at its next round", removed);
    fmt::print("\n");
  }
  if (!added.empty()) await_placement(dir, cluster, added, placement_wait(o, cluster));
}

void status(const ClusterOptions& o) {
  const fs::path dir(o.dir);
  const Json cluster = read_cluster(dir);
  runtime::Orchestrator orchestrator(orchestrator_options(dir, cluster));
  bool any_up = daemon_runs(cluster["orchestrator"]);
  for (const Json& d : cluster.value("more_orchestrators", Json::array())) any_up = any_up || daemon_runs(d);
  Json out = {{"cluster", dir.string()}, {"orchestrator", any_up ? "up" : "down"}, {"chains", Json::array()}};
  if (cluster.contains("store")) {
    out["store"] = cluster["store"];
    // Who leads, as the leader last said: shown only while that daemon runs.
    const Json leader = Json::parse(first_line_of(leader_file(dir)), nullptr, false);
    if (leader.is_object() && daemon_runs(leader)) out["leader"] = leader.value("identity", "");
  }
  if (cluster.contains("network")) out["network"] = cluster["network"];
  std::optional<std::string> problem = orchestrator.store_problem();
  if (!problem && fs::exists(store_problem_file(dir))) {  // the daemon's verdict: the store against the agents
    problem = read_input_file(store_problem_file(dir), "the daemon's reason");
    while (!problem->empty() && problem->back() == '\n') problem->pop_back();
  }
  if (problem) {
    // What the store says cannot be trusted: the daemon acts on nothing, and neither does status read it.
    out["store_problem"] = *problem;
    if (o.json) {
      fmt::print("{}\n", out.dump(2));
    } else {
      fmt::print(
          "cluster {} (orchestrator {})\nstore: cannot be trusted: {}; the daemon acts on nothing until it is "
          "repaired\n",
          dir.string(), out["orchestrator"].get<std::string>(), *problem);
    }
    throw CommandFailed("the cluster store cannot be trusted");
  }
  // The nodes as a probe finds them now, with the p_fail of the daemon's last round when it forecasts.
  const bool live = cluster.contains("live");
  Json risk = Json::object();
  if (live && fs::exists(node_risk_file(dir))) {
    try {
      risk = Json::parse(read_input_file(node_risk_file(dir), "the daemon's p_fail by node"), nullptr, false);
    } catch (const InputError&) {  // gone since: the daemon was stopped; status shows no p_fail
    }
  }
  out["nodes"] = Json::array();
  for (const runtime::Orchestrator::NodeView& n : orchestrator.probe_nodes()) {
    const bool refused = n.problem.rfind("PERMISSION_DENIED", 0) == 0;  // its certificate revoked
    Json node = {{"name", n.node}, {"health", n.answered() ? "up" : refused ? "refused" : "not answering"}};
    if (!n.problem.empty()) node["problem"] = n.problem;
    if (n.answered()) {
      node["cpu_pct"] = n.cpu_pct;
      node["ram_pct"] = n.ram_pct;
      node["vfs"] = n.functions;
    }
    if (risk.is_object() && risk.contains(n.node) && risk[n.node].is_number()) node["p_fail"] = risk[n.node];
    out["nodes"].push_back(node);
  }
  for (const runtime::ChainStatus& c : orchestrator.status()) {
    Json chain = {{"name", c.name}, {"id", c.id}, {"epoch", c.epoch}, {"functions", Json::array()}};
    bool whole = !c.functions.empty();
    for (const runtime::VfStatus& f : c.functions) {
      chain["functions"].push_back({{"name", f.name}, {"node", f.node}, {"running", f.running}});
      whole = whole && f.running;
    }
    chain["whole"] = whole;
    chain["state"] = whole ? "whole" : c.functions.empty() ? "pending" : "broken";
    if (!c.reason.empty()) chain["reason"] = c.reason;
    // What the chain's VFs dropped: handshakes refused (no key or another key), messages of an older epoch,
    // and bytes that were no frame or ack.
    Json dropped = {{"refused", 0}, {"stale", 0}, {"malformed", 0}};
    for (std::uint32_t i = 0; i < c.functions.size(); ++i) {
      if (!c.functions[i].running) continue;
      const auto stats = orchestrator.function_stats(c.id, i);
      const Json j = stats ? Json::parse(*stats, nullptr, false) : Json();
      if (!j.is_object()) continue;
      for (const char* counter : {"refused", "stale", "malformed"})
        dropped[counter] = dropped[counter].get<std::uint64_t>() + j.value(counter, 0ull);
      if (i + 1 == c.functions.size()) chain["sink"] = j;
    }
    chain["dropped"] = dropped;
    out["chains"].push_back(chain);
  }
  out["recent_events"] = read_events(dir, kRecentEvents);
  if (const std::string url = first_line_of(metrics_url_file(dir)); !url.empty()) out["metrics"] = url;
  if (o.json) {
    fmt::print("{}\n", out.dump(2));
    return;
  }
  fmt::print("cluster {} (orchestrator {})\n", dir.string(), out["orchestrator"].get<std::string>());
  if (out.contains("store")) {
    fmt::print("store {}; leader: {}\n", out["store"].get<std::string>(),
               out.contains("leader") ? out["leader"].get<std::string>() : std::string("none running"));
  }
  if (out.contains("network")) {
    const Json& n = out["network"];
    fmt::print("network {}: {} namespaces on bridge {} (host {})\n", n["prefix"].get<std::string>(), n["nodes"].size(),
               n["bridge"].get<std::string>(), n["host_address"].get<std::string>());
    for (const Json& node : n["nodes"]) {
      fmt::print("  {:<8} {:<12} {} Mbit/s\n", node["name"].get<std::string>(), node["address"].get<std::string>(),
                 node["rate_mbit"].get<double>());
    }
  }
  fmt::print("nodes:\n  {:<8} {:<14} {:>6} {:>6} {:>4} {:>7}\n", "name", "health", "CPU %", "RAM %", "VFs", "p_fail");
  for (const Json& n : out["nodes"]) {
    const auto number = [&](const char* key, const char* format) {
      return n.contains(key) ? fmt::format(fmt::runtime(format), n[key].get<double>()) : std::string("-");
    };
    fmt::print("  {:<8} {:<14} {:>6} {:>6} {:>4} {:>7}\n", n["name"].get<std::string>(), n["health"].get<std::string>(),
               number("cpu_pct", "{:.1f}"), number("ram_pct", "{:.1f}"), number("vfs", "{:.0f}"),
               number("p_fail", "{:.2f}"));
    if (n["health"] == "refused") fmt::print("           {}\n", n["problem"].get<std::string>());
  }
  for (const Json& c : out["chains"]) {
    fmt::print("chain {} (epoch {}): {}{}\n", c["name"].get<std::string>(), c["epoch"].get<std::uint64_t>(),
               c["state"].get<std::string>(), c.contains("reason") ? ": " + c["reason"].get<std::string>() : "");
    for (const Json& f : c["functions"]) {
      fmt::print("  {:<10} on {:<8} {}\n", f["name"].get<std::string>(), f["node"].get<std::string>(),
                 f["running"].get<bool>() ? "running" : "LOST");
    }
    if (c.contains("sink")) {
      const Json& s = c["sink"];
      // A sink started anew after its node failed counts from the first seq it received; the frames before went
      // to the instance it replaced.
      const std::uint64_t first = s.value("first_seq", 0ull);
      fmt::print("  sink: {} frames{}, last seq {}, out of order {}, latency {:.1f} ms mean\n", s.value("frames", 0ull),
                 first > 1 ? fmt::format(" since seq {} (the seqs before reached the sink it replaced)", first) : "",
                 s.value("last_seq", 0ull), s.value("out_of_order", 0ull), 1000 * s.value("latency_mean_s", 0.0));
    }
    const Json& d = c["dropped"];
    if (d["refused"] != 0 || d["stale"] != 0 || d["malformed"] != 0) {
      fmt::print("  dropped: {} connections refused (no or another key), {} messages of an older epoch, {} malformed\n",
                 d["refused"].get<std::uint64_t>(), d["stale"].get<std::uint64_t>(),
                 d["malformed"].get<std::uint64_t>());
    }
  }
  if (!out["recent_events"].empty()) {
    fmt::print("recent events (vfo events for all):\n");
    for (const Json& e : out["recent_events"]) fmt::print("  {}\n", event_line(e));
  }
  if (out.contains("metrics")) fmt::print("metrics for Prometheus: {}\n", out["metrics"].get<std::string>());
}

// `vfo status --watch S`: the status again every S seconds, the screen cleared on a terminal, until interrupted; a
// status that fails (the daemon down, the store distrusted) is shown and the watch goes on.
void watch_status(const ClusterOptions& o) {
  if (!(o.watch_s >= 0.2 && o.watch_s <= 3600)) throw InputError("--watch: expected 0.2 to 3600 seconds");
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  ClusterOptions once = o;
  once.watch_s = 0;
  for (;;) {
    if (terminal) fmt::print("\033[H\033[2J");
    try {
      status(once);
    } catch (const CommandFailed& e) {
      fmt::print("{}\n", e.what());
    }
    fmt::print("(every {} s; Ctrl-C ends the watch)\n", o.watch_s);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::duration<double>(o.watch_s));
  }
}

// `vfo logs TARGET`: the log of a node's agent (node-3), of the orchestrator daemon (orchestrator), or of a VF
// (CHAIN/VF by the manifest's names, or its id c1/2), from the cluster's logs folder; the last --tail N lines.
void logs(const ClusterOptions& o) {
  const fs::path dir(o.dir);
  const Json cluster = read_cluster(dir);
  if (o.tail < 0) throw InputError("--tail: expected a number of lines >= 0");
  std::string file;
  std::vector<std::string> known = {"orchestrator"};
  for (const Json& a : cluster["agents"]) known.push_back(a["name"].get<std::string>());
  if (std::find(known.begin(), known.end(), o.target) != known.end()) file = o.target;
  const auto store = open_store(dir, cluster);
  for (const runtime::StoredChain& c : store->chains()) {
    const ChainManifest m = parse_chain_manifest(c.manifest_yaml, c.name);
    for (std::uint32_t i = 0; i < m.functions.size(); ++i) {
      const std::string id = fmt::format("c{}/{}", c.id, i);
      const std::string named = c.name + "/" + m.functions[i].name;
      known.push_back(named);
      if (o.target == named || o.target == id) file = fmt::format("c{}_{}", c.id, i);
    }
  }
  if (file.empty()) {
    std::string names;
    for (const std::string& k : known) names += (names.empty() ? "" : ", ") + k;
    throw InputError(fmt::format("'{}' is no node, VF or orchestrator of the cluster in {} (expected one of: {})",
                                 o.target, dir.string(), names));
  }
  const fs::path log = dir / "logs" / (file + ".log");
  if (!fs::exists(log)) {
    throw CommandFailed(fmt::format("{}: no log yet ({} has not started there)", log.string(), o.target));
  }
  std::ifstream in(log);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (o.tail > 0 && lines.size() > static_cast<std::size_t>(o.tail)) lines.pop_front();
  }
  for (const std::string& line : lines) fmt::print("{}\n", line);
}

void delete_chain(const ClusterOptions& o) {
  const fs::path dir(o.dir);
  const auto opened = open_store(dir, read_cluster(dir));  // a folder without a cluster: one line
  runtime::ClusterStore& store = *opened;
  const auto replicas = replicas_of(store, o.chain);
  if (replicas.count(1) == 0) throw not_deployed(store, o.chain);
  for (const auto& [k, c] : replicas) store.remove_chain(c.id);
  fmt::print("chain {} (id {}){} deleted; the orchestrator stops its VFs at its next round\n", o.chain,
             replicas.at(1).id,
             replicas.size() > 1
                 ? fmt::format(" and its {} other replica{}", replicas.size() - 1, replicas.size() > 2 ? "s" : "")
                 : std::string());
}

void events(const ClusterOptions& o) {
  const fs::path dir(o.dir);
  if (!fs::exists(cluster_file(dir)) && !fs::exists(dir / kEventFiles[0])) {
    throw InputError(dir.string() + ": no cluster here (expected a folder of vfo up)");
  }
  const std::vector<Json> all = read_events(dir, o.tail > 0 ? static_cast<std::size_t>(o.tail) : 0);
  if (o.json) {
    fmt::print("{}\n", Json(all).dump(2));
    return;
  }
  if (all.empty()) fmt::print("no events yet in {}\n", dir.string());
  for (const Json& e : all) fmt::print("{}\n", event_line(e));
}

// The entry of `cluster`'s agent named `node`; an InputError naming the nodes it has when there is none.
Json& agent_named(Json& cluster, const std::string& node) {
  std::string names;
  for (Json& a : cluster["agents"]) {
    if (a["name"] == node) return a;
    names += (names.empty() ? "" : ", ") + a["name"].get<std::string>();
  }
  throw InputError("NODE: " + node + " is not a node of the cluster (expected one of " + names + ")");
}

// As agent_named, for a node whose agent `vfo up` started on this machine (it alone can kill or start it again).
Json& local_agent_named(Json& cluster, const std::string& node) {
  Json& a = agent_named(cluster, node);
  if (!a.contains("pid")) {
    throw InputError("NODE: " + node + " was started by hand (" +
                     (a.value("joined", false) ? "it joined" : "from the inventory") +
                     "), not by vfo up: stop or start its agent on its machine");
  }
  return a;
}

void chaos_kill(const ClusterOptions& o) {
  Json cluster = read_cluster(o.dir);
  const Json& agent = local_agent_named(cluster, o.node);
  if (!daemon_runs(agent) || !signal_daemon(agent, SIGKILL)) throw CommandFailed(o.node + " is not running");
  fmt::print("killed {} (pid {}) and its VFs\n", o.node, agent.value("pid", 0L));
}

// How many events of `kind` about `node` (their text starts with its name) the cluster in `dir` has logged.
std::size_t node_events(const fs::path& dir, const std::string& kind, const std::string& node) {
  std::size_t n = 0;
  for (const Json& e : read_events(dir, 0)) {
    n += e.value("kind", "") == kind && e.value("text", "").rfind(node + " ", 0) == 0;
  }
  return n;
}

// Waits until the daemon has logged one more event of `kind` about `node` than `before`, for at most `wait_s`
// seconds; whether it did.
bool await_node_event(const fs::path& dir, const std::string& kind, const std::string& node, std::size_t before,
                      double wait_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  for (;;) {
    if (node_events(dir, kind, node) > before) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

// `vfo chaos restart NODE`: kills the node's agent (its VFs die with it), waits until the orchestrator has seen it
// fail, starts it again as `vfo up` did on the same address, and waits until the orchestrator sees it back.
void chaos_restart(const ClusterOptions& o) {
  const fs::path dir(o.dir);
  Json cluster = read_cluster(dir);
  Json* agent = &local_agent_named(cluster, o.node);
  if (!agent->contains("program") || !(*agent)["program"].is_string() || !agent->contains("args") ||
      !(*agent)["args"].is_array()) {
    throw InputError(cluster_file(dir).string() + ": " + o.node +
                     " has no record of how it was started (the cluster folder is damaged)");
  }
  const bool watched = daemon_runs(cluster["orchestrator"]);
  const double wait_s = 3 * cluster.value("period_s", 30.0) + 10;
  const std::size_t failed_before = node_events(dir, "node-failed", o.node);
  const std::size_t back_before = node_events(dir, "node-back", o.node);
  const Json old = *agent;
  const long old_pid = old.value("pid", 0L);
  if (daemon_runs(old) && signal_daemon(old, SIGKILL)) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (daemon_runs(old) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    if (daemon_runs(old)) throw CommandFailed(fmt::format("{} (pid {}) outlived SIGKILL for 10 s", o.node, old_pid));
    fmt::print("killed {} (pid {}) and its VFs\n", o.node, old_pid);
  } else {
    fmt::print("{} was not running\n", o.node);
  }
  std::fflush(stdout);
  if (!watched) {
    fmt::print("the orchestrator does not run: nobody watches {} fail and come back\n", o.node);
  } else if (await_node_event(dir, "node-failed", o.node, failed_before, wait_s)) {
    fmt::print("the orchestrator saw {} fail\n", o.node);
  } else {
    fmt::print("the orchestrator did not see {} fail within {} s (vfo events)\n", o.node, wait_s);
  }
  std::fflush(stdout);
  // The same program and arguments, serving on the address the orchestrator knows.
  std::vector<std::string> args = (*agent)["args"].get<std::vector<std::string>>();
  const std::string address = (*agent)["address"];
  const auto listen = std::find(args.begin(), args.end(), "--listen");
  if (listen != args.end() && listen + 1 != args.end()) {
    *(listen + 1) = address;
  } else {
    args.insert(args.end(), {"--listen", address});
  }
  const fs::path ready = dir / "logs" / (o.node + ".ready");
  const fs::path log = dir / "logs" / (o.node + ".log");
  fs::remove(ready);
  pid_t pid = -1;
  {  // A Ctrl-C before the agent is ready ends it: it is recorded nowhere yet.
    const HeldSignals held;
    pid = runtime::spawn_daemon((*agent)["program"].get<std::string>(), args, ready.string(), log.string());
    std::optional<std::string> line;
    try {
      line = first_line(ready, 20s, held);
    } catch (...) {
      ::kill(pid, SIGKILL);
      throw;
    }
    if (!line) {
      ::kill(pid, SIGKILL);
      throw CommandFailed(fmt::format("{} did not start again on {} (see {})", o.node, address, log.string()));
    }
  }
  agent->update(daemon_record(pid));
  write_file_atomically(cluster_file(dir), cluster.dump(2) + "\n");
  fmt::print("{} started again (pid {}) on {}, without VFs\n", o.node, pid, address);
  std::fflush(stdout);
  if (!watched) return;
  if (await_node_event(dir, "node-back", o.node, back_before, wait_s)) {
    fmt::print("the orchestrator sees {} again: it places VFs there as on any node\n", o.node);
  } else {
    throw CommandFailed(fmt::format("the orchestrator has not seen {} back within {} s (vfo events)", o.node, wait_s));
  }
}

void chaos_stress(const ClusterOptions& o) {
  const auto pct_ok = [](double v) { return v >= 0 && v <= 100; };
  if (!pct_ok(o.cpu_pct)) throw InputError(fmt::format("--cpu: {} (expected 0 to 100)", o.cpu_pct));
  if (!pct_ok(o.ram_pct)) throw InputError(fmt::format("--ram: {} (expected 0 to 100)", o.ram_pct));
  if (!(o.for_s > 0 && o.for_s <= 86'400)) throw InputError("--for: expected 0 < seconds <= 86400");
  if (!(o.ramp_s >= 0 && o.ramp_s <= o.for_s)) throw InputError("--ramp: expected 0 <= ramp <= --for");
  Json cluster = read_cluster(o.dir);
  const Json& a = agent_named(cluster, o.node);
  runtime::AgentClient agent(a["address"], runtime::Identity::from_dir(certs_dir(o.dir, cluster), "orchestrator"), 5s,
                             o.node);
  std::string error;
  if (!agent.stress(o.cpu_pct, o.ram_pct, o.ramp_s, o.for_s, &error)) throw CommandFailed(o.node + ": " + error);
  fmt::print("stressing {}: CPU {}%, RAM {}% of the node, rising over {} s, for {} s\n", o.node, o.cpu_pct, o.ram_pct,
             o.ramp_s, o.for_s);
}

// `vfo certs DIR [--nodes N] | --issue NAME | --revoke NAME`.
void certs_command(const ClusterOptions& o) {
  const fs::path dir(o.file);
  if (!o.issue.empty() || !o.revoke.empty()) {
    if (!o.issue.empty() && !o.revoke.empty()) throw InputError("--issue and --revoke: one at a time");
    if (o.nodes >= 0) throw InputError("--nodes: not with --issue or --revoke (they use DIR's CA)");
    if (!fs::exists(dir / "ca.key")) {
      throw InputError("DIR: " + (dir / "ca.key").string() + " is missing (expected a folder of vfo certs)");
    }
  }
  if (!o.issue.empty()) {
    if (!valid_node_name(o.issue)) {
      throw InputError("--issue: '" + o.issue +
                       "' (expected 1 to 63 letters, digits and '-', not orchestrator: the node's name)");
    }
    const fs::path bundle = dir / "nodes" / o.issue;
    runtime::issue_node_certificate(dir, o.issue, bundle);
    fmt::print(
        "certificate of {} in {}/ (ca.pem, {}.pem, {}.key, data-plane.key): copy the folder to the node and start its "
        "agent with --name {} --certs FOLDER\n",
        o.issue, bundle.string(), o.issue, o.issue, o.issue);
    return;
  }
  if (!o.revoke.empty()) {
    std::string fingerprint;
    try {
      fingerprint = runtime::revoke_certificate(dir, o.revoke);
    } catch (const std::runtime_error& e) {
      throw InputError(std::string("--revoke: ") + e.what());
    }
    fmt::print("revoked the certificate of {} ({}) in {}: the orchestrator refuses it from its next probe on\n",
               o.revoke, fingerprint, (dir / "revoked").string());
    return;
  }
  const int nodes = o.nodes < 0 ? 8 : o.nodes;
  if (nodes > 1000) throw InputError(fmt::format("--nodes: {} (expected 0 to 1000)", nodes));
  std::vector<std::string> names = {"orchestrator"};
  for (int i = 1; i <= nodes; ++i) names.push_back("node-" + std::to_string(i));
  runtime::write_cluster_certificates(dir, names);
  fmt::print("certificates: {}/ca.pem (the cluster CA) and a key pair for the orchestrator{}\n", dir.string(),
             nodes > 0 ? fmt::format(" and node-1..node-{}", nodes) : "");
}

void down(const ClusterOptions& o) {
  const fs::path dir(o.dir);
  if (!fs::exists(cluster_file(dir))) {  // nothing to do, as for a second `kubectl delete --ignore-not-found`
    if (fs::exists(dir / "logs") || fs::exists(dir / kEventFiles[0])) {
      fmt::print("the cluster in {} is already down; nothing to stop (its logs are in {})\n", dir.string(),
                 (dir / "logs").string());
    } else {
      fmt::print("no cluster was ever started in {}; nothing to stop\n", dir.string());
    }
    return;
  }
  const Json cluster = read_cluster(dir);
  const std::size_t processes = stop_processes(cluster);
  if (const auto etcd = etcd_store(dir, cluster)) {
    try {
      runtime::EtcdStore::wipe(*etcd);
    } catch (const std::runtime_error& e) {
      fmt::print("  the store in {} was left as it is: {}\n", etcd->url, e.what());
    }
  }
  remove_network(cluster);  // before cluster.json goes: a failed removal can be retried with vfo down
  fs::remove(cluster_file(dir));
  fs::remove(dir / "cluster.db");
  fmt::print("cluster in {} stopped ({} processes); logs kept in {}\n", dir.string(), processes,
             (dir / "logs").string());
  if (cluster.contains("network")) {
    fmt::print("  network {} removed ({} namespaces and bridge {})\n", cluster["network"]["prefix"].get<std::string>(),
               cluster["network"]["nodes"].size(), cluster["network"]["bridge"].get<std::string>());
  }
}

}  // namespace

void add_orchestrator_command(CLI::App& app, ModelLoader loader) {
  auto o = std::make_shared<ClusterOptions>();
  CLI::App* daemon = app.add_subcommand("orchestrator", "The orchestrator daemon (vfo up starts it)");
  daemon->add_option("--cluster", o->dir, "the cluster's folder")->capture_default_str()->envname("VFO_CLUSTER");
  daemon->add_option("--member", o->member, "which of vfo up's orchestrators it is (1 to 5: its log's name)")
      ->capture_default_str();
  if (loader) daemon->group("");  // vfo-forecast's: vfo up runs it; not a command of vfo forecast
  daemon->callback([o, loader] { orchestrator_daemon(*o, loader); });
}

void add_cluster_commands(CLI::App& app) {
  auto o = std::make_shared<ClusterOptions>();
  const auto cluster_flag = [o](CLI::App* c) {
    c->add_option("--cluster", o->dir, "the cluster's folder (default: $VFO_CLUSTER, else results/cluster)")
        ->capture_default_str()
        ->envname("VFO_CLUSTER");
  };
  CLI::App* up_cmd = app.add_subcommand("up", "Start a local edge cluster: agents on loopback and the orchestrator");
  up_cmd->add_option("--nodes", o->nodes,
                     "edge agents to start on this machine (default 8; 0 with --inventory or --join-listen)");
  up_cmd->add_option("--inventory", o->inventory,
                     "nodes whose agents were started by hand: a YAML file, nodes: [{name: NAME, address: HOST:PORT}]");
  up_cmd->add_option("--join-listen", o->join_listen,
                     "take joins of agents started with --join at HOST:PORT (PORT 0: a free one)");
  up_cmd->add_option("--certs", o->certs,
                     "the cluster's certificates: a folder of vfo certs, whose CA issued the nodes' bundles (default: "
                     "new ones in DIR/certs)");
  up_cmd->add_option("--period", o->period_s, "probing period (s)")->capture_default_str();
  up_cmd->add_option("--store", o->store,
                     "keep the orchestrator's store in etcd: etcd://HOST:PORT[,HOST:PORT...][/PREFIX] (default: "
                     "DIR/cluster.db)");
  up_cmd
      ->add_option("--orchestrators", o->orchestrators,
                   "orchestrator daemons to start; one leads, the others take over when it dies (needs --store)")
      ->capture_default_str();
  CLI::Option* netns = up_cmd->add_flag(
      "--netns", o->netns,
      "as root: each agent in a network namespace on a bridge, its link shaped by tbf (else loopback)");
  up_cmd->add_option("--rate", o->rate_mbit, "with --netns: every node's link rate (Mbit/s, each direction)")
      ->capture_default_str()
      ->needs(netns);
  up_cmd->add_option("--node-rate", o->node_rates, "with --netns: NODE=MBIT, one node's link rate (repeatable)")
      ->needs(netns);
  up_cmd
      ->add_option("--node-cpus", o->node_cpus,
                   "emulate nodes of this many cores each: a node's VFs and stress share them, and its probes read "
                   "their share (default: every node reads the machine's CPU)")
      ->check(non_negative_number());
  up_cmd->add_option("--node-ram-mb", o->node_ram_mb, "each emulated node's RAM (default: the machine's)")
      ->check(non_negative_number());
  up_cmd->add_option("--record", o->record_dir, "each agent appends its node's trace to DIR/<node>.csv every 5 s");
  up_cmd
      ->add_option("--exec-root", o->exec_root,
                   "the agents run exec VFs (your programs on the VF SDK) in this folder; without it they run none")
      ->check(CLI::ExistingDirectory);
  up_cmd
      ->add_option("--metrics", o->metrics,
                   "where the orchestrator serves Prometheus metrics, HOST:PORT (PORT 0: a free one)")
      ->capture_default_str();
  up_cmd->add_flag("--live", o->live, "forecast-driven live migration: move the VFs of a node whose p_fail >= K");
  up_cmd->add_option("--k", o->k, "with --live: the threshold K on p_fail")->capture_default_str();
  up_cmd->add_option("--horizon", o->horizon_s, "with --live: how far ahead the forecaster looks (default: 5 periods)");
  CLI::Option* model = up_cmd->add_option(
      "--model", o->model,
      "live migration on a trained model (a folder of vfo forecast train) instead of the trend forecaster; its "
      "interval must be a whole number of probing periods");
  up_cmd->add_flag("--unguarded", o->unguarded, "with --model: the model alone, without its baselines' guard")
      ->needs(model);
  cluster_flag(up_cmd);
  up_cmd->callback([o] { up(*o); });

  CLI::App* certs = app.add_subcommand(
      "certs", "Write a cluster's certificates (a CA, the orchestrator, node-1..N), issue a node's, or revoke one");
  certs->add_option("DIR", o->file, "folder to write them to")->required();
  certs->add_option("--nodes", o->nodes, "nodes node-1..N (default 8)");
  certs->add_option("--issue", o->issue,
                    "issue node NAME a key pair from DIR's CA, in DIR/nodes/NAME: the folder to copy to the node");
  certs->add_option("--revoke", o->revoke,
                    "revoke the certificate of NAME (a member of DIR, or an issued node): the orchestrator refuses it "
                    "from its next probe on");
  certs->callback([o] { certs_command(*o); });

  add_orchestrator_command(app);

  CLI::App* deploy_cmd = app.add_subcommand("deploy", "Deploy a chain manifest on the local cluster");
  deploy_cmd->add_option("FILE", o->file, "chain manifest (YAML)")->required();
  deploy_cmd->add_option("--wait", o->wait_s, "seconds to wait for the placement (default: 3 periods + 10 s)");
  cluster_flag(deploy_cmd);
  deploy_cmd->callback([o] { deploy(*o); });

  CLI::App* status_cmd = app.add_subcommand(
      "status", "Nodes (health, CPU, RAM, VFs, p_fail), chains, VF -> node, and what the sinks receive");
  status_cmd->add_flag("--json", o->json, "print JSON");
  status_cmd->add_option("--watch", o->watch_s, "print it again every S seconds until Ctrl-C");
  cluster_flag(status_cmd);
  status_cmd->callback([o] { o->watch_s != 0 ? watch_status(*o) : status(*o); });

  CLI::App* logs_cmd = app.add_subcommand("logs", "The log of a node's agent, of the orchestrator, or of a VF");
  logs_cmd->add_option("TARGET", o->target, "node-3, orchestrator, CHAIN/VF (e.g. pedestrian-detection/detect) or c1/2")
      ->required();
  logs_cmd->add_option("--tail", o->tail, "only the last N lines (0: all)")->capture_default_str();
  cluster_flag(logs_cmd);
  logs_cmd->callback([o] { logs(*o); });

  CLI::App* delete_cmd =
      app.add_subcommand("delete", "Delete a deployed chain: the orchestrator stops its VFs at its next round");
  delete_cmd->add_option("CHAIN", o->chain, "the chain's name (its manifest's)")->required();
  cluster_flag(delete_cmd);
  delete_cmd->callback([o] { delete_chain(*o); });

  CLI::App* scale_cmd = app.add_subcommand(
      "scale", "Run N replicas of a deployed chain: whole copies of it (its own source, VFs and sink), CHAIN#2..#N");
  scale_cmd->add_option("CHAIN", o->chain, "the chain's name (its manifest's)")->required();
  scale_cmd->add_option("--replicas", o->replicas, "how many copies of the chain run, the chain itself included")
      ->required();
  scale_cmd->add_option("--wait", o->wait_s,
                        "seconds to wait for the new replicas' placement (default: 3 periods + 10 s)");
  cluster_flag(scale_cmd);
  scale_cmd->callback([o] { scale(*o); });

  CLI::App* events_cmd = app.add_subcommand(
      "events", "What the orchestrator saw and did: nodes failing and back, VFs ended, migrations, errors");
  events_cmd->add_flag("--json", o->json, "print JSON");
  events_cmd->add_option("--tail", o->tail, "only the last N")->check(CLI::Range(1, 1'000'000));
  cluster_flag(events_cmd);
  events_cmd->callback([o] { events(*o); });

  CLI::App* chaos = app.add_subcommand("chaos", "Inject failures");
  chaos->require_subcommand(1);
  CLI::App* kill_cmd = chaos->add_subcommand("kill", "SIGKILL a node's agent (and with it its VFs)");
  kill_cmd->add_option("NODE", o->node, "e.g. node-3")->required();
  cluster_flag(kill_cmd);
  kill_cmd->callback([o] { chaos_kill(*o); });
  CLI::App* restart_cmd = chaos->add_subcommand(
      "restart", "Kill a node's agent (and its VFs), wait until the orchestrator sees it fail, start it again");
  restart_cmd->add_option("NODE", o->node, "e.g. node-3")->required();
  cluster_flag(restart_cmd);
  restart_cmd->callback([o] { chaos_restart(*o); });
  CLI::App* stress_cmd =
      chaos->add_subcommand("stress", "Load a node's CPU and RAM (a stress process among its VFs), rising over --ramp");
  stress_cmd->add_option("NODE", o->node, "e.g. node-3")->required();
  stress_cmd->add_option("--cpu", o->cpu_pct, "percent of the node's CPU")->capture_default_str();
  stress_cmd->add_option("--ram", o->ram_pct, "percent of the node's RAM")->capture_default_str();
  stress_cmd->add_option("--ramp", o->ramp_s, "seconds to rise to those")->capture_default_str();
  stress_cmd->add_option("--for", o->for_s, "seconds in all")->capture_default_str();
  cluster_flag(stress_cmd);
  stress_cmd->callback([o] { chaos_stress(*o); });
  add_soak_command(*chaos);

  CLI::App* down_cmd =
      app.add_subcommand("down", "Stop the local cluster (a cluster already down, or none: nothing to do, exit 0)");
  cluster_flag(down_cmd);
  down_cmd->callback([o] { down(*o); });
}

}  // namespace vfo::cli
