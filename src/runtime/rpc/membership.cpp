// JoinServer and join_orchestrator (vfo/runtime/membership.hpp) on gRPC.
#include "vfo/runtime/membership.hpp"

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "agent.grpc.pb.h"
#include "status_names.hpp"

namespace vfo::runtime {
namespace {

constexpr const char* kOrchestratorName = "orchestrator";

class MembershipService final : public rpc::Membership::Service {
 public:
  MembershipService(std::shared_ptr<const RevocationList> revoked, JoinServer::OnJoin on_join)
      : revoked_(std::move(revoked)), on_join_(std::move(on_join)) {}

  grpc::Status Join(grpc::ServerContext* context, const rpc::JoinRequest* request, rpc::JoinReply* reply) override {
    const auto auth = context->auth_context();
    const auto names = auth ? auth->FindPropertyValues("x509_common_name") : std::vector<grpc::string_ref>{};
    const std::string node = names.empty() ? "" : std::string(names.front().data(), names.front().size());
    const auto refuse = [&](grpc::StatusCode code, const std::string& why) {
      spdlog::warn("refused the join of '{}' from {}: {}", node, context->peer(), why);
      return grpc::Status(code, why);
    };
    if (node.empty() || node == kOrchestratorName) {
      return refuse(grpc::StatusCode::PERMISSION_DENIED,
                    "a join needs a node's certificate (vfo certs DIR --issue NAME), not '" + node + "'");
    }
    if (revoked_) {
      if (revoked_->revoked(peer_certificate(*context))) {
        return refuse(grpc::StatusCode::PERMISSION_DENIED,
                      "the certificate of " + node + " is revoked (" + revoked_->file().string() + ")");
      }
    }
    const std::string& address = request->address();
    const auto colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
      return refuse(grpc::StatusCode::INVALID_ARGUMENT, "address: '" + address + "' (expected HOST:PORT)");
    }
    if (const auto why = on_join_(node, address)) return refuse(grpc::StatusCode::FAILED_PRECONDITION, *why);
    reply->set_node(node);
    return grpc::Status::OK;
  }

 private:
  std::shared_ptr<const RevocationList> revoked_;
  JoinServer::OnJoin on_join_;
};

}  // namespace

struct JoinServer::Impl {
  std::unique_ptr<MembershipService> service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

JoinServer::JoinServer(const std::string& listen, const Identity& identity, OnJoin on_join)
    : impl_(std::make_unique<Impl>()) {
  impl_->service = std::make_unique<MembershipService>(identity.revoked, std::move(on_join));
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = identity.ca_pem;
  tls.pem_key_cert_pairs.push_back({identity.key_pem, identity.cert_pem});
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::SslServerCredentials(tls), &impl_->port);
  builder.RegisterService(impl_->service.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port == 0) throw std::runtime_error("joins: cannot listen on " + listen);
}

JoinServer::~JoinServer() {
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

int JoinServer::port() const {
  return impl_->port;
}

bool join_orchestrator(const std::string& orchestrator, const Identity& identity, const std::string& address,
                       std::chrono::milliseconds deadline, std::string* error) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = identity.ca_pem;
  tls.pem_private_key = identity.key_pem;
  tls.pem_cert_chain = identity.cert_pem;
  grpc::ChannelArguments arguments;
  arguments.SetSslTargetNameOverride(kOrchestratorName);  // the orchestrator's certificate names it so
  const auto stub =
      rpc::Membership::NewStub(grpc::CreateCustomChannel(orchestrator, grpc::SslCredentials(tls), arguments));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  rpc::JoinRequest request;
  request.set_address(address);
  rpc::JoinReply reply;
  const grpc::Status status = stub->Join(&context, request, &reply);
  if (status.ok()) return true;
  if (error != nullptr) *error = std::string(code_name(status.error_code())) + ": " + status.error_message();
  return false;
}

}  // namespace vfo::runtime
