// EtcdClient on etcd's gRPC v3 API (the KV and Lease services of etcdserverpb, generated from etcd's own protos).
#include "etcd_client.hpp"

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "runtime/rpc/status_names.hpp"

namespace vfo::runtime {
namespace {

namespace pb = etcdserverpb;

// The channel's target: the members as one address list (gRPC's pick_first moves to the next when one fails),
// or the one member as it is.
std::string channel_target(const EtcdEndpoints& where) {
  if (where.members.size() == 1) return where.members.front();
  std::string target = "ipv4:";
  for (std::size_t i = 0; i < where.members.size(); ++i) target += (i == 0 ? "" : ",") + where.members[i];
  return target;
}

// The end of the range of keys that start with `prefix`: the prefix with its last byte that can be raised, raised.
std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last < 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // every key
}

EtcdKeyValue from_proto(const mvccpb::KeyValue& kv) {
  return {kv.key(), kv.value(), kv.create_revision(), kv.mod_revision()};
}

void to_proto(const EtcdOp& op, pb::RequestOp* out) {
  switch (op.kind) {
    case EtcdOp::Kind::put: {
      pb::PutRequest* put = out->mutable_request_put();
      put->set_key(op.key);
      put->set_value(op.value);
      put->set_lease(op.lease);
      return;
    }
    case EtcdOp::Kind::erase:
    case EtcdOp::Kind::erase_prefix: {
      pb::DeleteRangeRequest* erase = out->mutable_request_delete_range();
      erase->set_key(op.key);
      if (op.kind == EtcdOp::Kind::erase_prefix) erase->set_range_end(prefix_end(op.key));
      return;
    }
    case EtcdOp::Kind::get:
    case EtcdOp::Kind::get_prefix: {
      pb::RangeRequest* get = out->mutable_request_range();
      get->set_key(op.key);
      if (op.kind == EtcdOp::Kind::get_prefix) get->set_range_end(prefix_end(op.key));
      return;
    }
  }
}

}  // namespace

struct EtcdClient::Impl {
  EtcdEndpoints where;
  std::chrono::milliseconds deadline;
  std::unique_ptr<pb::KV::Stub> kv;
  std::unique_ptr<pb::Lease::Stub> lease;

  // A call's context: it waits for a member to be reachable (through a member's death) until the deadline.
  std::unique_ptr<grpc::ClientContext> context() const {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + deadline);
    c->set_wait_for_ready(true);
    return c;
  }
  void check(const grpc::Status& status, const char* what) const {
    if (status.ok()) return;
    throw EtcdUnreachable(fmt_error(what, status));
  }
  std::string fmt_error(const char* what, const grpc::Status& status) const {
    return where.url + ": " + what + ": " + code_name(status.error_code()) + ": " + status.error_message();
  }
};

EtcdClient::EtcdClient(const EtcdEndpoints& where, std::chrono::milliseconds deadline)
    : impl_(std::make_unique<Impl>()) {
  impl_->where = where;
  impl_->deadline = deadline;
  grpc::ChannelArguments arguments;
  // A member that comes back is reached within a second (gRPC's backoff would otherwise grow to two minutes).
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  const auto channel = grpc::CreateCustomChannel(channel_target(where), grpc::InsecureChannelCredentials(), arguments);
  impl_->kv = pb::KV::NewStub(channel);
  impl_->lease = pb::Lease::NewStub(channel);
}

EtcdClient::~EtcdClient() = default;

const std::string& EtcdClient::url() const {
  return impl_->where.url;
}

std::vector<EtcdKeyValue> EtcdClient::get(const std::string& key, bool prefix) const {
  pb::RangeRequest request;
  request.set_key(key);
  if (prefix) request.set_range_end(prefix_end(key));
  pb::RangeResponse response;
  impl_->check(impl_->kv->Range(impl_->context().get(), request, &response), "read");
  std::vector<EtcdKeyValue> out;
  for (const mvccpb::KeyValue& kv : response.kvs()) out.push_back(from_proto(kv));
  return out;
}

EtcdTxnResult EtcdClient::txn(const std::vector<EtcdCompare>& compares, const std::vector<EtcdOp>& success,
                              const std::vector<EtcdOp>& failure) const {
  pb::TxnRequest request;
  for (const EtcdCompare& c : compares) {
    pb::Compare* compare = request.add_compare();
    compare->set_key(c.key);
    compare->set_result(pb::Compare::EQUAL);
    if (c.target == EtcdCompare::Target::create) {
      compare->set_target(pb::Compare::CREATE);
      compare->set_create_revision(c.revision);
    } else {
      compare->set_target(pb::Compare::MOD);
      compare->set_mod_revision(c.revision);
    }
  }
  for (const EtcdOp& op : success) to_proto(op, request.add_success());
  for (const EtcdOp& op : failure) to_proto(op, request.add_failure());
  pb::TxnResponse response;
  impl_->check(impl_->kv->Txn(impl_->context().get(), request, &response), "transaction");
  EtcdTxnResult result;
  result.succeeded = response.succeeded();
  result.revision = response.header().revision();
  for (const pb::ResponseOp& r : response.responses()) {
    if (!r.has_response_range()) continue;
    std::vector<EtcdKeyValue>& read = result.reads.emplace_back();
    for (const mvccpb::KeyValue& kv : r.response_range().kvs()) read.push_back(from_proto(kv));
  }
  return result;
}

std::int64_t EtcdClient::grant_lease(std::chrono::seconds ttl) const {
  pb::LeaseGrantRequest request;
  request.set_ttl(ttl.count());
  pb::LeaseGrantResponse response;
  impl_->check(impl_->lease->LeaseGrant(impl_->context().get(), request, &response), "lease grant");
  if (!response.error().empty()) throw EtcdUnreachable(impl_->where.url + ": lease grant: " + response.error());
  return response.id();
}

bool EtcdClient::keep_alive(std::int64_t lease) const {
  // One renewal per stream: a stream broken with its member is not left behind.
  const auto context = impl_->context();
  auto stream = impl_->lease->LeaseKeepAlive(context.get());
  pb::LeaseKeepAliveRequest request;
  request.set_id(lease);
  pb::LeaseKeepAliveResponse response;
  const bool answered = stream->Write(request) && stream->Read(&response);
  stream->WritesDone();
  context->TryCancel();
  const grpc::Status status = stream->Finish();
  if (!answered) {
    throw EtcdUnreachable(impl_->fmt_error(
        "lease keep-alive", status.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "no answer") : status));
  }
  return response.ttl() > 0;
}

void EtcdClient::revoke_lease(std::int64_t lease) const {
  pb::LeaseRevokeRequest request;
  request.set_id(lease);
  pb::LeaseRevokeResponse response;
  impl_->check(impl_->lease->LeaseRevoke(impl_->context().get(), request, &response), "lease revoke");
}

}  // namespace vfo::runtime
