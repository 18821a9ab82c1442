#include "vfo/runtime/function_process.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "vfo/runtime/builtin_functions.hpp"
#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/runtime/function_host.hpp"
#include "vfo/runtime/live_migration.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;

struct FunctionFlags {
  std::string kind;
  double fps = 15;
  std::size_t payload_bytes = 1000;
  std::uint64_t instructions = 100'000;
  std::size_t state_bytes = 1 << 20;
  std::size_t dirty_bytes = 4096;
  std::string bind = "127.0.0.1";
  bool incoming = false;
  bool keys_from_stdin = false;
};

// The first line of stdin with --keys-from-stdin: {"public":KEY,"secret":KEY,"state_peer":KEY or ""}. The keys
// come over the pipe, never in argv or the environment, which other users may read.
std::optional<DataPlaneSecurity> read_keys(std::istream& in, std::string* why) {
  std::string line;
  if (!std::getline(in, line)) {
    *why = "--keys-from-stdin: stdin ended before the keys line";
    return std::nullopt;
  }
  const Json j = Json::parse(line, nullptr, false);
  DataPlaneSecurity security;
  if (j.is_object()) {
    security.cluster = {j.value("public", ""), j.value("secret", "")};
    security.state_peer = j.value("state_peer", "");
  }
  if (!is_curve_key(security.cluster.public_key) || !is_curve_key(security.cluster.secret_key) ||
      (!security.state_peer.empty() && !is_curve_key(security.state_peer))) {
    *why = "--keys-from-stdin: expected {\"public\":KEY,\"secret\":KEY,\"state_peer\":KEY or \"\"} (Z85 keys)";
    return std::nullopt;
  }
  return security;
}

void say(std::ostream& out, const Json& j) {
  out << j.dump() << std::endl;  // one line, flushed: the parent waits for it
}

Json stats_json(const FunctionHost& host, const SinkFunction* sink) {
  const HostCounters c = host.counters();
  Json j = {{"epoch", c.epoch},
            {"produced", c.produced},
            {"accepted", c.accepted},
            {"duplicates", c.duplicates},
            {"stale", c.stale},
            {"malformed", c.malformed},
            {"refused", c.refused},
            {"last_refusal", c.last_refusal},
            {"sent", c.sent},
            {"replayed", c.replayed},
            {"acked_seq", c.acked_seq},
            {"first_frame_ns", c.first_frame_ns},
            {"frozen", c.frozen},
            {"awaiting_state", c.awaiting_state},
            {"restored_digest", c.restored_digest}};
  if (sink != nullptr) {
    const SinkStats s = sink->stats();
    j["frames"] = s.frames;
    j["first_seq"] = s.first_seq;
    j["last_seq"] = s.last_seq;
    j["out_of_order"] = s.out_of_order;
    const SeqAccount account = account_seqs(s.seqs);
    j["seq_repeats"] = account.repeats;
    j["seq_missing"] = account.missing;
    j["bad_payloads"] = s.bad_payloads;
    j["latency_mean_s"] = s.frames > 0 ? s.latency_sum_s / static_cast<double>(s.frames) : 0.0;
    j["latency_max_s"] = s.latency_max_s;
    j["arrivals_ns"] = s.arrivals_ns;
  }
  return j;
}

// A live migration of this VF, as the control loop follows it.
struct MigrationControl {
  std::string program;  // who logs it
  bool ordered = false;
  bool logged = false;
  std::string target;
};

// {"cmd":"migrate",...}: orders the live migration and answers at once; {"cmd":"migration"} then tells
// {"done":false} or the report with "done":true. The pipe stays free for rewire and stats orders meanwhile.
Json migrate(const Json& command, FunctionHost& host, MigrationControl& control) {
  const char* usage =
      "migrate: expected {\"cmd\":\"migrate\",\"target\":\"tcp://...\",\"max_rounds\":N>=0,"
      "\"threshold_bytes\":N>=0,\"verify\":bool,\"timeout_s\":S>0[,\"key_public\":KEY,\"key_secret\":KEY]}";
  MigrationOrder order;
  double timeout_s = 30;
  try {
    order.target = command.at("target").get<std::string>();
    order.max_rounds = command.value("max_rounds", order.max_rounds);
    order.threshold_bytes = command.value("threshold_bytes", order.threshold_bytes);
    order.verify = command.value("verify", order.verify);
    timeout_s = command.value("timeout_s", timeout_s);
    order.key = {command.value("key_public", ""), command.value("key_secret", "")};
  } catch (const Json::exception&) {
    return {{"error", usage}};
  }
  const bool key_ok = order.key.empty() ? order.key.secret_key.empty()
                                        : is_curve_key(order.key.public_key) && is_curve_key(order.key.secret_key);
  if (order.target.empty() || order.max_rounds < 0 || !(timeout_s > 0) || !key_ok) return {{"error", usage}};
  order.stall_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000));
  host.migrate_out(order);
  control = MigrationControl{control.program, true, false, order.target};
  return {{"ok", true}};
}

Json migration(FunctionHost& host, MigrationControl& control) {
  if (!control.ordered) return {{"error", "migration: no migration was ordered"}};
  const std::optional<MigrationReport> report = host.migration_report();
  if (!report) return {{"done", false}};
  if (!control.logged) {  // the phases, once, in this VF's log
    control.logged = true;
    std::string rounds;
    for (const MigrationRound& r : report->rounds) rounds += fmt::format(" {}B/{:.3f}s", r.bytes, r.seconds);
    std::fprintf(stderr, "%s: migration to %s: %s; rounds (the last frozen):%s; freeze to restored %.4f s\n",
                 control.program.c_str(), control.target.c_str(), report->ok() ? "done" : report->error.c_str(),
                 rounds.c_str(),
                 report->restored_ns > 0 ? static_cast<double>(report->restored_ns - report->freeze_ns) / 1e9 : -1.0);
  }
  Json j = Json::parse(migration_report_json(*report));
  j["done"] = true;
  return j;
}

Json dispatch(const Json& command, FunctionHost& host, const SinkFunction* sink, MigrationControl& migration_control,
              bool& stop);

// One command line; the reply to write. A command's "req" (any JSON value) comes back in its reply, so that the
// agent can tell the reply to its command from a late one to a command it gave up waiting for.
Json handle(const std::string& line, FunctionHost& host, const SinkFunction* sink, MigrationControl& migration_control,
            bool& stop) {
  Json command;
  try {
    command = Json::parse(line);
  } catch (const Json::parse_error&) {
    return {{"error", "not JSON (expected one object per line, e.g. {\"cmd\":\"stats\"})"}};
  }
  if (!command.is_object() || !command.contains("cmd") || !command["cmd"].is_string()) {
    return {{"error", "no \"cmd\" (expected rewire, migrate, migration, stats or stop)"}};
  }
  Json reply = dispatch(command, host, sink, migration_control, stop);
  if (command.contains("req")) reply["req"] = command["req"];
  return reply;
}

// A command that has a "cmd": carries it out; the reply.
Json dispatch(const Json& command, FunctionHost& host, const SinkFunction* sink, MigrationControl& migration_control,
              bool& stop) {
  const std::string cmd = command["cmd"];
  if (cmd == "stop") {
    stop = true;
    return {{"ok", true}};
  }
  if (cmd == "stats") return stats_json(host, sink);
  if (cmd == "migrate") return migrate(command, host, migration_control);
  if (cmd == "migration") return migration(host, migration_control);
  if (cmd == "rewire") {
    const auto text = [&](const char* key) -> std::optional<std::string> {
      if (!command.contains(key)) return std::string();
      if (!command[key].is_string()) return std::nullopt;
      return command[key].get<std::string>();
    };
    const auto downstream = text("downstream");
    const auto upstream = text("upstream_ack");
    if (!command.contains("epoch") || !command["epoch"].is_number_unsigned() || !downstream || !upstream) {
      return {{"error",
               "rewire: expected {\"cmd\":\"rewire\",\"epoch\":N>=0,\"downstream\":\"tcp://...\","
               "\"upstream_ack\":\"tcp://...\"}"}};
    }
    host.rewire(Wiring{command["epoch"].get<std::uint64_t>(), *downstream, *upstream});
    return {{"ok", true}};
  }
  return {{"error", "unknown cmd '" + cmd + "' (expected rewire, migrate, migration, stats or stop)"}};
}

}  // namespace

int run_function_process(int argc, char** argv) {
  FunctionFlags flags;
  CLI::App app{"vfo-function: one built-in VF in a function host, driven over stdin/stdout by its agent"};
  app.add_option("KIND", flags.kind, "source, compute or sink")->required();
  app.add_option("--fps", flags.fps, "source: frames per second")->check(CLI::PositiveNumber);
  app.add_option("--payload-bytes", flags.payload_bytes, "source: bytes per frame");
  app.add_option("--instructions", flags.instructions, "compute: operations per frame");
  app.add_option("--state-bytes", flags.state_bytes, "compute: size of its state");
  app.add_option("--dirty-bytes", flags.dirty_bytes, "compute: state bytes rewritten per frame");
  app.add_option("--bind", flags.bind, "address to bind the data, ack and state sockets to");
  app.add_flag("--incoming", flags.incoming, "the target of a live migration: wait for the state on a state endpoint");
  app.add_flag("--keys-from-stdin", flags.keys_from_stdin,
               "read the data plane's CURVE keys from the first line of stdin before binding");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "vfo-function: %s\n", e.what());
    return 2;
  }

  std::shared_ptr<VirtualFunction> vf;
  if (flags.kind == "source") {
    vf = std::make_shared<SourceFunction>(flags.payload_bytes);
  } else if (flags.kind == "compute") {
    vf = std::make_shared<ComputeFunction>(flags.instructions, flags.state_bytes, flags.dirty_bytes);
  } else if (flags.kind == "sink") {
    vf = std::make_shared<SinkFunction>();
  } else {
    std::fprintf(stderr, "vfo-function: unknown VF kind '%s' (expected source, compute or sink)\n", flags.kind.c_str());
    return 2;
  }
  return serve_function_host(vf, {flags.fps, flags.bind, flags.incoming, flags.keys_from_stdin}, std::cin, std::cout,
                             "vfo-function", dynamic_cast<const SinkFunction*>(vf.get()));
}

int serve_function_host(std::shared_ptr<VirtualFunction> vf, const HostProcessOptions& options, std::istream& in,
                        std::ostream& out, const std::string& program, const SinkFunction* sink) {
  signal(SIGPIPE, SIG_IGN);  // a write to a parent that is gone fails instead of killing
  DataPlaneSecurity security;
  if (options.keys_from_stdin) {
    std::string why;
    const auto keys = read_keys(in, &why);
    if (!keys) {
      std::fprintf(stderr, "%s: %s\n", program.c_str(), why.c_str());
      return 2;
    }
    security = *keys;
  }
  FunctionHost host(vf, FunctionHost::Options{.fps = options.fps,
                                              .max_unacked = 4096,
                                              .bind_address = options.bind,
                                              .incoming = options.incoming,
                                              .security = security});
  try {
    host.start();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
    return 1;
  }
  say(out, {{"ready", true},
            {"kind", vf->kind()},
            {"pid", static_cast<long>(getpid())},
            {"data", host.data_endpoint()},
            {"ack", host.ack_endpoint()},
            {"state", host.state_endpoint()}});
  bool stop = false;
  MigrationControl migration_control{program};
  std::string line;
  while (!stop && std::getline(in, line)) {
    if (line.empty()) continue;
    say(out, handle(line, host, sink, migration_control, stop));
  }
  host.stop();
  return 0;
}

}  // namespace vfo::runtime
