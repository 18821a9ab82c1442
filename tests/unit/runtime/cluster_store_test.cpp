#include "vfo/runtime/cluster_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>

#include "support/scratch.hpp"

namespace vfo::runtime {
namespace {

TEST(ClusterStore, KeepsChainsPlacementsAndEpochsAcrossReopening) {
  const auto dir = test::fresh_dir("store");
  std::filesystem::create_directories(dir);
  const auto db = dir / "cluster.db";
  std::uint32_t id = 0;
  {
    ClusterStore store(db);
    struct stat st {};
    ASSERT_EQ(stat(db.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);  // created for its owner only
    id = store.add_chain("ped", "name: ped\n");
    EXPECT_THROW(store.add_chain("ped", "x"), std::runtime_error);
    store.commit_wiring(id, 1, {{0, "node-1", "tcp://a", "tcp://b"}, {1, "node-2", "tcp://c", "tcp://d"}});
    store.commit_wiring(id, 2, {{1, "node-3", "tcp://e", "tcp://f"}});
  }
  ClusterStore again(db);  // as an orchestrator restarted
  const auto chains = again.chains();
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].name, "ped");
  EXPECT_EQ(chains[0].manifest_yaml, "name: ped\n");
  EXPECT_EQ(chains[0].epoch, 2u);
  ASSERT_EQ(chains[0].placements.size(), 2u);
  EXPECT_EQ(chains[0].placements[0].node, "node-1");
  EXPECT_EQ(chains[0].placements[1].node, "node-3");
  EXPECT_EQ(chains[0].placements[1].data_endpoint, "tcp://e");
  again.remove_chain(id);
  EXPECT_TRUE(again.chains().empty());
  EXPECT_FALSE(again.chain(id));
}

TEST(ClusterStore, KeepsAChainsNoteUntilItIsClearedOrTheChainRemoved) {
  const auto dir = test::fresh_dir("store-note");
  std::filesystem::create_directories(dir);
  ClusterStore store(dir / "cluster.db");
  const std::uint32_t a = store.add_chain("a", "name: a\n");
  const std::uint32_t b = store.add_chain("b", "name: b\n");
  store.set_note(a, "fits on none of the 3 nodes");
  store.set_note(a, "start on node-2: exit code 134");  // the latest replaces the one before
  EXPECT_EQ(store.chain(a)->note, "start on node-2: exit code 134");
  EXPECT_EQ(store.chain(b)->note, "");
  store.set_note(a, "");
  EXPECT_EQ(store.chain(a)->note, "");
  store.set_note(b, "x");
  store.remove_chain(b);
  const std::uint32_t c = store.add_chain("c", "name: c\n");
  EXPECT_EQ(store.chain(c)->note, "");  // not b's, whatever id c gets
}

TEST(ClusterStore, AFileThatCannotBeOpenedIsNamed) {
  try {
    ClusterStore store("/nonexistent-folder/x/cluster.db");
    FAIL() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent-folder/x/cluster.db: cannot open the cluster store", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace vfo::runtime
