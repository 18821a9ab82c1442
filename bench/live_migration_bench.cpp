// Live-migration benchmark: downtime and total time of moving a compute VF between two nodes against its
// state size and dirty rate, pre-copy against stop-and-copy, on 98 Mbit/s tbf-shaped links between network
// namespaces (vfo/runtime/node_network.hpp). Target: downtime under 100 ms for 64 MB of state at a moderate dirty
// rate (2 MB/s; counter meets_target on that pre-copy case).
//   ./build/bench/vfo_bench --benchmark_filter=LiveMigration
// Needs root (namespaces, tc); elsewhere every case is skipped with the reason. Each iteration runs a chain of
// `vfo-function` processes, driven over their pipes (vfo/runtime/function_process.hpp): a source and a sink in
// node 0, the compute in node 1, its --incoming target in node 2; it migrates node 1 -> node 2 while frames flow,
// rewires the chain through the target (epoch 2) and checks at the sink that every frame arrived once, in order.
// Time (manual): the migration's total time, from the order to the target's word that it restored. Counters:
//   downtime_ms  the target's first frame - the source's freeze (includes rewiring the chain)
//   total_s      the same as the time column, in seconds
//   rounds       pre-copy rounds before the freeze (0: stop-and-copy)
//   first_mb     bytes of the first round (pre-copy: the whole state; stop-and-copy: the frozen copy)
//   precopy_mb   bytes sent while the VF ran (every pre-copy round)
//   final_kb     bytes of the frozen round (what the downtime waits for)
// MB here is MiB (2^20 bytes), for state sizes and dirty rates alike. The cases ending in /curve run the data
// plane and the state link with CurveZMQ, as the runtime does (vfo/runtime/data_plane_keys.hpp); the others
// without, so that the pair at 64 MB and 2 MB/s shows what the encryption costs.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/runtime/live_migration.hpp"
#include "vfo/runtime/node_network.hpp"

namespace {

using Json = nlohmann::json;
using vfo::runtime::ChildProcess;
using vfo::runtime::MigrationReport;
using vfo::runtime::NodeNetwork;
using namespace std::chrono_literals;

constexpr double kLinkMbit = 98;
constexpr double kFps = 30;
constexpr std::uint64_t kMiB = 1 << 20;

// The vfo-function binary: built next to `vfo` (the top-level CMakeLists puts both in the build's root).
std::string function_binary() {
  return (std::filesystem::path(VFO_BINARY).parent_path() / "vfo-function").string();
}

// The 3-node network shared by every case, made on first use and removed at exit; nullptr with `why` set when
// this machine cannot make one (not root, no iproute2, no tbf).
NodeNetwork* shared_network(std::string* why) {
  // unavailable_reason() first: it makes the statics (the paths of ip and tc) that ~NodeNetwork needs, so that
  // they are destroyed after the network at exit.
  static const std::optional<std::string> unavailable = NodeNetwork::unavailable_reason();
  static std::string failure;
  static const std::unique_ptr<NodeNetwork> network = []() -> std::unique_ptr<NodeNetwork> {
    if (unavailable) return nullptr;
    try {
      std::vector<vfo::runtime::NodeLinkSpec> links;
      for (int i = 0; i < 3; ++i) links.push_back({"node-" + std::to_string(i), kLinkMbit});
      return std::make_unique<NodeNetwork>("lb" + std::to_string(getpid() % 100000), links);
    } catch (const std::exception& e) {
      failure = e.what();
      return nullptr;
    }
  }();
  if (network == nullptr) *why = "no network namespaces here: " + (unavailable ? *unavailable : failure);
  return network.get();
}

// One vfo-function process in a node's namespace; its ready line parsed. Stopped (then killed) on destruction,
// its stderr file removed.
class Function {
 public:
  // With `keys` ({"public","secret","state_peer"}), the data plane speaks CurveZMQ (function_process.hpp).
  Function(const NodeNetwork& network, std::size_t node, const std::string& name, std::vector<std::string> args,
           const Json& keys = nullptr)
      : name_(name),
        stderr_path_(std::filesystem::temp_directory_path() / fmt::format("vfo-bench-live-{}-{}.err", getpid(), name)) {
    std::vector<std::string> argv = network.exec_prefix(node);
    const std::string program = argv.front();
    argv.erase(argv.begin());
    argv.push_back(function_binary());
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--bind");
    argv.push_back(network.node_address(node));
    if (!keys.is_null()) argv.push_back("--keys-from-stdin");
    process_ = std::make_unique<ChildProcess>(program, argv, stderr_path_.string());
    if (!keys.is_null() && !process_->write_line(keys.dump())) throw std::runtime_error(name_ + ": no stdin");
    const Json ready = reply(10s);
    if (!ready.value("ready", false)) throw std::runtime_error(name_ + ": no ready line: " + ready.dump());
    data = ready.value("data", "");
    ack = ready.value("ack", "");
    state = ready.value("state", "");
  }

  ~Function() {
    if (process_->write_line(R"({"cmd":"stop"})")) static_cast<void>(process_->read_line(2s));
    for (int i = 0; i < 200 && !process_->exited(); ++i) std::this_thread::sleep_for(10ms);
    if (!process_->exited()) process_->kill(SIGKILL);
    process_->wait();
    std::error_code ignored;
    std::filesystem::remove(stderr_path_, ignored);  // what went wrong is in the error already
  }

  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  // Sends one command line and returns its reply; throws when none comes within `timeout`.
  Json command(const Json& cmd, std::chrono::milliseconds timeout = 10s) {
    if (!process_->write_line(cmd.dump())) throw std::runtime_error(name_ + " is gone" + stderr_tail());
    return reply(timeout);
  }

  void rewire(std::uint64_t epoch, const std::string& downstream, const std::string& upstream_ack) {
    const Json r =
        command({{"cmd", "rewire"}, {"epoch", epoch}, {"downstream", downstream}, {"upstream_ack", upstream_ack}});
    if (!r.value("ok", false)) throw std::runtime_error(name_ + ": rewire refused: " + r.dump());
  }

  Json stats() { return command({{"cmd", "stats"}}); }

  std::string data, ack, state;  // endpoints from the ready line

 private:
  Json reply(std::chrono::milliseconds timeout) {
    const std::optional<std::string> line = process_->read_line(timeout);
    if (!line) throw std::runtime_error(name_ + ": no reply" + stderr_tail());
    return Json::parse(*line);
  }

  std::string stderr_tail() const {
    std::ifstream in(stderr_path_);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    return s.empty() ? std::string() : " (stderr: " + s.substr(s.size() > 300 ? s.size() - 300 : 0) + ")";
  }

  std::string name_;
  std::filesystem::path stderr_path_;
  std::unique_ptr<ChildProcess> process_;
};

// Polls `done` every 20 ms for at most `timeout`; whether it became true.
template <typename Predicate>
bool wait_for(Predicate done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

struct Case {
  const char* protocol;  // for the name
  int max_rounds;        // 0: stop-and-copy
  double state_mb;
  double dirty_mb_per_s;
  bool curve = false;  // the data plane and the state link with CurveZMQ, as an agent runs them
};

struct Outcome {
  MigrationReport report;
  double downtime_s = 0;
};

// One live migration on a fresh chain; throws std::runtime_error with what went wrong.
Outcome migrate_once(const NodeNetwork& network, const Case& c) {
  const auto state_bytes = static_cast<std::uint64_t>(c.state_mb * kMiB);
  const auto dirty_per_frame = static_cast<std::uint64_t>(c.dirty_mb_per_s * kMiB / kFps);
  const std::vector<std::string> compute_args = {"compute",
                                                 "--fps",
                                                 fmt::format("{}", kFps),
                                                 "--instructions",
                                                 "20000",
                                                 "--state-bytes",
                                                 std::to_string(state_bytes),
                                                 "--dirty-bytes",
                                                 std::to_string(dirty_per_frame)};
  std::vector<std::string> target_args = compute_args;
  target_args.push_back("--incoming");
  const std::string fps = fmt::format("{}", kFps);
  // With CURVE: the cluster's key pair for every host, and the migration's one-time key for the state link.
  const vfo::runtime::CurveKeyPair cluster = vfo::runtime::make_curve_key_pair();
  const vfo::runtime::CurveKeyPair once = vfo::runtime::make_curve_key_pair();
  const auto keys = [&](const std::string& state_peer) -> Json {
    if (!c.curve) return nullptr;
    return {{"public", cluster.public_key}, {"secret", cluster.secret_key}, {"state_peer", state_peer}};
  };
  // Declared so that they are destroyed (stopped) in reverse: target, compute, sink, source.
  Function source(network, 0, "source", {"source", "--fps", fps, "--payload-bytes", "1000"}, keys(""));
  Function sink(network, 0, "sink", {"sink"}, keys(""));
  Function compute(network, 1, "compute", compute_args, keys(""));
  Function target(network, 2, "target", target_args, keys(once.public_key));
  if (target.state.empty()) throw std::runtime_error("the --incoming target has no state endpoint");

  source.rewire(1, compute.data, "");
  compute.rewire(1, sink.data, source.ack);
  sink.rewire(1, "", compute.ack);
  if (!wait_for([&] { return sink.stats().value("frames", 0ull) >= 30; }, 15s)) {
    throw std::runtime_error("the chain delivered fewer than 30 frames in 15 s");
  }

  Json order = {
      {"cmd", "migrate"}, {"target", target.state}, {"max_rounds", c.max_rounds}, {"threshold_bytes", 256u << 10},
      {"verify", false},  {"timeout_s", 60}};
  if (c.curve) {
    order["key_public"] = once.public_key;
    order["key_secret"] = once.secret_key;
  }
  const Json started = compute.command(order);
  if (!started.value("ok", false)) throw std::runtime_error("migrate refused: " + started.dump());
  Json reply = Json::object();  // the report, once `migration` says it is done (polled as an agent does)
  const auto give_up = std::chrono::steady_clock::now() + 300s;
  while (!reply.value("done", false)) {
    if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("migration: not over after 300 s");
    std::this_thread::sleep_for(5ms);
    reply = compute.command({{"cmd", "migration"}});
  }
  std::string why;
  const std::optional<MigrationReport> report = vfo::runtime::parse_migration_report(reply.dump(), &why);
  if (!report) throw std::runtime_error("migrate: " + why + ": " + reply.dump());
  if (!report->ok()) throw std::runtime_error("migration failed: " + report->error);
  // At once: the chain through the target, with a new epoch (the target first, so that it can forward the
  // source's replay; then the source's downstream; then the sink's acks).
  target.rewire(2, sink.data, source.ack);
  source.rewire(2, target.data, "");
  sink.rewire(2, "", target.ack);

  Outcome out{*report};
  std::int64_t first_frame_ns = 0;
  if (!wait_for([&] { return (first_frame_ns = target.stats().value("first_frame_ns", std::int64_t{0})) > 0; }, 10s)) {
    throw std::runtime_error("the target took no frame within 10 s of its rewire");
  }
  out.downtime_s = static_cast<double>(first_frame_ns - report->freeze_ns) / 1e9;

  // Every frame once at the sink, through the target.
  const std::uint64_t produced = source.stats().value("produced", 0ull);
  Json after;
  if (!wait_for(
          [&] {
            after = sink.stats();
            return after.value("last_seq", 0ull) >= produced + 30;
          },
          10s)) {
    throw std::runtime_error("the sink got no frames through the target: " + after.dump());
  }
  if (after.value("frames", 0ull) != after.value("last_seq", 1ull) || after.value("out_of_order", 1ull) != 0 ||
      after.value("bad_payloads", 1ull) != 0) {
    throw std::runtime_error("the sink did not get every frame once, in order: " + after.dump());
  }
  return out;
}

void BM_LiveMigration(benchmark::State& state, Case c) {
  std::string why;
  NodeNetwork* network = shared_network(&why);
  if (network == nullptr) {
    state.SkipWithError(why.c_str());
    return;
  }
  if (!std::filesystem::exists(function_binary())) {
    state.SkipWithError(("no " + function_binary() + " (build the vfo-function target)").c_str());
    return;
  }
  Outcome last;
  double downtime_sum = 0, total_sum = 0;
  for (auto _ : state) {
    try {
      last = migrate_once(*network, c);
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
    const MigrationReport& r = last.report;
    const double total_s = static_cast<double>(r.restored_ns - r.start_ns) / 1e9;
    state.SetIterationTime(total_s);
    downtime_sum += last.downtime_s;
    total_sum += total_s;
  }
  if (state.error_occurred()) return;
  const auto n = static_cast<double>(state.iterations());
  const MigrationReport& r = last.report;
  std::uint64_t precopy_bytes = 0;
  for (int i = 0; i < r.precopy_rounds(); ++i) precopy_bytes += r.rounds[static_cast<std::size_t>(i)].bytes;
  const double downtime_ms = 1e3 * downtime_sum / n;
  state.counters["downtime_ms"] = downtime_ms;
  state.counters["total_s"] = total_sum / n;
  state.counters["rounds"] = r.precopy_rounds();
  state.counters["first_mb"] = static_cast<double>(r.rounds.front().bytes) / kMiB;
  state.counters["precopy_mb"] = static_cast<double>(precopy_bytes) / kMiB;
  state.counters["final_kb"] = static_cast<double>(r.rounds.back().bytes) / 1024;
  if (c.max_rounds > 0 && c.state_mb == 64 && c.dirty_mb_per_s == 2) state.counters["meets_target"] = downtime_ms < 100;
  state.SetLabel(fmt::format("{} {} MB state, {} MB/s dirtied, {} Mbit/s link{}", c.protocol, c.state_mb,
                             c.dirty_mb_per_s, kLinkMbit, c.curve ? ", CurveZMQ" : ""));
}

// LiveMigration/<protocol>/state_<S>MB/dirty_<D>MBps, one iteration each (about 2 minutes in all).
const bool registered = [] {
  std::vector<Case> cases;
  for (const auto& [protocol, rounds] : {std::pair{"pre-copy", 8}, std::pair{"stop-and-copy", 0}}) {
    for (const double state_mb : {16.0, 64.0}) {
      for (const double dirty : {0.5, 2.0, 8.0}) cases.push_back({protocol, rounds, state_mb, dirty});
    }
    cases.push_back({protocol, rounds, 128, 2});
    cases.push_back({protocol, rounds, 64, 2, /*curve=*/true});  // CurveZMQ's cost: against the case without
  }
  for (const Case& c : cases) {
    benchmark::RegisterBenchmark(fmt::format("LiveMigration/{}/state_{}MB/dirty_{}MBps{}", c.protocol, c.state_mb,
                                             c.dirty_mb_per_s, c.curve ? "/curve" : "")
                                     .c_str(),
                                 BM_LiveMigration, c)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
  return true;
}();

}  // namespace
