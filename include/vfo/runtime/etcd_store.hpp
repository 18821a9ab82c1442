#pragma once
// The cluster store in etcd (etcd's gRPC v3 API), which outlives the orchestrator's machine: `vfo up --store
// etcd://HOST:PORT,...`. Its keys, under PREFIX (default /vfo/):
//   PREFIX store-id          a random id written when the store is first opened (same_store compares it)
//   PREFIX last-chain-id     the highest chain id ever given, decimal
//   PREFIX chains/NNNNNNNNNN one chain as JSON (name, manifest, epoch, placements, note), by its 10-digit id
//   PREFIX leader            the leader key of the orchestrators' election (leader_election.hpp)
// Every change is one etcd transaction that compares what it read (a chain's mod revision, the last id's), so
// changes from several processes never interleave; one that lost the race reads again and retries. A store opened
// with a LeaderFence also compares the leader key: once its orchestrator is no longer the leader, every change
// throws LeadershipLost and nothing is written (a deposed leader cannot undo its successor's work).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/runtime/cluster_store.hpp"

namespace vfo::runtime {

// Where an etcd store is.
struct EtcdEndpoints {
  std::vector<std::string> members;  // HOST:PORT of each member's client URL (plain HTTP/2)
  std::string prefix = "/vfo/";      // every key of the store starts with it; begins and ends with '/'
  std::string url;                   // as given
};

// Parses etcd://HOST:PORT[,HOST:PORT...][/PREFIX]. Several members must be IPv4 addresses (the client fails over
// between them); one member may be a host name. Throws std::invalid_argument saying what is wrong.
EtcdEndpoints parse_etcd_url(const std::string& url);

// The leader key that must still stand, as it was created, for a fenced store's change to go through.
struct LeaderFence {
  std::string key;
  std::int64_t create_revision = 0;
};

// A fenced store's orchestrator is no longer the leader: the change was not made.
class LeadershipLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EtcdClient;

class EtcdStore final : public ClusterStore {
 public:
  // Connects (lazily: an unreachable etcd fails the first call, not this) and reads or writes the store's id.
  // Each call waits for etcd at most `deadline`, then throws std::runtime_error naming the URL.
  explicit EtcdStore(const EtcdEndpoints& where, std::optional<LeaderFence> fence = std::nullopt,
                     std::chrono::milliseconds deadline = std::chrono::milliseconds(5000));
  ~EtcdStore() override;
  EtcdStore(const EtcdStore&) = delete;
  EtcdStore& operator=(const EtcdStore&) = delete;

  std::uint32_t add_chain(const std::string& name, const std::string& manifest_yaml) override;
  std::uint32_t last_chain_id() const override;
  bool same_store() const override;  // its store-id is still the one read at opening
  std::string where() const override;
  void remove_chain(std::uint32_t id) override;
  std::vector<StoredChain> chains() const override;
  void set_note(std::uint32_t chain, const std::string& note) override;
  void commit_wiring(std::uint32_t chain, std::uint64_t epoch, const std::vector<VfPlacement>& changed) override;

  // Deletes every key under the store's prefix (`vfo down`).
  static void wipe(const EtcdEndpoints& where);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
