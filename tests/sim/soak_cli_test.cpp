// vfo chaos soak: a bounded run of every kind of fault against a local cluster, and the sink's account.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "vfo_process.hpp"

namespace {

namespace fs = std::filesystem;
using vfo::test::fresh_dir;
using vfo::test::slurp;

TEST(SoakCli, EveryKindOfFaultIsSurvivedWithNoFrameLostOrDuplicated) {
  const fs::path out = fresh_dir("soak");
  const std::string mark = "soak-" + std::to_string(::getpid());
  const auto o = vfo::test::run_vfo_marked(mark, "chaos soak --duration 80 --seed 3 --quiet --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.all();
  EXPECT_EQ(vfo::test::processes_marked_after(mark), std::vector<int>{});  // agents, VFs and stress processes ended
  const auto s = nlohmann::json::parse(slurp(out / "summary.json"));
  // 80 s of faults, one every few seconds: each kind at least once (the first cycle of seed 3; disk-full as root).
  EXPECT_GE(s["kills"].get<int>(), 1) << s.dump();
  EXPECT_GE(s["hangs"].get<int>(), 1) << s.dump();
  EXPECT_GE(s["stress_episodes"].get<int>(), 1) << s.dump();
  EXPECT_GE(s["orchestrator_kills_in_live_migrations"].get<int>(), 1) << s.dump();
  EXPECT_GE(s["orchestrator_kills_in_cold_migrations"].get<int>(), 1) << s.dump();
  if (::geteuid() == 0) {
    EXPECT_GE(s["disk_full_episodes"].get<int>(), 1) << s.dump();
  }
  // A killed node's VF moves cold, at once or once a node is free of stress; a hung node's may wait for it to
  // answer again when every other node is busy or loaded.
  EXPECT_GE(s["cold_migrations"].get<int>(), s["kills"].get<int>()) << s.dump();
  EXPECT_EQ(s["frames_lost"].get<int>(), 0) << s.dump();
  EXPECT_EQ(s["frames_duplicated"].get<int>(), 0) << s.dump();
  EXPECT_EQ(s["bad_payloads"].get<int>(), 0) << s.dump();
  EXPECT_EQ(s["vfs_run_twice"].get<int>(), 0) << s.dump();
  // 20 fps for the whole run, less the faults' downtime.
  EXPECT_GT(s["frames_delivered"].get<int>(), 20 * 30) << s.dump();
  EXPECT_EQ(s["first_seq"].get<int>(), 1);
  EXPECT_NE(o.out.find("lost 0, duplicated 0"), std::string::npos) << o.out;
  EXPECT_NE(slurp(out / "faults.csv").find("at_s,kind,node,heal_s,cold_migrations,live_migrations,run_twice\n"),
            std::string::npos);
}

TEST(SoakCli, ASoakEndedBySigtermWhileProcessesOfItAreStoppedLeavesNoneOfThem) {
  const fs::path out = fresh_dir("soak-terminated");
  const std::string mark = "soak-term-" + std::to_string(::getpid());
  const pid_t pid = vfo::test::start_vfo_marked(
      mark, {"chaos", "soak", "--duration", "60", "--seed", "3", "--quiet", "--out", out.string()});
  ASSERT_GT(pid, 0);
  // Its nodes' governors stop their VFs and stress processes 100 ms at a time, and a hang stops an agent: wait
  // until a process of the run is stopped, then end the soak.
  const auto stopped = [&] {
    for (const int p : vfo::test::processes_marked(mark)) {
      const auto stat = vfo::test::process_stat(p);
      if (stat && stat->state == 'T') return true;
    }
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(50);
  while (!stopped() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGTERM);
  EXPECT_EQ(vfo::test::ending_signal(pid), SIGTERM) << "it ran to its end: the signal came late";
  EXPECT_EQ(vfo::test::processes_marked_after(mark), std::vector<int>{});
}

TEST(SoakCli, BadFlagsGiveOneLineAndExitCode2) {
  for (const char* args :
       {"chaos soak --duration 5", "chaos soak --nodes 3", "chaos soak --period nan", "chaos soak --seed -1"}) {
    const auto o = vfo::test::run_vfo(args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
  }
}

}  // namespace
