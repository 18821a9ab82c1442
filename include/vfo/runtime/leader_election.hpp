#pragma once
// One of several orchestrators campaigning to lead a cluster, through an etcd lease (the pattern of Kubernetes'
// leader election): the leader holds PREFIX leader, a key bound to a lease it keeps alive; when it dies (or hangs,
// or loses etcd) for longer than the lease's time to live, etcd deletes the key and the next candidate to try
// creates it. Only the leader acts; the others wait in campaign(). Its LeaderFence makes its store's writes fail
// once it no longer leads (etcd_store.hpp), so two leaders never both change the store.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "vfo/runtime/etcd_store.hpp"

namespace vfo::runtime {

class LeaderElection {
 public:
  // `identity` is what the leader key holds while this candidate leads (who leads, for people). `ttl` >= 1 s:
  // how long a leader may go unheard before the next takes over (etcd may raise it to its own minimum).
  LeaderElection(const EtcdEndpoints& where, std::string identity, std::chrono::seconds ttl);
  // Resigns if it leads (revokes its lease: the next candidate takes over at once).
  ~LeaderElection();
  LeaderElection(const LeaderElection&) = delete;
  LeaderElection& operator=(const LeaderElection&) = delete;

  // Blocks until this candidate leads, trying every `poll`; nullopt when `give_up` returns true first. etcd being
  // unreachable is waited out, as another leader is.
  std::optional<LeaderFence> campaign(const std::function<bool()>& give_up,
                                      std::chrono::milliseconds poll = std::chrono::milliseconds(250));
  // Whether it still leads: false from the moment a keep-alive found its lease gone, or none succeeded for a ttl.
  bool leading() const;
  // The identity the leader key holds now ("" when none leads, or etcd does not answer).
  std::string leader() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
