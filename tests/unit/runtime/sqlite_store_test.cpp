#include "vfo/runtime/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include "support/scratch.hpp"
#include "support/store_tamper.hpp"

namespace vfo::runtime {
namespace {

TEST(SqliteStore, KeepsChainsPlacementsAndEpochsAcrossReopening) {
  const auto dir = test::fresh_dir("store");
  std::filesystem::create_directories(dir);
  const auto db = dir / "cluster.db";
  std::uint32_t id = 0;
  {
    SqliteStore store(db);
    struct stat st {};
    ASSERT_EQ(stat(db.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);  // created for its owner only
    id = store.add_chain("ped", "name: ped\n");
    EXPECT_THROW(store.add_chain("ped", "x"), std::runtime_error);
    store.commit_wiring(id, 1, {{0, "node-1", "tcp://a", "tcp://b"}, {1, "node-2", "tcp://c", "tcp://d"}});
    store.commit_wiring(id, 2, {{1, "node-3", "tcp://e", "tcp://f"}});
  }
  SqliteStore again(db);  // as an orchestrator restarted
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

TEST(SqliteStore, KeepsAChainsNoteUntilItIsClearedOrTheChainRemoved) {
  const auto dir = test::fresh_dir("store-note");
  std::filesystem::create_directories(dir);
  SqliteStore store(dir / "cluster.db");
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

TEST(SqliteStore, AFileThatCannotBeOpenedIsNamed) {
  try {
    SqliteStore store("/nonexistent-folder/x/cluster.db");
    FAIL() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent-folder/x/cluster.db: cannot open the cluster store", 0), 0u)
        << e.what();
  }
}

std::string damage(const std::function<void()>& read) {
  try {
    read();
  } catch (const StoreDamaged& e) {
    return e.what();
  }
  return "read without complaint";
}

TEST(SqliteStore, RowsOfTheWrongTypeOrRangeAreRefusedNamingFileAndRow) {
  const auto dir = test::fresh_dir("store-damaged");
  std::filesystem::create_directories(dir);
  const auto db = dir / "cluster.db";
  SqliteStore store(db);
  const std::uint32_t id = store.add_chain("ped", "name: ped\n");
  store.commit_wiring(id, 1, {{0, "node-1", "tcp://a", "tcp://b"}});
  test::tamper(db, "UPDATE chains SET epoch = 'abc'");
  EXPECT_EQ(damage([&] { store.chains(); }), db.string() + ": chain 1: epoch: 'abc' is not a whole number");
  test::tamper(db, "UPDATE chains SET epoch = -3");
  EXPECT_EQ(damage([&] { store.chains(); }),
            db.string() + ": chain 1: epoch: -3 is out of range (0 to 9223372036854775807)");
  test::tamper(db, "UPDATE chains SET epoch = 1; UPDATE placements SET idx = 'x'");
  EXPECT_EQ(damage([&] { store.chains(); }), db.string() + ": placement of chain 1: idx: 'x' is not a whole number");
  test::tamper(db, "UPDATE placements SET idx = 0, node = x'00ff'");  // a blob: TEXT affinity keeps numbers as text
  EXPECT_EQ(damage([&] { store.chains(); }), db.string() + ": placement of chain 1 at 0: node: not text");
  test::tamper(db, "UPDATE placements SET node = 'node-1'");
  EXPECT_EQ(store.chains().size(), 1u);  // repaired
}

TEST(SqliteStore, AFileThatIsNotAStoreOrIsTruncatedIsRefusedNamingIt) {
  const auto dir = test::fresh_dir("store-garbage");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "garbage.db") << std::string(8192, 'x');
  EXPECT_NE(damage([&] {
              SqliteStore store(dir / "garbage.db");
            }).find((dir / "garbage.db").string() + ": cannot open the cluster store"),
            std::string::npos);
  {
    SqliteStore store(dir / "whole.db");
    for (int i = 0; i < 50; ++i) store.add_chain("c" + std::to_string(i), std::string(2000, 'm'));
  }
  std::filesystem::remove(dir / "whole.db-wal");
  std::filesystem::remove(dir / "whole.db-shm");
  std::filesystem::resize_file(dir / "whole.db", std::filesystem::file_size(dir / "whole.db") / 2);
  const std::string why = damage([&] {
    SqliteStore store(dir / "whole.db");
    store.chains();
  });
  EXPECT_NE(why.find((dir / "whole.db").string() + ": cannot"), std::string::npos) << why;
}

TEST(SqliteStore, NeverGivesAChainIdTwiceAndKnowsWhenItsFileIsReplaced) {
  const auto dir = test::fresh_dir("store-ids");
  std::filesystem::create_directories(dir);
  SqliteStore store(dir / "cluster.db");
  const std::uint32_t a = store.add_chain("a", "name: a\n");
  store.remove_chain(a);
  const std::uint32_t b = store.add_chain("b", "name: b\n");
  EXPECT_GT(b, a);  // a VF of the removed chain a is never taken for one of b
  EXPECT_EQ(store.last_chain_id(), b);
  EXPECT_TRUE(store.same_store());
  std::filesystem::rename(dir / "cluster.db", dir / "moved.db");
  EXPECT_FALSE(store.same_store());
  SqliteStore other(dir / "cluster.db");  // a new, empty store in its place
  EXPECT_FALSE(store.same_store());
  EXPECT_TRUE(other.same_store());
}

}  // namespace
}  // namespace vfo::runtime
