// AgentClient (vfo/runtime/agent.hpp) on gRPC.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <map>

#include "agent.grpc.pb.h"
#include "status_names.hpp"
#include "vfo/runtime/agent.hpp"

namespace vfo::runtime {
struct AgentClient::Impl {
  std::unique_ptr<rpc::Agent::Stub> stub;
  std::chrono::milliseconds deadline;
  std::shared_ptr<const RevocationList> revoked;  // a probe of an agent whose certificate it names fails
  // Whether a probe was ever answered. Until one is, a probe may wait kFirstContact: the first one also makes
  // the connection (TCP and the TLS handshake), which on a busy machine takes longer than a probe's answer, and
  // a daemon's first round would take live nodes for dead (a refused connection still fails at once).
  std::atomic<bool> answered{false};
  static constexpr std::chrono::milliseconds kFirstContact{3'000};

  // Probe's deadline is the client's (it decides whether a node failed); the other calls get at least
  // kActionDeadline: starting a VF (a process and its state) on a loaded node takes longer than a probe.
  static constexpr std::chrono::milliseconds kActionDeadline{10'000};
  std::unique_ptr<grpc::ClientContext> context(bool probe = false) const {
    auto c = std::make_unique<grpc::ClientContext>();
    const auto wait = !probe     ? std::max(deadline, kActionDeadline)
                      : answered ? deadline
                                 : std::max(deadline, kFirstContact);
    c->set_deadline(std::chrono::system_clock::now() + wait);
    return c;
  }
  std::optional<FunctionEndpoints> start(const std::string& id, const FunctionSpec& spec, bool incoming,
                                         std::string* error, const std::string& state_peer_key = "");
  static bool check(const grpc::Status& status, std::string* error) {
    if (status.ok()) return true;
    if (error != nullptr) *error = std::string(code_name(status.error_code())) + ": " + status.error_message();
    return false;
  }
};

AgentClient::AgentClient(const std::string& address, const Identity& identity, std::chrono::milliseconds deadline,
                         const std::string& node)
    : impl_(std::make_unique<Impl>()) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = identity.ca_pem;
  tls.pem_private_key = identity.key_pem;
  tls.pem_cert_chain = identity.cert_pem;
  grpc::ChannelArguments arguments;
  if (!node.empty()) arguments.SetSslTargetNameOverride(node);
  // A node that comes back is reached within a second: gRPC's reconnection backoff would otherwise grow to two
  // minutes while the node is down, and the probes of that time fail at once without trying.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  impl_->stub = rpc::Agent::NewStub(grpc::CreateCustomChannel(address, grpc::SslCredentials(tls), arguments));
  impl_->deadline = deadline;
  impl_->revoked = identity.revoked;
}

AgentClient::~AgentClient() = default;

std::optional<NodeProbe> AgentClient::probe(std::string* error) {
  rpc::NodeState reply;
  const auto context = impl_->context(/*probe=*/true);
  if (!Impl::check(impl_->stub->Probe(context.get(), rpc::ProbeRequest(), &reply), error)) return std::nullopt;
  impl_->answered = true;
  if (impl_->revoked) {
    if (const auto name = impl_->revoked->revoked(peer_certificate(*context))) {
      if (error != nullptr) {
        *error = "PERMISSION_DENIED: its certificate is revoked (" + impl_->revoked->file().string() + " names it" +
                 (name->empty() ? std::string() : " '" + *name + "'") + ")";
      }
      return std::nullopt;
    }
  }
  NodeProbe p{reply.node(), reply.cpu_pct(), reply.ram_pct(), reply.ram_total_bytes(), {}, {}, {}};
  for (const std::string& f : reply.functions()) p.functions.push_back(f);
  for (const std::string& f : reply.exited()) p.exited.push_back(f);
  for (const rpc::FunctionWiring& w : reply.wiring()) p.wiring[w.id()] = {w.epoch(), w.downstream(), w.upstream_ack()};
  return p;
}

std::optional<FunctionEndpoints> AgentClient::start_function(const std::string& id, const FunctionSpec& spec,
                                                             std::string* error) {
  return impl_->start(id, spec, false, error);
}

std::optional<FunctionEndpoints> AgentClient::start_incoming(const std::string& id, const FunctionSpec& spec,
                                                             const std::string& state_peer_key, std::string* error) {
  return impl_->start(id, spec, true, error, state_peer_key);
}

std::optional<FunctionEndpoints> AgentClient::Impl::start(const std::string& id, const FunctionSpec& spec,
                                                          bool incoming, std::string* error,
                                                          const std::string& state_peer_key) {
  rpc::StartFunctionRequest request;
  request.set_id(id);
  request.set_incoming(incoming);
  request.set_state_peer_key(state_peer_key);
  rpc::FunctionSpec* s = request.mutable_spec();
  s->set_kind(spec.kind);
  s->set_fps(spec.fps);
  s->set_payload_bytes(spec.payload_bytes);
  s->set_instructions(spec.instructions);
  s->set_state_bytes(spec.state_bytes);
  s->set_dirty_bytes(spec.dirty_bytes);
  for (const std::string& a : spec.command) s->add_command(a);
  for (const auto& [name, value] : spec.env) (*s->mutable_env())[name] = value;
  s->set_role(spec.role);
  s->set_cpus(spec.cpus);
  s->set_memory_bytes(spec.memory_bytes);
  rpc::StartFunctionReply reply;
  if (!check(stub->StartFunction(context().get(), request, &reply), error)) return std::nullopt;
  return FunctionEndpoints{reply.data_endpoint(), reply.ack_endpoint(), reply.state_endpoint()};
}

std::optional<MigrationReport> AgentClient::migrate_out(const std::string& id, const MigrationOrder& order,
                                                        std::chrono::milliseconds deadline, std::string* error) {
  rpc::MigrateRequest request;
  request.set_id(id);
  request.set_target_state_endpoint(order.target);
  request.set_max_rounds(static_cast<std::uint32_t>(std::max(order.max_rounds, 0)));
  request.set_threshold_bytes(order.threshold_bytes);
  request.set_verify(order.verify);
  request.set_timeout_s(static_cast<double>(order.stall_timeout.count()) / 1000.0);
  request.set_key_public(order.key.public_key);
  request.set_key_secret(order.key.secret_key);
  rpc::MigrationReply reply;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  if (!Impl::check(impl_->stub->MigrateOut(&context, request, &reply), error)) return std::nullopt;
  return parse_migration_report(reply.json(), error);
}

bool AgentClient::stress(double cpu_pct, double ram_pct, double ramp_s, double duration_s, std::string* error) {
  rpc::StressRequest request;
  request.set_cpu_pct(cpu_pct);
  request.set_ram_pct(ram_pct);
  request.set_ramp_s(ramp_s);
  request.set_duration_s(duration_s);
  rpc::Empty reply;
  return Impl::check(impl_->stub->Stress(impl_->context().get(), request, &reply), error);
}

bool AgentClient::rewire(const std::string& id, std::uint64_t epoch, const std::string& downstream,
                         const std::string& upstream_ack, std::string* error) {
  rpc::RewireRequest request;
  request.set_id(id);
  request.set_epoch(epoch);
  request.set_downstream(downstream);
  request.set_upstream_ack(upstream_ack);
  rpc::Empty reply;
  return Impl::check(impl_->stub->Rewire(impl_->context().get(), request, &reply), error);
}

bool AgentClient::stop_function(const std::string& id, std::string* error) {
  rpc::FunctionId request;
  request.set_id(id);
  rpc::Empty reply;
  return Impl::check(impl_->stub->StopFunction(impl_->context().get(), request, &reply), error);
}

std::optional<std::string> AgentClient::function_stats(const std::string& id, std::string* error) {
  rpc::FunctionId request;
  request.set_id(id);
  rpc::FunctionStatsReply reply;
  if (!Impl::check(impl_->stub->FunctionStats(impl_->context().get(), request, &reply), error)) return std::nullopt;
  return reply.json();
}

}  // namespace vfo::runtime
