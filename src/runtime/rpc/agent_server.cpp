// AgentServer (vfo/runtime/agent.hpp) on gRPC: one of the few translation units that include gRPC.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "agent.grpc.pb.h"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/exec_function.hpp"
#include "vfo/runtime/node_governor.hpp"
#include "vfo/runtime/node_recorder.hpp"
#include "vfo/runtime/node_usage.hpp"
#include "vfo/runtime/stress_load.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;
using grpc::ServerContext;
using grpc::Status;
using grpc::StatusCode;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot read file (expected a PEM file of the cluster)");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One VF this agent runs: its function host process and where it listens. `mutex` serialises the command
// lines on its pipes, so that a long command (a live migration) holds up only this VF.
struct RunningFunction {
  std::mutex mutex;
  std::unique_ptr<FunctionCgroup> cgroup;  // an exec VF's limits; before `process`, so removed after it ends
  std::unique_ptr<ChildProcess> process;
  FunctionEndpoints endpoints;
  std::optional<VfWiring> wiring;  // the last rewire it applied; guarded by the service's `mutex_`
  std::uint64_t last_request = 0;  // the "req" of the last command sent to its host; guarded by `mutex`
};

class AgentService final : public rpc::Agent::Service {
 public:
  explicit AgentService(const AgentOptions& options)
      : options_(options), cgroup_(own_cgroup()), start_(std::chrono::steady_clock::now()), cpu_before_(cpu_now()) {
    if (options_.node_cpus > 0) {
      governor_ = std::make_unique<NodeGovernor>(options_.node_cpus, node_ram_bytes());
      if (!options_.record.empty())
        recording_ =
            std::make_unique<NodeGovernor>(options_.node_cpus, node_ram_bytes(), NodeGovernorOptions{.enforce = false});
    }
    if (!options_.record.empty()) {
      recorder_ = std::make_unique<NodeRecorder>(options_.record, options_.name, [this] { return record_reading(); });
    }
  }
  ~AgentService() override {
    recorder_.reset();
    governor_.reset();  // resumes what it stopped, before the VFs are killed
  }

  Status Probe(ServerContext* context, const rpc::ProbeRequest* request, rpc::NodeState* reply) override {
    if (Status refused = authorize(*context); !refused.ok()) return refused;
    const auto received = std::chrono::system_clock::now();
    const Status status = probe(*request, reply);
    warn_if_late("a probe", *context, received);
    return status;
  }

  // What Probe answers: the node's VFs and their wiring, the VFs that ended since the last probe, its reading.
  Status probe(const rpc::ProbeRequest&, rpc::NodeState* reply) {
    std::lock_guard lock(mutex_);
    reap_stress();  // a stress process that ended is not left a zombie until the next stress
    reply->set_node(options_.name);
    // A VF whose process ended (a crash, a kill, an exit) is reported once, with how it ended, and forgotten:
    // the orchestrator takes it for lost and may start it again, here or elsewhere. One busy with another call
    // (a start, a migration) is taken as alive this time.
    for (auto it = functions_.begin(); it != functions_.end();) {
      RunningFunction& f = *it->second;
      std::unique_lock function_lock(f.mutex, std::try_to_lock);
      if (function_lock.owns_lock() && f.process != nullptr && f.process->exited()) {
        const int status = f.process->wait();
        const std::string how =
            status > 128 ? fmt::format("killed by signal {}", status - 128) : fmt::format("exit code {}", status);
        spdlog::warn("VF {} ended ({})", it->first, how);
        reply->add_exited(it->first + ": " + how);
        function_lock.unlock();
        it = functions_.erase(it);
        continue;
      }
      reply->add_functions(it->first);
      if (f.wiring) {
        rpc::FunctionWiring* w = reply->add_wiring();
        w->set_id(it->first);
        w->set_epoch(f.wiring->epoch);
        w->set_downstream(f.wiring->downstream);
        w->set_upstream_ack(f.wiring->upstream_ack);
      }
      ++it;
    }
    if (governor_) {
      const NodeReading r = governor_->reading();
      reply->set_cpu_pct(r.cpu_pct);
      reply->set_ram_pct(r.ram_pct);
      reply->set_ram_total_bytes(r.ram_total_bytes);
      return Status::OK;
    }
    const auto cpu = cpu_now();
    if (cpu && cpu_before_) reply->set_cpu_pct(cpu_busy_pct(*cpu_before_, *cpu));
    cpu_before_ = cpu;
    std::optional<MemoryInfo> memory = cgroup_ ? read_cgroup_memory(*cgroup_) : std::nullopt;
    if (!memory) memory = read_memory();
    if (memory) {
      reply->set_ram_total_bytes(memory->total_bytes);
      reply->set_ram_pct(100.0 * static_cast<double>(memory->total_bytes - memory->available_bytes) /
                         static_cast<double>(memory->total_bytes));
    }
    return Status::OK;
  }

  Status StartFunction(ServerContext* context, const rpc::StartFunctionRequest* request,
                       rpc::StartFunctionReply* reply) override {
    if (Status refused = authorize(*context); !refused.ok()) return refused;
    const Status status = start_function(*request, reply);
    if (!status.ok()) {
      spdlog::warn("refused StartFunction from {}: {}", context->peer(), status.error_message());
    } else {
      spdlog::info("started VF {} ({}{})", request->id(), request->spec().kind(),
                   request->incoming() ? ", incoming: waiting for its state" : "");
    }
    return status;
  }

 private:
  // Every call must come from the controller's certificate (the orchestrator's, which the vfo commands use too):
  // another member's (a node's) is refused, logged, with PERMISSION_DENIED. The TLS handshake has already
  // checked that the certificate is the cluster CA's.
  Status authorize(const ServerContext& context) const {
    const auto auth = context.auth_context();
    const auto names = auth ? auth->FindPropertyValues("x509_common_name") : std::vector<grpc::string_ref>{};
    const std::string caller = names.empty() ? "" : std::string(names.front().data(), names.front().size());
    if (caller == options_.controller) return Status::OK;
    spdlog::warn("refused a call from {} (certificate '{}'; only '{}' may call)", context.peer(), caller,
                 options_.controller);
    return {StatusCode::PERMISSION_DENIED, "only the cluster's '" + options_.controller +
                                               "' may call this agent; the caller's certificate is '" + caller + "'"};
  }

  // A call answered after its caller's deadline was lost on it (a probe so answered counts as missed). Says how
  // long this agent took from receiving it: a long time here means its handler was held up. A call that reaches
  // the agent only after its deadline (the whole agent stalled) is dropped by gRPC before any handler runs, and
  // is not logged.
  static void warn_if_late(const char* what, const ServerContext& context,
                           std::chrono::system_clock::time_point received) {
    const auto answered = std::chrono::system_clock::now();
    if (answered <= context.deadline()) return;
    const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
    spdlog::warn("answered {} {:.0f} ms after its caller's deadline; it took {:.0f} ms here", what,
                 ms(answered - context.deadline()), ms(answered - received));
  }

  // StartFunction's work; a refusal is logged by the caller.
  Status start_function(const rpc::StartFunctionRequest& request_ref, rpc::StartFunctionReply* reply) {
    const rpc::StartFunctionRequest* request = &request_ref;
    const rpc::FunctionSpec& s = request->spec();
    if (request->id().empty()) return {StatusCode::INVALID_ARGUMENT, "id: empty (expected a VF id)"};
    const bool exec = s.kind() == "exec";
    if (!exec && !is_registered_kind(s.kind())) {
      return {StatusCode::INVALID_ARGUMENT,
              "spec.kind: '" + s.kind() + "' is not a registered VF kind (expected source, compute, sink or exec)"};
    }
    if (!(s.fps() > 0) || s.fps() > 10'000)
      return {StatusCode::INVALID_ARGUMENT, "spec.fps: expected 0 < fps <= 10000"};
    if (!request->state_peer_key().empty() && !is_curve_key(request->state_peer_key()))
      return {StatusCode::INVALID_ARGUMENT, "state_peer_key: expected empty or a Z85 CURVE key"};
    if (options_.start_delay_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(options_.start_delay_s));
    std::lock_guard lock(mutex_);
    if (functions_.count(request->id()) != 0) {
      return {StatusCode::ALREADY_EXISTS, "id: " + request->id() + " already runs here"};
    }
    FunctionSpec spec{s.kind(), s.fps(), s.payload_bytes(), s.instructions(), s.state_bytes(), s.dirty_bytes()};
    spec.command.assign(s.command().begin(), s.command().end());
    spec.env.insert(s.env().begin(), s.env().end());
    spec.role = s.role();
    spec.cpus = s.cpus();
    spec.memory_bytes = s.memory_bytes();
    auto running = std::make_shared<RunningFunction>();
    RunningFunction& f = *running;
    std::string log;
    if (!options_.log_dir.empty()) {
      std::string file = request->id();
      for (char& c : file) c = (c == '/' ? '_' : c);
      log = (options_.log_dir / (file + ".log")).string();
    }
    const bool keys = !options_.data_plane_key.empty();
    try {
      if (exec) {
        ExecLaunch launch =
            prepare_exec(spec, {options_.name, options_.exec_root, options_.python_path, options_.bind_address},
                         request->id(), request->incoming(), keys);
        f.cgroup = std::move(launch.cgroup);
        f.process = launcher_.start(launch.program, launch.args, log, launch.setup);
      } else {
        std::vector<std::string> arguments = function_arguments(spec);
        arguments.insert(arguments.end(), {"--bind", options_.bind_address});
        if (request->incoming()) arguments.push_back("--incoming");
        if (keys) arguments.push_back("--keys-from-stdin");
        f.process = launcher_.start(options_.function_binary.string(), arguments, log);
      }
    } catch (const std::invalid_argument& e) {
      return {StatusCode::INVALID_ARGUMENT, e.what()};
    } catch (const std::exception& e) {
      return {exec ? StatusCode::FAILED_PRECONDITION : StatusCode::INTERNAL, e.what()};
    }
    if (!options_.data_plane_key.empty()) {
      const Json keys = {{"public", options_.data_plane_key.public_key},
                         {"secret", options_.data_plane_key.secret_key},
                         {"state_peer", request->state_peer_key()}};
      if (!f.process->write_line(keys.dump())) {
        return {StatusCode::INTERNAL,
                "the function host did not start (exit " + std::to_string(f.process->wait()) + ")"};
      }
    }
    const auto ready = f.process->read_line(std::chrono::seconds(10));
    Json j;
    try {
      j = ready ? Json::parse(*ready) : Json();
    } catch (const Json::parse_error&) {
    }
    if (!j.is_object() || !j.value("ready", false)) {
      // Its output ended (it exits), or 10 s passed: a moment tells which; then it does not run on unseen.
      bool ended = false;
      for (int i = 0; i < 100 && !(ended = f.process->exited()); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (!ended) f.process->kill(SIGKILL);
      const int code = f.process->wait();
      return {exec ? StatusCode::FAILED_PRECONDITION : StatusCode::INTERNAL,
              (exec ? "the exec VF '" + spec.command[0] + "' did not start: " : "the function host did not start: ") +
                  (ready   ? "its first line was not the SDK's ready line"
                   : ended ? "it ended before its ready line"
                           : "no ready line within 10 s") +
                  (code > 128 ? fmt::format(" (killed by signal {})", code - 128) : fmt::format(" (exit {})", code)) +
                  (log.empty() ? "" : "; its log: " + log)};
    }
    f.endpoints = {j.value("data", ""), j.value("ack", ""), j.value("state", "")};
    reply->set_data_endpoint(f.endpoints.data);
    reply->set_ack_endpoint(f.endpoints.ack);
    reply->set_state_endpoint(f.endpoints.state);
    functions_.emplace(request->id(), std::move(running));
    return Status::OK;
  }

 public:
  Status Rewire(ServerContext* context, const rpc::RewireRequest* request, rpc::Empty*) override {
    if (Status refused = authorize(*context); !refused.ok()) return refused;
    const Status status = command(request->id(),
                                  {{"cmd", "rewire"},
                                   {"epoch", request->epoch()},
                                   {"downstream", request->downstream()},
                                   {"upstream_ack", request->upstream_ack()}},
                                  nullptr);
    if (!status.ok()) return status;
    spdlog::info("rewired VF {}: epoch {}, sends to {}, acknowledges to {}", request->id(), request->epoch(),
                 request->downstream().empty() ? "nobody" : request->downstream(),
                 request->upstream_ack().empty() ? "nobody" : request->upstream_ack());
    std::lock_guard lock(mutex_);
    if (const auto it = functions_.find(request->id()); it != functions_.end()) {
      it->second->wiring = VfWiring{request->epoch(), request->downstream(), request->upstream_ack()};
    }
    return status;
  }

  Status StopFunction(ServerContext* context, const rpc::FunctionId* request, rpc::Empty*) override {
    if (Status refused = authorize(*context); !refused.ok()) return refused;
    std::shared_ptr<RunningFunction> f;
    {
      std::lock_guard lock(mutex_);
      const auto it = functions_.find(request->id());
      if (it == functions_.end()) return {StatusCode::NOT_FOUND, "id: " + request->id() + " does not run here"};
      f = it->second;
      functions_.erase(it);
    }
    // A command in progress (a migration) ends when its host dies.
    f->process->kill(SIGKILL);
    std::lock_guard lock(f->mutex);
    f->process->wait();
    spdlog::info("stopped VF {}", request->id());
    return Status::OK;
  }

  Status MigrateOut(ServerContext* context, const rpc::MigrateRequest* request, rpc::MigrationReply* reply) override {
    if (Status refused = authorize(*context); !refused.ok()) return refused;
    if (request->target_state_endpoint().empty()) {
      return {StatusCode::INVALID_ARGUMENT, "target_state_endpoint: empty (expected the incoming VF's endpoint)"};
    }
    if (!(request->timeout_s() > 0) || request->timeout_s() > 3600) {
      return {StatusCode::INVALID_ARGUMENT, "timeout_s: expected 0 < timeout_s <= 3600"};
    }
    const bool no_key = request->key_public().empty() && request->key_secret().empty();
    if (!no_key && (!is_curve_key(request->key_public()) || !is_curve_key(request->key_secret()))) {
      return {StatusCode::INVALID_ARGUMENT, "key_public, key_secret: expected both empty or two Z85 CURVE keys"};
    }
    const Json order = {{"cmd", "migrate"},
                        {"target", request->target_state_endpoint()},
                        {"max_rounds", request->max_rounds()},
                        {"threshold_bytes", request->threshold_bytes()},
                        {"verify", request->verify()},
                        {"timeout_s", request->timeout_s()},
                        {"key_public", request->key_public()},
                        {"key_secret", request->key_secret()}};
    Status status = command(request->id(), order, nullptr);
    if (!status.ok()) return status;
    // The host answers `migration` at once; the VF's pipe is free between polls for rewires and stats. It ends
    // within the stall timeout after the target's last word; the caller's deadline bounds the wait here.
    for (;;) {
      if (context->IsCancelled()) return {StatusCode::DEADLINE_EXCEEDED, "the caller gave up"};
      std::string answer;
      status = command(request->id(), {{"cmd", "migration"}}, &answer);
      if (!status.ok()) return status;
      const Json progress = Json::parse(answer, nullptr, false);
      if (progress.is_object() && progress.value("done", false)) {
        reply->set_json(answer);
        const std::string error = progress.contains("error") && progress["error"].is_string()
                                      ? progress["error"].get<std::string>()
                                      : std::string();
        if (error.empty()) {
          spdlog::info("live migration of VF {} to {}: its state is there", request->id(),
                       request->target_state_endpoint());
        } else {
          spdlog::warn("live migration of VF {} to {} failed: {}", request->id(), request->target_state_endpoint(),
                       error);
        }
        return Status::OK;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  Status Stress(ServerContext* context, const rpc::StressRequest* request, rpc::Empty*) override {
    if (Status refused = authorize(*context); !refused.ok()) return refused;
    const auto pct_ok = [](double v) { return v >= 0 && v <= 100; };
    if (!pct_ok(request->cpu_pct()) || !pct_ok(request->ram_pct())) {
      return {StatusCode::INVALID_ARGUMENT, "cpu_pct, ram_pct: expected 0..100"};
    }
    if (!(request->duration_s() > 0) || request->duration_s() > 86'400 || request->ramp_s() < 0 ||
        request->ramp_s() > request->duration_s()) {
      return {StatusCode::INVALID_ARGUMENT,
              "duration_s, ramp_s: expected 0 < duration_s <= 86400, 0 <= ramp_s <= duration_s"};
    }
    std::lock_guard lock(mutex_);
    reap_stress();
    const StressSpec spec{request->cpu_pct(),    request->ram_pct(), request->ramp_s(),
                          request->duration_s(), node_cpus(),        node_ram_bytes()};
    std::vector<std::string> arguments = {"stress"};
    for (std::string& flag : stress_flags(spec)) arguments.push_back(std::move(flag));
    try {
      stress_.push_back(launcher_.start(options_.agent_binary.string(), arguments));
    } catch (const std::exception& e) {
      return {StatusCode::INTERNAL, e.what()};
    }
    spdlog::info("stress: CPU {} %, RAM {} %, ramp {} s, for {} s", request->cpu_pct(), request->ram_pct(),
                 request->ramp_s(), request->duration_s());
    return Status::OK;
  }

  Status FunctionStats(ServerContext* context, const rpc::FunctionId* request,
                       rpc::FunctionStatsReply* reply) override {
    if (Status refused = authorize(*context); !refused.ok()) return refused;
    std::string answer;
    const Status status = command(request->id(), {{"cmd", "stats"}}, &answer);
    if (status.ok()) reply->set_json(answer);
    return status;
  }

 private:
  // Sends one command line to a VF's host and reads its one-line answer, within 2 s. Each command carries a
  // "req" number that the host puts in its reply: a reply that comes after its command was given up on (a loaded
  // or stopped host) is told apart and dropped, never taken for the reply to a later command.
  Status command(const std::string& id, const Json& line, std::string* answer) {
    std::shared_ptr<RunningFunction> f;
    {
      std::lock_guard lock(mutex_);
      const auto it = functions_.find(id);
      if (it == functions_.end()) return {StatusCode::NOT_FOUND, "id: " + id + " does not run here"};
      f = it->second;
    }
    std::lock_guard lock(f->mutex);
    ChildProcess& p = *f->process;
    const std::uint64_t request = ++f->last_request;
    Json tagged = line;
    tagged["req"] = request;
    if (!p.write_line(tagged.dump())) return {StatusCode::UNAVAILABLE, "id: " + id + ": its host has exited"};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    std::optional<std::string> reply;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      reply = p.read_line(std::max(left, std::chrono::milliseconds(0)));  // a line already read is taken at once
      if (!reply) return {StatusCode::UNAVAILABLE, "id: " + id + ": its host did not answer"};
      const Json parsed = Json::parse(*reply, nullptr, false);
      if (parsed.is_object() && parsed.value("req", std::uint64_t{0}) == request) break;
      spdlog::debug("VF {}: dropped a late reply: {}", id, *reply);
    }
    if (reply->find("\"error\"") != std::string::npos) return {StatusCode::INVALID_ARGUMENT, *reply};
    if (answer != nullptr) *answer = *reply;
    return Status::OK;
  }

  // The recorder's reading: the emulated node's (its own measuring governor), else the machine's.
  NodeReading record_reading() {
    if (recording_) return recording_->reading();
    NodeReading r;
    const auto cpu = read_cpu_times();
    if (cpu && record_cpu_before_) r.cpu_pct = cpu_busy_pct(*record_cpu_before_, *cpu);
    record_cpu_before_ = cpu;
    if (const auto memory = read_memory(); memory && memory->total_bytes > 0) {
      r.ram_total_bytes = memory->total_bytes;
      r.ram_pct = 100.0 * static_cast<double>(memory->total_bytes - memory->available_bytes) /
                  static_cast<double>(memory->total_bytes);
    }
    return r;
  }

  double node_cpus() const {
    return options_.node_cpus > 0 ? options_.node_cpus : std::max(1u, std::thread::hardware_concurrency());
  }
  std::uint64_t node_ram_bytes() const {
    if (options_.node_ram_bytes > 0) return options_.node_ram_bytes;
    const auto memory = read_memory();
    return memory ? memory->total_bytes : 0;
  }

  static std::optional<std::string> own_cgroup() {
    std::ifstream in("/proc/self/cgroup");
    std::stringstream text;
    text << in.rdbuf();
    return cgroup_dir(text.str());
  }
  // The cgroup's CPU when it has a limit, else the node's.
  std::optional<CpuTimes> cpu_now() const {
    if (cgroup_) {
      const auto wall =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_);
      if (auto c = read_cgroup_cpu(*cgroup_, static_cast<std::uint64_t>(wall.count()))) return c;
    }
    return read_cpu_times();
  }

  const AgentOptions& options_;
  const std::optional<std::string> cgroup_;
  const std::chrono::steady_clock::time_point start_;
  // Starts the VFs and stress processes so that they die with the agent, a SIGKILL of it included (a node's
  // death): a VF stopped by the governor would not see its stdin end, and a stress would run its course.
  ProcessLauncher launcher_;
  std::mutex mutex_;
  std::optional<CpuTimes> cpu_before_;
  std::map<std::string, std::shared_ptr<RunningFunction>> functions_;
  std::vector<std::unique_ptr<ChildProcess>> stress_;  // stress processes (each ends by itself)

  // Forgets (and so reaps) the stress processes that ended. Call with `mutex_` held.
  void reap_stress() {
    std::erase_if(stress_, [](const std::unique_ptr<ChildProcess>& p) { return p->exited(); });
  }
  std::unique_ptr<NodeGovernor> governor_;     // with node_cpus: caps the node's processes, and its probe readings
  std::unique_ptr<NodeGovernor> recording_;    // with node_cpus and record: the recorder's own readings
  std::optional<CpuTimes> record_cpu_before_;  // the recorder's thread only
  std::unique_ptr<NodeRecorder> recorder_;
};

}  // namespace

Identity Identity::from_dir(const std::filesystem::path& dir, const std::string& name) {
  return {read_text(dir / "ca.pem"), read_text(dir / (name + ".key")), read_text(dir / (name + ".pem")),
          std::make_shared<const RevocationList>(dir / "revoked")};
}

struct AgentServer::Impl {
  AgentOptions options;
  std::unique_ptr<AgentService> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

AgentServer::AgentServer(AgentOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->service = std::make_unique<AgentService>(impl_->options);
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = impl_->options.identity.ca_pem;
  tls.pem_key_cert_pairs.push_back({impl_->options.identity.key_pem, impl_->options.identity.cert_pem});
  grpc::ServerBuilder builder;
  builder.AddListeningPort(impl_->options.listen, grpc::SslServerCredentials(tls), &impl_->port);
  builder.RegisterService(impl_->service.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port == 0) {
    throw std::runtime_error("agent " + impl_->options.name + ": cannot listen on " + impl_->options.listen);
  }
}

AgentServer::~AgentServer() {
  shutdown();
}

int AgentServer::port() const {
  return impl_->port;
}

void AgentServer::shutdown() {
  if (impl_ && impl_->server) impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

void AgentServer::wait() {
  impl_->server->Wait();
}

}  // namespace vfo::runtime
