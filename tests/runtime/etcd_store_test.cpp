// The cluster store's contract on SQLite and on etcd alike, and the orchestrators' election through etcd leases:
// against real etcd members on loopback.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>

#include "support/etcd_cluster.hpp"
#include "support/scratch.hpp"
#include "vfo/runtime/etcd_store.hpp"
#include "vfo/runtime/leader_election.hpp"
#include "vfo/runtime/sqlite_store.hpp"

namespace vfo::runtime {
namespace {

using namespace std::chrono_literals;

// One etcd member for this process's tests (a cluster per test would cost seconds each); each test uses a prefix
// of its own.
test::EtcdCluster& shared_etcd() {
  static test::EtcdCluster cluster(1, "etcd-store");
  return cluster;
}

// Opens a fresh store of each kind; `reopen` opens the same store again (as a restarted orchestrator does).
struct StoreKind {
  const char* name;
  std::function<std::unique_ptr<ClusterStore>(const std::string& test)> open;
};

class ClusterStoreContract : public ::testing::TestWithParam<StoreKind> {
 protected:
  std::unique_ptr<ClusterStore> open() const {
    return GetParam().open(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
};

TEST_P(ClusterStoreContract, KeepsChainsPlacementsEpochsAndNotesAcrossReopening) {
  std::uint32_t id = 0;
  {
    const auto store = open();
    id = store->add_chain("ped", "name: ped\n");
    EXPECT_THROW(store->add_chain("ped", "x"), std::runtime_error);
    store->commit_wiring(id, 1, {{1, "node-2", "tcp://c", "tcp://d"}, {0, "node-1", "tcp://a", "tcp://b"}});
    store->commit_wiring(id, 2, {{1, "node-3", "tcp://e", "tcp://f"}});
    store->set_note(id, "fits on none of the 3 nodes");
  }
  const auto again = open();
  const auto chains = again->chains();
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].name, "ped");
  EXPECT_EQ(chains[0].manifest_yaml, "name: ped\n");
  EXPECT_EQ(chains[0].epoch, 2u);
  ASSERT_EQ(chains[0].placements.size(), 2u);  // by index
  EXPECT_EQ(chains[0].placements[0].node, "node-1");
  EXPECT_EQ(chains[0].placements[1].node, "node-3");
  EXPECT_EQ(chains[0].placements[1].data_endpoint, "tcp://e");
  EXPECT_EQ(chains[0].note, "fits on none of the 3 nodes");
  again->set_note(id, "");
  EXPECT_EQ(again->chain(id)->note, "");
}

TEST_P(ClusterStoreContract, NeverGivesAnIdTwiceAndRefusesToWireARemovedChain) {
  const auto store = open();
  const std::uint32_t a = store->add_chain("a", "name: a\n");
  const std::uint32_t b = store->add_chain("b", "name: b\n");
  EXPECT_EQ(b, a + 1);
  store->remove_chain(b);
  EXPECT_FALSE(store->chain(b));
  EXPECT_THROW(store->commit_wiring(b, 1, {}), std::runtime_error);
  EXPECT_EQ(store->last_chain_id(), b);
  EXPECT_EQ(store->add_chain("b", "name: b\n"), b + 1);  // the name is free again, the id is not
  EXPECT_TRUE(store->same_store());
}

TEST_P(ClusterStoreContract, ChangesFromSeveralThreadsAreEachWholeAndNoneIsLost) {
  const auto store = open();
  const std::uint32_t id = store->add_chain("c", "name: c\n");
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kEach; ++k) {
        const auto index = static_cast<std::uint32_t>(t);
        store->commit_wiring(id, static_cast<std::uint64_t>(k + 1), {{index, "node-" + std::to_string(k), "d", "a"}});
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const auto c = store->chain(id);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->placements.size(), static_cast<std::size_t>(kThreads));  // no thread's placement was overwritten
  for (const VfPlacement& p : c->placements) EXPECT_EQ(p.node, "node-" + std::to_string(kEach - 1));
}

INSTANTIATE_TEST_SUITE_P(Stores, ClusterStoreContract,
                         ::testing::Values(StoreKind{"Sqlite",
                                                     [](const std::string& test) -> std::unique_ptr<ClusterStore> {
                                                       const auto dir = test::scratch_dir() / ("sqlite-" + test);
                                                       std::filesystem::create_directories(dir);
                                                       return std::make_unique<SqliteStore>(dir / "cluster.db");
                                                     }},
                                           StoreKind{"Etcd",
                                                     [](const std::string& test) -> std::unique_ptr<ClusterStore> {
                                                       return std::make_unique<EtcdStore>(
                                                           parse_etcd_url(shared_etcd().url(test)));
                                                     }}),
                         [](const ::testing::TestParamInfo<StoreKind>& info) { return std::string(info.param.name); });

TEST(EtcdStore, AWipedStoreIsNoLongerTheSameAndADamagedChainIsNamedByItsKey) {
  const EtcdEndpoints where = parse_etcd_url(shared_etcd().url("wiped"));
  EtcdStore store(where);
  store.add_chain("a", "name: a\n");
  EtcdStore::wipe(where);
  EXPECT_FALSE(store.same_store());
  EtcdStore fresh(where);
  EXPECT_TRUE(fresh.same_store());
  EXPECT_TRUE(fresh.chains().empty());
  EXPECT_EQ(fresh.last_chain_id(), 0u);
}

TEST(EtcdStore, BadUrlsAreRefusedSayingWhy) {
  EXPECT_EQ(parse_etcd_url("etcd://127.0.0.1:2379").members.size(), 1u);
  EXPECT_EQ(parse_etcd_url("etcd://127.0.0.1:2379").prefix, "/vfo/");
  const EtcdEndpoints e = parse_etcd_url("etcd://10.0.0.1:2379,10.0.0.2:2379/lab/a/");
  EXPECT_EQ(e.members, (std::vector<std::string>{"10.0.0.1:2379", "10.0.0.2:2379"}));
  EXPECT_EQ(e.prefix, "/lab/a/");
  EXPECT_EQ(parse_etcd_url("etcd://etcd.lan:2379").members.front(), "etcd.lan:2379");
  const auto why = [](const std::string& url) {
    try {
      parse_etcd_url(url);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(why("http://127.0.0.1:2379").find("is not etcd://"), std::string::npos);
  EXPECT_NE(why("etcd://127.0.0.1").find("member '127.0.0.1' is not HOST:PORT"), std::string::npos);
  EXPECT_NE(why("etcd://127.0.0.1:0").find("is not HOST:PORT"), std::string::npos);
  EXPECT_NE(why("etcd://127.0.0.1:70000").find("is not HOST:PORT"), std::string::npos);
  EXPECT_NE(why("etcd://127.0.0.1:1,").find("member '' is not HOST:PORT"), std::string::npos);
  EXPECT_NE(why("etcd://a.lan:1,b.lan:2").find("must be IPv4 addresses"), std::string::npos);
  EXPECT_NE(why("etcd://127.0.0.1:1/").find("empty key prefix"), std::string::npos);
}

TEST(EtcdStore, AnUnreachableEtcdFailsACallWithinItsDeadlineNamingTheUrl) {
  const std::string url = "etcd://" + free_agent_address("127.0.0.1");
  try {
    EtcdStore store(parse_etcd_url(url), std::nullopt, 500ms);
    FAIL() << "opened a store nothing serves";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(url), std::string::npos) << e.what();
  }
}

TEST(LeaderElection, OneLeadsTheOtherTakesOverWhenItResignsAndTheDeposedLeaderWritesNothing) {
  const EtcdEndpoints where = parse_etcd_url(shared_etcd().url("election"));
  auto first = std::make_unique<LeaderElection>(where, "orchestrator-1", 2s);
  const auto fence = first->campaign([] { return false; });
  ASSERT_TRUE(fence);
  EXPECT_TRUE(first->leading());
  EXPECT_EQ(first->leader(), "orchestrator-1");
  EtcdStore fenced(where, fence);
  const std::uint32_t id = fenced.add_chain("a", "name: a\n");

  LeaderElection second(where, "orchestrator-2", 2s);
  std::atomic<bool> stop{false};
  std::optional<LeaderFence> second_fence;
  std::thread candidate([&] { second_fence = second.campaign([&] { return stop.load(); }, 50ms); });
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(second.leading());  // one leader at a time
  first.reset();                   // resigns: its lease revoked
  candidate.join();
  ASSERT_TRUE(second_fence);
  EXPECT_TRUE(second.leading());
  EXPECT_EQ(second.leader(), "orchestrator-2");
  EXPECT_NE(second_fence->create_revision, fence->create_revision);
  EXPECT_THROW(fenced.commit_wiring(id, 1, {{0, "node-1", "d", "a"}}), LeadershipLost);
  EXPECT_THROW(fenced.add_chain("b", "name: b\n"), LeadershipLost);
  EXPECT_THROW(fenced.remove_chain(id), LeadershipLost);
  EtcdStore by_second(where, second_fence);
  EXPECT_EQ(by_second.chain(id)->epoch, 0u);  // nothing the deposed leader tried was written
  by_second.commit_wiring(id, 1, {{0, "node-1", "d", "a"}});
  EXPECT_EQ(by_second.chain(id)->epoch, 1u);
}

// What `command` prints on stdout (its exit code checked).
std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << command << ": " << out;
  return out;
}

TEST(LeaderElection, ALeaderThatStopsRenewingIsReplacedOnceItsLeaseExpires) {
  // A leader killed right after it won: etcdctl makes the leader key on a lease of 4 s that nobody renews.
  const EtcdEndpoints where = parse_etcd_url(shared_etcd().url("expiry"));
  const std::string etcdctl = "ETCDCTL_API=3 etcdctl --endpoints=http://" + shared_etcd().client(0);
  const std::string granted = output_of(etcdctl + " lease grant 4");  // "lease 694d... granted with TTL(4s)"
  const std::string lease = granted.substr(6, granted.find(' ', 6) - 6);
  const auto put_at = std::chrono::steady_clock::now();
  output_of(etcdctl + " put --lease=" + lease + " " + where.prefix + "leader doomed");
  LeaderElection candidate(where, "next", 2s);
  EXPECT_EQ(candidate.leader(), "doomed");
  const auto fence = candidate.campaign([&] { return std::chrono::steady_clock::now() > put_at + 30s; }, 50ms);
  ASSERT_TRUE(fence);
  const double waited_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - put_at).count();
  EXPECT_EQ(candidate.leader(), "next");
  EXPECT_GE(waited_s, 3.0);  // not before the lease ran out (less a little: etcdctl's own start)
  RecordProperty("takeover_after_put_s", std::to_string(waited_s));
}

}  // namespace
}  // namespace vfo::runtime
