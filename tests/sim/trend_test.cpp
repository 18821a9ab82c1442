// The paper's trends (Results A, Fig. 6 and 7a-b), asserted on a seeded CI-size sweep run through
// `vfo sweep`: with P_leave = P_overload = 0.1 at normal demand, live migration lowers mean downtime
// and moves more bytes; downtime falls as g grows.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "results_csv.hpp"
#include "vfo_process.hpp"

namespace {

namespace fs = std::filesystem;

struct Cell {
  double downtime = 0, bytes = 0;
  int runs = 0;
};

TEST(Trend, LiveMigrationLowersDowntimeMovesMoreBytesAndMoreNodesLowerDowntime) {
  const fs::path out = vfo::test::fresh_dir("trend");
  const vfo::test::Outcome o =
      vfo::test::run_vfo("sweep " + std::string(VFO_SOURCE_DIR) + "/tests/sim/data/trend.yaml --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.all();

  std::map<std::pair<int, bool>, Cell> cells;
  for (const vfo::test::ResultRow& row : vfo::test::read_results(out / "results.csv")) {
    const int g = static_cast<int>(vfo::test::number(row, "environment.nodes"));
    const std::string live_text = row.count("control.live_migration") ? row.at("control.live_migration") : "";
    const bool live = live_text == "true" || live_text == "1" || live_text == "on";
    Cell& c = cells[{g, live}];
    c.downtime += vfo::test::number(row, "downtime_pct");
    c.bytes += vfo::test::number(row, "migration_bytes");
    ++c.runs;
  }
  ASSERT_EQ(cells.size(), 6u);
  Cell pooled_on, pooled_off;
  for (int g : {100, 300, 500}) {
    const Cell& on = cells[std::make_pair(g, true)];
    const Cell& off = cells[std::make_pair(g, false)];
    ASSERT_EQ(on.runs, 10);
    ASSERT_EQ(off.runs, 10);
    pooled_on.downtime += on.downtime;
    pooled_off.downtime += off.downtime;
    pooled_on.bytes += on.bytes;
    pooled_off.bytes += off.bytes;
    const double downtime_ratio = on.downtime / off.downtime;
    const double bytes_ratio = on.bytes / off.bytes;
    std::printf("g=%d: downtime %.3f%% (live) vs %.3f%% (cold only): %+.1f%%; migration bytes %+.1f%%\n", g,
                on.downtime / on.runs, off.downtime / off.runs, (downtime_ratio - 1) * 100, (bytes_ratio - 1) * 100);
    // Per g, 10 replications leave a few percent of noise on downtime: no worse than +5%.
    EXPECT_LT(downtime_ratio, 1.05) << "g=" << g;
    EXPECT_GT(bytes_ratio, 1.0) << "g=" << g;
  }
  // Over all g (30 paired runs each way), live migration lowers the mean downtime.
  std::printf("all g: downtime %+.1f%%, migration bytes %+.1f%%\n",
              (pooled_on.downtime / pooled_off.downtime - 1) * 100, (pooled_on.bytes / pooled_off.bytes - 1) * 100);
  EXPECT_LT(pooled_on.downtime, pooled_off.downtime);
  EXPECT_GT(pooled_on.bytes, pooled_off.bytes);
  // Downtime falls with g (Fig. 7a): with one VF per node, 100 nodes hold about a third of the VFs that
  // normal demand keeps running, so chains wait (downtime), 300 nodes hold most and 500 all of them. Pooled
  // over live migration on and off (20 runs per g).
  const auto pooled = [&](int g) {
    return cells[std::make_pair(g, true)].downtime + cells[std::make_pair(g, false)].downtime;
  };
  std::printf("downtime at g=300 / at g=100: %.3f, at g=500 / at g=300: %.3f\n", pooled(300) / pooled(100),
              pooled(500) / pooled(300));
  EXPECT_LT(pooled(300), 0.5 * pooled(100));
  EXPECT_LT(pooled(500), 0.5 * pooled(300));
}

}  // namespace
