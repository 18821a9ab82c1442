#include "vfo/runtime/leader_election.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "etcd_client.hpp"

namespace vfo::runtime {

struct LeaderElection::Impl {
  EtcdEndpoints where;
  std::string identity;
  std::chrono::seconds ttl;
  EtcdClient client;
  std::string key;
  std::atomic<bool> leading{false};
  std::int64_t lease = 0;  // set before the keeper starts, read by it and by the destructor after it ended
  std::mutex mutex;        // guards stopping
  std::condition_variable wake;
  bool stopping = false;
  std::thread keeper;

  Impl(const EtcdEndpoints& w, std::string id, std::chrono::seconds t)
      : where(w),
        identity(std::move(id)),
        ttl(t),
        client(w, std::chrono::milliseconds(1000)),
        key(w.prefix + "leader") {}

  // Renews the lease every third of its ttl while it leads. It stops leading when etcd says the lease is gone, or
  // when no renewal succeeded for a whole ttl counted from when the last good one was sent (etcd counts from
  // later, so this candidate stops first).
  void keep_leading() {
    auto last_sent_ok = std::chrono::steady_clock::now();
    for (;;) {
      {
        std::unique_lock lock(mutex);
        if (wake.wait_for(lock, ttl / 3, [&] { return stopping; })) return;
      }
      const auto sent = std::chrono::steady_clock::now();
      try {
        if (!client.keep_alive(lease)) {
          leading = false;
          return;
        }
        last_sent_ok = sent;
      } catch (const EtcdUnreachable&) {
        if (std::chrono::steady_clock::now() - last_sent_ok >= ttl) {
          leading = false;
          return;
        }
      }
    }
  }
};

LeaderElection::LeaderElection(const EtcdEndpoints& where, std::string identity, std::chrono::seconds ttl)
    : impl_(std::make_unique<Impl>(where, std::move(identity), std::max(ttl, std::chrono::seconds(1)))) {}

LeaderElection::~LeaderElection() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->keeper.joinable()) impl_->keeper.join();
  if (impl_->leading) {
    try {
      impl_->client.revoke_lease(impl_->lease);
    } catch (const EtcdUnreachable&) {  // its lease ends on its own within a ttl
    }
  }
}

std::optional<LeaderFence> LeaderElection::campaign(const std::function<bool()>& give_up,
                                                    std::chrono::milliseconds poll) {
  while (!give_up()) {
    try {
      if (impl_->client.get(impl_->key).empty()) {
        const std::int64_t lease = impl_->client.grant_lease(impl_->ttl);
        const auto r = impl_->client.txn({{impl_->key, EtcdCompare::Target::create, 0}},
                                         {{EtcdOp::Kind::put, impl_->key, impl_->identity, lease}});
        if (r.succeeded) {
          impl_->lease = lease;
          impl_->leading = true;
          impl_->keeper = std::thread([this] { impl_->keep_leading(); });
          return LeaderFence{impl_->key, r.revision};
        }
        impl_->client.revoke_lease(lease);  // another candidate was first
      }
    } catch (const EtcdUnreachable&) {  // waited out as a leader is
    }
    std::this_thread::sleep_for(poll);
  }
  return std::nullopt;
}

bool LeaderElection::leading() const {
  return impl_->leading;
}

std::string LeaderElection::leader() const {
  try {
    const auto read = impl_->client.get(impl_->key);
    return read.empty() ? std::string() : read.front().value;
  } catch (const EtcdUnreachable&) {
    return "";
  }
}

}  // namespace vfo::runtime
