#pragma once
// The few calls of etcd's v3 API the store and the election make, in plain C++: the only code that sees gRPC
// and etcd's generated protos is etcd_client.cpp. Thread-safe. Every call waits at most the client's deadline
// (riding out a member's death: the channel moves to the next member) and throws EtcdUnreachable after it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/runtime/etcd_store.hpp"

namespace vfo::runtime {

class EtcdUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EtcdKeyValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
};

// A transaction's condition: `key`'s create (or mod) revision equals `revision` (0: the key does not exist).
struct EtcdCompare {
  enum class Target { create, mod };
  std::string key;
  Target target = Target::mod;
  std::int64_t revision = 0;
};

// One operation of a transaction.
struct EtcdOp {
  enum class Kind { put, erase, erase_prefix, get, get_prefix };
  Kind kind = Kind::get;
  std::string key;
  std::string value;       // put
  std::int64_t lease = 0;  // put: the key dies with this lease (0: none)
};

struct EtcdTxnResult {
  bool succeeded = false;
  std::int64_t revision = 0;                     // the store's revision after the transaction
  std::vector<std::vector<EtcdKeyValue>> reads;  // what each get / get_prefix of the branch taken read, in order
};

class EtcdClient {
 public:
  EtcdClient(const EtcdEndpoints& where, std::chrono::milliseconds deadline);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  // The keys equal to `key` (or starting with it when `prefix`), by key.
  std::vector<EtcdKeyValue> get(const std::string& key, bool prefix = false) const;
  // If every compare holds, the `success` ops, else the `failure` ops; atomically.
  EtcdTxnResult txn(const std::vector<EtcdCompare>& compares, const std::vector<EtcdOp>& success,
                    const std::vector<EtcdOp>& failure = {}) const;
  // A new lease of `ttl` (etcd may grant more); its id.
  std::int64_t grant_lease(std::chrono::seconds ttl) const;
  // Renews the lease; false when etcd says it is gone (expired or revoked).
  bool keep_alive(std::int64_t lease) const;
  void revoke_lease(std::int64_t lease) const;
  const std::string& url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
