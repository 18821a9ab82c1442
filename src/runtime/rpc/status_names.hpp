#pragma once
// The names of gRPC's status codes, as every call's error line starts with them ("UNAVAILABLE: ...").
#include <grpcpp/support/status.h>

#include <map>

namespace vfo::runtime {

inline const char* code_name(grpc::StatusCode code) {
  static const std::map<grpc::StatusCode, const char*> names = {
      {grpc::StatusCode::CANCELLED, "CANCELLED"},
      {grpc::StatusCode::UNKNOWN, "UNKNOWN"},
      {grpc::StatusCode::INVALID_ARGUMENT, "INVALID_ARGUMENT"},
      {grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED"},
      {grpc::StatusCode::NOT_FOUND, "NOT_FOUND"},
      {grpc::StatusCode::ALREADY_EXISTS, "ALREADY_EXISTS"},
      {grpc::StatusCode::PERMISSION_DENIED, "PERMISSION_DENIED"},
      {grpc::StatusCode::UNAUTHENTICATED, "UNAUTHENTICATED"},
      {grpc::StatusCode::UNAVAILABLE, "UNAVAILABLE"},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"},
      {grpc::StatusCode::FAILED_PRECONDITION, "FAILED_PRECONDITION"},
      {grpc::StatusCode::ABORTED, "ABORTED"},
      {grpc::StatusCode::OUT_OF_RANGE, "OUT_OF_RANGE"},
      {grpc::StatusCode::UNIMPLEMENTED, "UNIMPLEMENTED"},
      {grpc::StatusCode::DATA_LOSS, "DATA_LOSS"},
      {grpc::StatusCode::INTERNAL, "INTERNAL"}};
  const auto it = names.find(code);
  return it == names.end() ? "ERROR" : it->second;
}

// The first certificate the peer of a call presented (PEM), "" when there is none.
template <typename Context>
std::string peer_certificate(const Context& context) {
  const auto auth = context.auth_context();
  const auto pems = auth ? auth->FindPropertyValues("x509_pem_cert") : decltype(auth->FindPropertyValues("")){};
  return pems.empty() ? std::string() : std::string(pems.front().data(), pems.front().size());
}

}  // namespace vfo::runtime
