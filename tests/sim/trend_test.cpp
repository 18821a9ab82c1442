// The paper's trends (Results A, Fig. 6 and 7a-b), asserted on a seeded CI-size sweep run through
// `vfo sweep`: with P_leave = P_overload = 0.1 at normal demand, live migration lowers mean downtime
// and moves more bytes; downtime does not grow with g.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  return cells;
}

struct Cell {
  double downtime = 0, bytes = 0;
  int runs = 0;
};

TEST(Trend, LiveMigrationLowersDowntimeMovesMoreBytesAndGDoesNotHurt) {
  const fs::path out = fs::path(::testing::TempDir()) / "vfo-trend";
  fs::remove_all(out);
  const std::string command = std::string(VFO_BINARY) + " sweep " + VFO_SOURCE_DIR +
                              "/tests/sim/data/trend.yaml --out " + out.string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  ASSERT_EQ(pclose(pipe), 0) << output;

  std::ifstream csv(out / "results.csv");
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  const auto header = split(line);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* key : {"environment.nodes", "control.live_migration", "downtime_pct", "migration_bytes"}) {
    ASSERT_TRUE(col.contains(key)) << key << " not in " << line;
  }
  std::map<std::pair<int, bool>, Cell> cells;
  while (std::getline(csv, line)) {
    const auto row = split(line);
    const int g = std::stoi(row[col["environment.nodes"]]);
    const std::string live_text = row[col["control.live_migration"]];
    const bool live = live_text == "true" || live_text == "1" || live_text == "on";
    Cell& c = cells[{g, live}];
    c.downtime += std::stod(row[col["downtime_pct"]]);
    c.bytes += std::stod(row[col["migration_bytes"]]);
    ++c.runs;
  }
  ASSERT_EQ(cells.size(), 6u);
  for (int g : {100, 300, 500}) {
    const Cell& on = cells[std::make_pair(g, true)];
    const Cell& off = cells[std::make_pair(g, false)];
    ASSERT_EQ(on.runs, 6);
    ASSERT_EQ(off.runs, 6);
    const double downtime_ratio = on.downtime / off.downtime;
    const double bytes_ratio = on.bytes / off.bytes;
    std::printf("g=%d: downtime %.3f%% (live) vs %.3f%% (cold only): %+.1f%%; migration bytes %+.1f%%\n", g,
                on.downtime / on.runs, off.downtime / off.runs, (downtime_ratio - 1) * 100, (bytes_ratio - 1) * 100);
    EXPECT_LT(downtime_ratio, 1.0) << "g=" << g;
    EXPECT_GT(bytes_ratio, 1.0) << "g=" << g;
  }
  for (bool live : {true, false}) {
    // Downtime does not grow with g: the largest environment is no worse than the smallest (10% slack
    // for sampling noise with 6 replications).
    const Cell& large = cells[std::make_pair(500, live)];
    const Cell& small = cells[std::make_pair(100, live)];
    EXPECT_LE(large.downtime, small.downtime * 1.1) << "live=" << live;
  }
}

}  // namespace
