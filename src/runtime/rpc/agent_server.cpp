// AgentServer (vfo/runtime/agent.hpp) on gRPC: one of the few translation units that include gRPC.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "agent.grpc.pb.h"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/node_usage.hpp"

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

// One VF this agent runs: its function host process and where it listens.
struct RunningFunction {
  std::unique_ptr<ChildProcess> process;
  FunctionEndpoints endpoints;
};

class AgentService final : public rpc::Agent::Service {
 public:
  explicit AgentService(const AgentOptions& options)
      : options_(options), cgroup_(own_cgroup()), start_(std::chrono::steady_clock::now()), cpu_before_(cpu_now()) {}

  Status Probe(ServerContext*, const rpc::ProbeRequest*, rpc::NodeState* reply) override {
    std::lock_guard lock(mutex_);
    reply->set_node(options_.name);
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
    for (const auto& [id, f] : functions_) reply->add_functions(id);
    return Status::OK;
  }

  Status StartFunction(ServerContext* context, const rpc::StartFunctionRequest* request,
                       rpc::StartFunctionReply* reply) override {
    const Status status = start_function(*request, reply);
    if (!status.ok()) {
      std::fprintf(stderr, "vfo-agent %s: refused StartFunction from %s: %s\n", options_.name.c_str(),
                   context->peer().c_str(), status.error_message().c_str());
    }
    return status;
  }

 private:
  // StartFunction's work; a refusal is logged by the caller.
  Status start_function(const rpc::StartFunctionRequest& request_ref, rpc::StartFunctionReply* reply) {
    const rpc::StartFunctionRequest* request = &request_ref;
    const rpc::FunctionSpec& s = request->spec();
    if (request->id().empty()) return {StatusCode::INVALID_ARGUMENT, "id: empty (expected a VF id)"};
    if (!is_registered_kind(s.kind())) {
      return {StatusCode::INVALID_ARGUMENT,
              "spec.kind: '" + s.kind() + "' is not a registered VF kind (expected " + "source, compute or sink)"};
    }
    if (!(s.fps() > 0) || s.fps() > 10'000)
      return {StatusCode::INVALID_ARGUMENT, "spec.fps: expected 0 < fps <= 10000"};
    std::lock_guard lock(mutex_);
    if (functions_.count(request->id()) != 0) {
      return {StatusCode::ALREADY_EXISTS, "id: " + request->id() + " already runs here"};
    }
    const FunctionSpec spec{s.kind(), s.fps(), s.payload_bytes(), s.instructions(), s.state_bytes(), s.dirty_bytes()};
    RunningFunction f;
    try {
      std::string log;
      if (!options_.log_dir.empty()) {
        std::string file = request->id();
        for (char& c : file) c = (c == '/' ? '_' : c);
        log = (options_.log_dir / (file + ".log")).string();
      }
      f.process = std::make_unique<ChildProcess>(options_.function_binary.string(), function_arguments(spec), log);
    } catch (const std::exception& e) {
      return {StatusCode::INTERNAL, e.what()};
    }
    const auto ready = f.process->read_line(std::chrono::seconds(10));
    Json j;
    try {
      j = ready ? Json::parse(*ready) : Json();
    } catch (const Json::parse_error&) {
    }
    if (!j.is_object() || !j.value("ready", false)) {
      return {StatusCode::INTERNAL, "the function host did not start (exit " + std::to_string(f.process->wait()) + ")"};
    }
    f.endpoints = {j.value("data", ""), j.value("ack", "")};
    reply->set_data_endpoint(f.endpoints.data);
    reply->set_ack_endpoint(f.endpoints.ack);
    functions_.emplace(request->id(), std::move(f));
    return Status::OK;
  }

 public:
  Status Rewire(ServerContext*, const rpc::RewireRequest* request, rpc::Empty*) override {
    return command(request->id(),
                   {{"cmd", "rewire"},
                    {"epoch", request->epoch()},
                    {"downstream", request->downstream()},
                    {"upstream_ack", request->upstream_ack()}},
                   nullptr);
  }

  Status StopFunction(ServerContext*, const rpc::FunctionId* request, rpc::Empty*) override {
    std::lock_guard lock(mutex_);
    const auto it = functions_.find(request->id());
    if (it == functions_.end()) return {StatusCode::NOT_FOUND, "id: " + request->id() + " does not run here"};
    it->second.process->write_line(R"({"cmd":"stop"})");
    it->second.process->read_line(std::chrono::seconds(2));
    it->second.process->kill(SIGKILL);
    it->second.process->wait();
    functions_.erase(it);
    return Status::OK;
  }

  Status FunctionStats(ServerContext*, const rpc::FunctionId* request, rpc::FunctionStatsReply* reply) override {
    std::string answer;
    const Status status = command(request->id(), {{"cmd", "stats"}}, &answer);
    if (status.ok()) reply->set_json(answer);
    return status;
  }

 private:
  // Sends one command line to a VF's host and reads its one-line answer.
  Status command(const std::string& id, const Json& line, std::string* answer) {
    std::lock_guard lock(mutex_);
    const auto it = functions_.find(id);
    if (it == functions_.end()) return {StatusCode::NOT_FOUND, "id: " + id + " does not run here"};
    ChildProcess& p = *it->second.process;
    if (!p.write_line(line.dump())) return {StatusCode::UNAVAILABLE, "id: " + id + ": its host has exited"};
    const auto reply = p.read_line(std::chrono::seconds(2));
    if (!reply) return {StatusCode::UNAVAILABLE, "id: " + id + ": its host did not answer"};
    if (reply->find("\"error\"") != std::string::npos) return {StatusCode::INVALID_ARGUMENT, *reply};
    if (answer != nullptr) *answer = *reply;
    return Status::OK;
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
  std::mutex mutex_;
  std::optional<CpuTimes> cpu_before_;
  std::map<std::string, RunningFunction> functions_;
};

}  // namespace

Identity Identity::from_dir(const std::filesystem::path& dir, const std::string& name) {
  return {read_text(dir / "ca.pem"), read_text(dir / (name + ".key")), read_text(dir / (name + ".pem"))};
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
