#include "cli/cluster_events.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/scratch.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> texts(const std::vector<nlohmann::json>& events) {
  std::vector<std::string> out;
  for (const nlohmann::json& e : events) out.push_back(e["text"].get<std::string>());
  return out;
}

TEST(EventTail, ReadsWhatIsAppendedAfterItWasMadeAndEachEventOnce) {
  const fs::path dir = test::fresh_dir("event-tail");
  fs::create_directories(dir);
  EventLog log(dir);
  log.add("node-failed", "before");
  EventTail tail(dir);
  EXPECT_TRUE(tail.next().empty());
  log.add("node-back", "one");
  log.add("cold-migration", "two");
  EXPECT_EQ(texts(tail.next()), (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(tail.next().empty());
  log.add("node-back", "three");
  const auto events = tail.next();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["kind"], "node-back");
}

TEST(EventTail, LeavesALineStillBeingWrittenForTheNextCall) {
  const fs::path dir = test::fresh_dir("event-tail-partial");
  fs::create_directories(dir);
  EventTail tail(dir);  // no log yet: it reads the log from its start once there is one
  const std::string event = R"({"time":"2026-12-06T00:00:00.000Z","kind":"error","text":"whole"})";
  std::ofstream(dir / kEventFiles[0]) << event.substr(0, 20) << std::flush;
  EXPECT_TRUE(tail.next().empty());
  std::ofstream(dir / kEventFiles[0], std::ios::app) << event.substr(20) << '\n' << std::flush;
  EXPECT_EQ(texts(tail.next()), std::vector<std::string>{"whole"});
}

TEST(EventTail, FollowsTheLogAcrossItsRotation) {
  const fs::path dir = test::fresh_dir("event-tail-rotated");
  fs::create_directories(dir);
  EventLog log(dir);
  EventTail tail(dir);
  log.add("error", "a");
  EXPECT_EQ(texts(tail.next()), std::vector<std::string>{"a"});
  log.add("error", "b");
  // What the log does past its size: the file becomes the older generation, and a new one starts.
  fs::rename(dir / kEventFiles[0], dir / kEventFiles[1]);
  log.add("error", "c");
  EXPECT_EQ(texts(tail.next()), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(tail.next().empty());
}

}  // namespace
}  // namespace vfo::cli

namespace vfo::cli {
namespace {

TEST(DaemonRecords, AWriteThatFailsIsLostNotThrownAndWritesWorkAgainOnceTheyCan) {
  const fs::path dir = test::fresh_dir("daemon-records");
  std::ofstream(dir.string()) << "a file where the folder should be";  // every write under it fails
  DaemonRecords records(dir);
  EXPECT_NO_THROW(records.event("node-failed", "node-1 did not answer its probe"));
  EXPECT_NE(records.problem(), "");
  EXPECT_NO_THROW(records.write(dir / "nodes.json", "{}\n"));
  EXPECT_NE(records.problem(), "");
  fs::remove(dir);
  fs::create_directories(dir);
  records.event("node-back", "node-1 answers again");
  EXPECT_EQ(records.problem().find("events"), std::string::npos) << "events are written again";
  EXPECT_NE(records.problem(), "") << "nodes.json has not been written since";
  records.write(dir / "nodes.json", "{}\n");
  EXPECT_EQ(records.problem(), "");
  EXPECT_EQ(test::slurp(dir / "nodes.json"), "{}\n");
  const auto events = read_events(dir, 0);
  ASSERT_EQ(events.size(), 1u);  // the event of the failure was lost
  EXPECT_EQ(events[0]["kind"], "node-back");
}

}  // namespace
}  // namespace vfo::cli
