// `vfo sweep --shard I/N` and `vfo sweep merge`: a sweep split into disjoint parts (as a batch scheduler's job
// array runs it) joins into the very bytes of the unsharded sweep; an interrupted sweep runs only what is missing.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "vfo_process.hpp"

namespace {

namespace fs = std::filesystem;
using vfo::test::fresh_dir;
using vfo::test::run_vfo;
using vfo::test::slurp;

constexpr const char* kSweep =
    "name: shard\nduration_s: 300\nenvironment: {nodes: 12}\n"
    "sweep:\n  replications: 3\n  grid:\n    control.live_migration: [true, false]\n"
    "  figures:\n    - {kind: lines, file: d, x: control.live_migration, y: downtime_pct}\n";

fs::path sweep_file(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path file = dir / "shard.yaml";
  std::ofstream(file) << kSweep;
  return file;
}

TEST(SweepShard, ThreeShardsMergedAreByteIdenticalToTheUnshardedSweep) {
  const fs::path dir = fresh_dir("sweep-shard");
  const fs::path file = sweep_file(dir);
  const auto whole = run_vfo("sweep " + file.string() + " --no-wall-time --quiet --out " + (dir / "whole").string());
  ASSERT_EQ(whole.exit_code, 0) << whole.all();
  std::string shards;
  for (int i = 1; i <= 3; ++i) {
    const fs::path out = dir / ("part-" + std::to_string(i));
    const auto part = run_vfo("sweep " + file.string() + " --no-wall-time --quiet --shard " + std::to_string(i) +
                              "/3 --out " + out.string());
    ASSERT_EQ(part.exit_code, 0) << part.all();
    EXPECT_NE(part.out.find("shard " + std::to_string(i) + " of 3: 2 runs"), std::string::npos) << part.out;
    EXPECT_FALSE(fs::exists(out / "results.csv"));  // a part has no results of its own
    // Runs i-1 and i+2 (index % 3 == i - 1), under their indices in the whole sweep.
    EXPECT_TRUE(fs::exists(out / "runs" / std::to_string(i - 1) / "summary.json"));
    EXPECT_TRUE(fs::exists(out / "runs" / std::to_string(i + 2) / "summary.json"));
    EXPECT_FALSE(fs::exists(out / "runs" / std::to_string(i % 3) / "summary.json"));
    shards += " " + out.string();
  }
  const auto missing = run_vfo("sweep merge " + (dir / "part-1").string() + " " + (dir / "part-3").string() +
                               " --out " + (dir / "merged").string());
  EXPECT_EQ(missing.exit_code, 2) << missing.all();
  EXPECT_NE(missing.err.find("shard 2 of 3 missing"), std::string::npos) << missing.err;
  const auto merged = run_vfo("sweep merge" + shards + " --quiet --out " + (dir / "merged").string());
  ASSERT_EQ(merged.exit_code, 0) << merged.all();
  for (const char* f : {"results.csv", "aggregate.csv", "figures/d.dat", "figures/d.gp", "runs/4/summary.json"}) {
    EXPECT_EQ(slurp(dir / "merged" / f), slurp(dir / "whole" / f)) << f;
    EXPECT_FALSE(slurp(dir / "whole" / f).empty()) << f;
  }
}

TEST(SweepShard, AnInterruptedSweepStartedAgainRunsOnlyWhatIsMissing) {
  const fs::path dir = fresh_dir("sweep-resume");
  const fs::path file = sweep_file(dir);
  const fs::path out = dir / "out";
  // One run at a time, killed once two runs have finished.
  const std::string mark = "sweep-resume-" + std::to_string(::getpid());
  const pid_t pid = vfo::test::start_vfo_marked(
      mark, {"sweep", file.string(), "--no-wall-time", "--quiet", "--jobs", "1", "--out", out.string()});
  ASSERT_GT(pid, 0);
  const auto finished = [&] {
    int n = 0;
    for (int i = 0; i < 6; ++i) n += fs::exists(out / "runs" / std::to_string(i) / "finished");
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (finished() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  vfo::test::ending_signal(pid);
  EXPECT_EQ(vfo::test::processes_marked_after(mark), std::vector<int>{});
  const int before = finished();
  ASSERT_GE(before, 2);
  ASSERT_LT(before, 6) << "the sweep ended before it was killed";
  const auto kept = fs::last_write_time(out / "runs" / "0" / "summary.json");
  const auto again = run_vfo("sweep " + file.string() + " --no-wall-time --jobs 1 --out " + out.string());
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_NE(again.err.find(std::to_string(before) + " finished before, " + std::to_string(6 - before) + " to run"),
            std::string::npos)
      << again.err;
  EXPECT_EQ(fs::last_write_time(out / "runs" / "0" / "summary.json"), kept);  // not run again
  // The same bytes as a sweep run in one go.
  const auto whole = run_vfo("sweep " + file.string() + " --no-wall-time --quiet --out " + (dir / "whole").string());
  ASSERT_EQ(whole.exit_code, 0) << whole.all();
  EXPECT_EQ(slurp(out / "results.csv"), slurp(dir / "whole" / "results.csv"));
}

// scripts/slurm-local starts a one-node Slurm cluster (munge, slurmctld, slurmd) in a folder of the test's;
// scripts/slurm-sweep submits the shards as a job array and the merge as a job that depends on it.
TEST(SweepShard, ThroughSlurmAJobArrayOfShardsAndADependentMergeGiveTheUnshardedBytes) {
  if (::geteuid() != 0) GTEST_SKIP() << "a local Slurm cluster needs root";
  const std::string scripts = std::string(VFO_SOURCE_DIR) + "/scripts/";
  const fs::path dir = fresh_dir("sweep-slurm");
  const fs::path file = sweep_file(dir);
  const fs::path cluster = dir / "slurm";
  const auto up = vfo::test::run_shell("bash " + scripts + "slurm-local up " + cluster.string());
  ASSERT_EQ(up.exit_code, 0) << up.all();
  struct Down {
    std::string command;
    ~Down() { vfo::test::run_shell(command); }
  } down{"bash " + scripts + "slurm-local down " + cluster.string()};
  const std::string conf = "SLURM_CONF=" + (cluster / "slurm.conf").string() + " ";
  const fs::path out = dir / "out";
  const auto submitted = vfo::test::run_shell(conf + "bash " + scripts + "slurm-sweep " + file.string() + " --out " +
                                              out.string() + " --shards 3 --vfo " + VFO_BINARY + " -- --no-wall-time");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.all();
  EXPECT_NE(submitted.out.find("job array"), std::string::npos) << submitted.out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (!fs::exists(out / "figures" / "d.gp") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(fs::exists(out / "figures" / "d.gp"))
      << vfo::test::run_shell(conf + "squeue; cat " + out.string() + "/slurm-*.out").out;
  for (int i = 1; i <= 3; ++i) EXPECT_TRUE(fs::exists(out / ("part-" + std::to_string(i)) / "sweep.json"));
  const auto whole = run_vfo("sweep " + file.string() + " --no-wall-time --quiet --out " + (dir / "whole").string());
  ASSERT_EQ(whole.exit_code, 0) << whole.all();
  for (const char* f : {"results.csv", "aggregate.csv", "figures/d.dat"}) {
    EXPECT_EQ(slurp(out / f), slurp(dir / "whole" / f)) << f;
  }
}

TEST(SweepShard, BadShardsAndMergesGiveOneLineAndExitCode2) {
  const fs::path dir = fresh_dir("sweep-shard-bad");
  const fs::path file = sweep_file(dir);
  for (const std::string shard : {"0/3", "4/3", "3", "a/b", "1/0", "-1/2"}) {
    const auto o = run_vfo("sweep " + file.string() + " --shard " + shard + " --out " + (dir / "out").string());
    EXPECT_EQ(o.exit_code, 2) << shard << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.err), 1) << o.err;
    EXPECT_NE(o.err.find("--shard"), std::string::npos) << o.err;
  }
  const auto none = run_vfo("sweep merge " + (dir / "nothing").string() + " --out " + (dir / "m").string());
  EXPECT_EQ(none.exit_code, 2) << none.all();
  EXPECT_EQ(vfo::test::line_count(none.err), 1) << none.err;
  const auto no_out = run_vfo("sweep " + file.string());
  EXPECT_EQ(no_out.exit_code, 2) << no_out.all();
  EXPECT_EQ(vfo::test::line_count(no_out.err), 1) << no_out.err;
}

}  // namespace
