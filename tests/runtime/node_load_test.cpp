// An emulated edge node's load: /proc parsing and the process tree, the CPU governor (it really throttles a
// busy loop), the stress worker and its flags, and the node-trace recorder (its CSV reads back as a vfo trace).
// No timed assertions: only upper bounds on CPU that throttling guarantees, and lower bounds on memory that a
// process's own allocation guarantees.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/scratch.hpp"
#include "vfo/forecast/trace_readers.hpp"
#include "vfo/runtime/node_governor.hpp"
#include "vfo/runtime/node_recorder.hpp"
#include "vfo/runtime/process_tree.hpp"
#include "vfo/runtime/stress_load.hpp"

extern char** environ;

namespace vfo::runtime {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// `sh -c SCRIPT` in a process group of its own; the destructor kills the whole group and reaps the shell.
class ShellTree {
 public:
  explicit ShellTree(const std::string& script) {
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::string sh = "sh", c = "-c", text = script;
    char* argv[] = {sh.data(), c.data(), text.data(), nullptr};
    if (posix_spawn(&pid_, "/bin/sh", nullptr, &attr, argv, environ) != 0) pid_ = -1;
    posix_spawnattr_destroy(&attr);
  }
  ~ShellTree() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);  // works on stopped processes too
    ::waitpid(pid_, nullptr, 0);
  }
  ShellTree(const ShellTree&) = delete;
  ShellTree& operator=(const ShellTree&) = delete;
  pid_t pid() const { return pid_; }

  // Its descendants once there are at least N (polling; empty if they do not appear within 10 s).
  std::vector<pid_t> wait_for_descendants(std::size_t n) const {
    const auto give_up = Clock::now() + 10s;
    while (Clock::now() < give_up) {
      auto found = descendant_processes(pid_);
      if (found.size() >= n) return found;
      std::this_thread::sleep_for(5ms);
    }
    return {};
  }

 private:
  pid_t pid_ = -1;
};

bool contains(const std::vector<pid_t>& pids, pid_t pid) {
  return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

TEST(NodeLoad, ParsesProcStatWhoseCommHoldsParentheses) {
  const std::string line =
      "4242 (evil) (name x) R 17 4242 4242 0 -1 4194304 120 0 0 0 250 50 3 4 20 0 2 0 98765 123456789 300 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  const auto s = parse_proc_stat_line(line);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->pid, 4242);
  EXPECT_EQ(s->comm, "evil) (name x");
  EXPECT_EQ(s->state, 'R');
  EXPECT_EQ(s->ppid, 17);
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 50u);
  EXPECT_EQ(s->start_ticks, 98765u);
  EXPECT_EQ(s->rss_pages, 300);

  EXPECT_FALSE(parse_proc_stat_line(""));
  EXPECT_FALSE(parse_proc_stat_line("12 (x"));
  EXPECT_FALSE(parse_proc_stat_line("12 (x) S 1 2 3"));                                        // too few fields
  EXPECT_FALSE(parse_proc_stat_line("ab (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 9 3"));  // pid
  EXPECT_FALSE(parse_proc_stat_line("12 (x) S z 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 9 3"));  // ppid
  EXPECT_TRUE(parse_proc_stat_line("12 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 9 3"));

  EXPECT_EQ(parse_statm_resident_pages("1000 250 30 5 0 100 0\n"), 250u);
  EXPECT_FALSE(parse_statm_resident_pages("1000"));
  EXPECT_FALSE(parse_statm_resident_pages("1000 x"));
}

TEST(NodeLoad, DescendantsFollowParentLinks) {
  // 1 -> 10 -> {11, 12}, 12 -> 13; 20 is elsewhere; 30 <-> 31 is a cycle (only in a made-up list).
  const std::vector<std::pair<pid_t, pid_t>> parents{{13, 12}, {11, 10}, {12, 10}, {10, 1},
                                                     {20, 1},  {30, 31}, {31, 30}};
  EXPECT_EQ(descendants_in(10, parents), (std::vector<pid_t>{11, 12, 13}));
  EXPECT_EQ(descendants_in(13, parents), std::vector<pid_t>{});
  EXPECT_EQ(descendants_in(99, parents), std::vector<pid_t>{});
  EXPECT_EQ(descendants_in(30, parents), std::vector<pid_t>{31});
}

TEST(NodeLoad, ReadsUsageAndTreeFromAProcFolder) {
  const auto proc = test::fresh_dir("proc");
  auto write_stat = [&](pid_t pid, pid_t ppid, const std::string& comm) {
    std::filesystem::create_directories(proc / std::to_string(pid));
    std::ofstream(proc / std::to_string(pid) / "stat")
        << pid << " (" << comm << ") S " << ppid << " 1 1 0 -1 0 0 0 0 0 200 100 7 7 20 0 1 0 " << 1000 + pid
        << " 4096 25 18446744073709551615\n";
  };
  write_stat(100, 1, "agent");
  write_stat(101, 100, "host) (1");
  write_stat(102, 101, "stress");
  write_stat(200, 1, "other");
  std::filesystem::create_directories(proc / "self");  // not a pid
  std::filesystem::create_directories(proc / "300");   // a process that exited: no stat file

  std::vector<pid_t> below = descendant_processes(100, proc.string());
  std::sort(below.begin(), below.end());
  EXPECT_EQ(below, (std::vector<pid_t>{101, 102}));
  EXPECT_TRUE(descendant_processes(102, proc.string()).empty());

  const auto usage = read_process_usage(101, proc.string());
  ASSERT_TRUE(usage.has_value());
  EXPECT_DOUBLE_EQ(usage->cpu_seconds, 300.0 / static_cast<double>(sysconf(_SC_CLK_TCK)));  // not cutime, cstime
  EXPECT_EQ(usage->rss_bytes, 25u * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(usage->start_ticks, 1101u);
  EXPECT_FALSE(read_process_usage(300, proc.string()));
  EXPECT_FALSE(read_process_usage(999, proc.string()));
  EXPECT_TRUE(descendant_processes(1, (proc / "missing").string()).empty());
}

TEST(NodeLoad, FindsTheDescendantsOfASpawnedTree) {
  ShellTree tree("sleep 30 & sleep 30 & wait");
  ASSERT_GT(tree.pid(), 0);
  const auto sleeps = tree.wait_for_descendants(2);
  ASSERT_EQ(sleeps.size(), 2u);
  const auto mine = descendant_processes(getpid());
  EXPECT_TRUE(contains(mine, tree.pid()));
  for (const pid_t pid : sleeps) {
    EXPECT_TRUE(contains(mine, pid)) << pid;
    EXPECT_TRUE(read_process_usage(pid).has_value());  // its RSS may still be 0 while it execs sleep
  }
  const auto self = read_process_usage(getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_GT(self->rss_bytes, 0u);
  EXPECT_FALSE(contains(mine, getpid()));
}

TEST(NodeLoad, GovernorRejectsBadArguments) {
  EXPECT_THROW(NodeGovernor(0, 1 << 30), std::invalid_argument);
  EXPECT_THROW(NodeGovernor(-1, 1 << 30), std::invalid_argument);
  EXPECT_THROW(NodeGovernor(NAN, 1 << 30), std::invalid_argument);
  EXPECT_THROW(NodeGovernor(1, 0), std::invalid_argument);
  EXPECT_THROW(NodeGovernor(1, 1 << 30, NodeGovernorOptions{.window = 0ms}), std::invalid_argument);
}

TEST(NodeLoad, GovernorThrottlesABusyLoopAndResumesItOnStop) {
  // The shell plays the agent (not governed); the loop is its descendant.
  ShellTree tree("while :; do :; done & wait");
  ASSERT_GT(tree.pid(), 0);
  const auto below = tree.wait_for_descendants(1);
  ASSERT_EQ(below.size(), 1u);
  const pid_t busy = below[0];
  const auto before = read_process_usage(busy);
  ASSERT_TRUE(before.has_value());

  constexpr double kCpus = 0.2;
  NodeGovernor governor(kCpus, 1ull << 30, NodeGovernorOptions{.root = tree.pid()});
  const auto start = Clock::now();
  std::this_thread::sleep_for(1500ms);
  const auto during = read_process_usage(busy);
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  const NodeReading reading = governor.reading();
  governor.stop();
  ASSERT_TRUE(during.has_value());

  // Ungoverned, the loop would use about one core (less on a busy machine, never more); governed, about 0.2.
  const double used_s = during->cpu_seconds - before->cpu_seconds;
  EXPECT_LT(used_s, 0.6 * wall_s) << "used " << used_s << " s of CPU in " << wall_s << " s";
  EXPECT_GT(governor.throttled_windows(), 0u);
  EXPECT_GE(reading.cpu_pct, 0.0);
  EXPECT_LE(reading.cpu_pct, 100.0 + 1e-6);  // what the governor charged, never above the node's cores
  EXPECT_EQ(reading.ram_total_bytes, 1ull << 30);

  // stop() resumed it: it leaves the stopped state (SIGCONT wakes it at once; polled to be safe).
  const auto give_up = Clock::now() + 10s;
  auto after = read_process_usage(busy);
  while (after && after->state == 'T' && Clock::now() < give_up) {
    std::this_thread::sleep_for(5ms);
    after = read_process_usage(busy);
  }
  ASSERT_TRUE(after.has_value());
  EXPECT_NE(after->state, 'T');
}

TEST(NodeLoad, GovernorChargesABurstToTheWindowsAfterItSoNoReadingExceedsTheNode) {
  // A made-up /proc: below the agent, one process whose CPU time the test sets. Their pids lie above any pid_max,
  // so the governor's signals reach no real process.
  const auto proc = test::fresh_dir("proc-burst");
  constexpr pid_t kAgent = 5'000'000, kHost = 5'000'001;
  const auto host_dir = proc / std::to_string(kHost);
  std::filesystem::create_directories(host_dir);
  auto set_cpu_ticks = [&](long ticks) {
    std::ofstream(host_dir / "stat.new") << kHost << " (host) S " << kAgent << " 1 1 0 -1 0 0 0 0 0 " << ticks
                                         << " 0 0 0 20 0 1 0 777 4096 25 18446744073709551615\n";
    std::filesystem::rename(host_dir / "stat.new", host_dir / "stat");  // never read half-written
  };
  set_cpu_ticks(0);
  constexpr double kCpus = 0.5;  // 50 ms of CPU per 100 ms window
  NodeGovernor governor(kCpus, 1ull << 30, NodeGovernorOptions{.root = kAgent, .proc = proc.string()});
  std::this_thread::sleep_for(150ms);
  // A burst: 1 s of CPU at once, twenty windows' budget. Read raw, any reading within 2 s of it would be above
  // the node's cores; charged, it is the node busy for twenty windows.
  set_cpu_ticks(std::lround(1.0 * static_cast<double>(sysconf(_SC_CLK_TCK))));
  double highest = 0;
  bool ended = false;
  for (const auto give_up = Clock::now() + 10s; Clock::now() < give_up && !ended;) {
    const double cpu = governor.reading().cpu_pct;
    EXPECT_GE(cpu, 0.0);
    EXPECT_LE(cpu, 100.0 + 1e-6);
    highest = std::max(highest, cpu);
    ended = highest > 0 && cpu == 0;  // seen, and then paid off
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GT(highest, 0.0) << "the burst was never charged";
  EXPECT_TRUE(ended) << "the burst was still charged 10 s later";
  EXPECT_GT(governor.throttled_windows(), 0u);
  EXPECT_THROW(NodeGovernor(1, 1 << 30, NodeGovernorOptions{.min_reading_span = -1ms}), std::invalid_argument);
}

TEST(NodeLoad, MeasuringGovernorNeverStopsAnything) {
  ShellTree tree("while :; do :; done & wait");
  ASSERT_GT(tree.pid(), 0);
  ASSERT_EQ(tree.wait_for_descendants(1).size(), 1u);
  NodeGovernor governor(0.01, 1ull << 30, NodeGovernorOptions{.root = tree.pid(), .enforce = false});
  std::this_thread::sleep_for(200ms);
  const NodeReading reading = governor.reading();
  EXPECT_EQ(governor.throttled_windows(), 0u);
  EXPECT_GE(reading.cpu_pct, 0.0);
  EXPECT_GT(reading.ram_pct, 0.0);  // the loop's shell is resident
  const auto busy = read_process_usage(tree.wait_for_descendants(1).at(0));
  ASSERT_TRUE(busy.has_value());
  EXPECT_NE(busy->state, 'T');
}

TEST(NodeLoad, StressLevelRampsHoldsAndEnds) {
  EXPECT_DOUBLE_EQ(stress_level(-1, 2, 10), 0);
  EXPECT_DOUBLE_EQ(stress_level(0, 2, 10), 0);
  EXPECT_DOUBLE_EQ(stress_level(0.5, 2, 10), 0.25);
  EXPECT_DOUBLE_EQ(stress_level(2, 2, 10), 1);
  EXPECT_DOUBLE_EQ(stress_level(9.99, 2, 10), 1);
  EXPECT_DOUBLE_EQ(stress_level(10, 2, 10), 0);
  EXPECT_DOUBLE_EQ(stress_level(11, 2, 10), 0);
  EXPECT_DOUBLE_EQ(stress_level(0, 0, 10), 1);  // no ramp: at once
  EXPECT_DOUBLE_EQ(stress_level(0, 0, 0), 0);   // nothing to do
  EXPECT_DOUBLE_EQ(stress_level(1, 3, 3), 1.0 / 3);
}

TEST(NodeLoad, StressLoadIsSpreadOverThreadsOfAtMostOneCore) {
  EXPECT_EQ(stress_thread_duties(2.5), (std::vector<double>{1, 1, 0.5}));
  EXPECT_EQ(stress_thread_duties(2), (std::vector<double>{1, 1}));
  EXPECT_EQ(stress_thread_duties(0.2), std::vector<double>{0.2});
  EXPECT_TRUE(stress_thread_duties(0).empty());
  EXPECT_TRUE(stress_thread_duties(-1).empty());
}

TEST(NodeLoad, StressFlagsParseBackAndBadOnesAreRefused) {
  const StressSpec spec{.cpu_pct = 37.5,
                        .ram_pct = 0.1,
                        .ramp_s = 1.25,
                        .duration_s = 60,
                        .node_cpus = 0.3,
                        .node_ram_bytes = 1ull << 30};
  std::string error;
  const auto back = parse_stress_flags(stress_flags(spec), error);
  ASSERT_TRUE(back.has_value()) << error;
  EXPECT_EQ(*back, spec);

  const auto defaults = parse_stress_flags({"--for", "3", "--node-cpus", "1", "--node-ram-bytes", "100"}, error);
  ASSERT_TRUE(defaults.has_value()) << error;
  EXPECT_EQ(defaults->cpu_pct, 0);
  EXPECT_EQ(defaults->ram_pct, 0);
  EXPECT_EQ(defaults->ramp_s, 0);

  const std::vector<std::string> base{"--for", "3", "--node-cpus", "1", "--node-ram-bytes", "100"};
  const std::vector<std::vector<std::string>> bad{
      {"--cpu", "101"}, {"--cpu", "-1"},  {"--ram", "100.5"}, {"--cpu", "nan"}, {"--ramp", "4"},
      {"--ramp", "-1"}, {"--bogus", "1"}, {"--cpu", "x"},     {"extra"},        {"--node-ram-bytes", "-5"}};
  for (const auto& extra : bad) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    error.clear();
    EXPECT_FALSE(parse_stress_flags(args, error)) << extra[0];
    EXPECT_FALSE(error.empty()) << extra[0];
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  EXPECT_FALSE(parse_stress_flags({"--for", "3", "--node-cpus", "0", "--node-ram-bytes", "1"}, error));
  EXPECT_FALSE(parse_stress_flags({"--node-cpus", "1", "--node-ram-bytes", "1"}, error));  // no --for
}

int run_command(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return run_stress_command(static_cast<int>(args.size()), argv.data());
}

TEST(NodeLoad, StressCommandExitsTwoOnBadFlags) {
  EXPECT_EQ(run_command({"stress", "--cpu", "150", "--for", "1", "--node-cpus", "1", "--node-ram-bytes", "1"}), 2);
  EXPECT_EQ(run_command({"stress", "--ramp", "2", "--for", "1", "--node-cpus", "1", "--node-ram-bytes", "1"}), 2);
  EXPECT_EQ(run_command({"stress", "--bogus", "--for", "1", "--node-cpus", "1", "--node-ram-bytes", "1"}), 2);
  EXPECT_EQ(run_command({"stress", "--for", "1"}), 2);
  EXPECT_EQ(run_command({"stress", "--for", "0", "--node-cpus", "1", "--node-ram-bytes", "1"}), 0);  // done at once
}

TEST(NodeLoad, StressWorkerInAChildRaisesTheNodesMemory) {
  constexpr std::uint64_t kNodeRam = 100ull << 20;
  const StressSpec spec{.cpu_pct = 10,
                        .ram_pct = 10,
                        .ramp_s = 0,
                        .duration_s = 2,
                        .node_cpus = 1,
                        .node_ram_bytes = kNodeRam};  // 10 MiB, 0.1 core, for 2 s
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // waits for the parent's baseline reading, then stresses
    close(go[1]);
    char byte = 0;
    if (read(go[0], &byte, 1) != 1) _exit(3);
    _exit(run_stress_worker(spec));
  }
  close(go[0]);
  NodeGovernor governor(spec.node_cpus, kNodeRam, NodeGovernorOptions{.root = getpid(), .enforce = false});
  const double baseline_pct = governor.reading().ram_pct;
  ASSERT_EQ(write(go[1], "x", 1), 1);
  close(go[1]);

  double peak_pct = baseline_pct;
  int status = 0;
  while (waitpid(child, &status, WNOHANG) == 0) {
    peak_pct = std::max(peak_pct, governor.reading().ram_pct);
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The worker touched every page of its 10 MiB (10 % of the node): at least 9 points more than before.
  EXPECT_GT(peak_pct - baseline_pct, 9.0) << "baseline " << baseline_pct << " %, peak " << peak_pct << " %";
}

TEST(NodeLoad, RecorderWritesATraceThatReadNodeTraceReads) {
  const auto path = test::scratch_dir() / "node-trace.csv";
  std::filesystem::remove(path);
  int calls = 0;
  {
    NodeRecorder recorder(
        path, "edge-1",
        [&calls] {
          return NodeReading{10.0 * ++calls, 5, 1ull << 30};
        },
        50ms);
    const auto give_up = Clock::now() + 30s;
    while (recorder.rows_written() < 4 && Clock::now() < give_up) std::this_thread::sleep_for(10ms);
    recorder.stop();
    ASSERT_GE(recorder.rows_written(), 4u);
  }
  // A second recorder appends without a second header.
  {
    NodeRecorder again(
        path, "edge-2",
        [] {
          return NodeReading{1, 2, 3};
        },
        5s);
  }

  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "time,node,cpu,ram");
  std::vector<double> times, cpus;
  while (std::getline(in, line)) {
    ASSERT_EQ(std::count(line.begin(), line.end(), ','), 3) << line;
    const auto first = line.find(','), second = line.find(',', first + 1), third = line.find(',', second + 1);
    EXPECT_EQ(line.substr(first + 1, second - first - 1), "edge-1");
    times.push_back(std::stod(line.substr(0, first)));
    cpus.push_back(std::stod(line.substr(second + 1, third - second - 1)));
    EXPECT_DOUBLE_EQ(std::stod(line.substr(third + 1)), 5.0);
  }
  ASSERT_GE(times.size(), 4u);
  for (std::size_t i = 0; i < times.size(); ++i) {
    EXPECT_DOUBLE_EQ(cpus[i], 10.0 * static_cast<double>(i + 2));  // the first reading only opens an interval
    if (i > 0) {
      EXPECT_GT(times[i], times[i - 1]);
    }
  }
  EXPECT_GT(times[0], 1.6e9);  // Unix time

  const auto series = read_node_trace(path, 0.05);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].name, "vfo:edge-1");
  ASSERT_TRUE(series[0].has_ram());
  EXPECT_GE(series[0].size(), 1u);
  for (const double ram : series[0].ram_pct) EXPECT_DOUBLE_EQ(ram, 5.0);
  for (const double cpu : series[0].cpu_pct) {
    EXPECT_GE(cpu, cpus.front());
    EXPECT_LE(cpu, cpus.back());
  }
}

TEST(NodeLoad, RecorderRefusesWhatItCannotAppendToAndMendsAnUnfinishedRow) {
  const auto reader = [] { return NodeReading{}; };
  const auto missing = test::scratch_dir() / "no-such-folder" / "trace.csv";
  try {
    NodeRecorder recorder(missing, "n", reader);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  const auto other = test::write_file("other.csv", "a,b\n1,2\n");
  try {
    NodeRecorder recorder(other, "n", reader);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(other.string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(NodeRecorder(test::scratch_dir() / "x.csv", "a,b", reader), std::invalid_argument);
  EXPECT_THROW(NodeRecorder(test::scratch_dir() / "x.csv", "n", reader, 0ms), std::invalid_argument);

  const auto cut = test::write_file("cut.csv", "time,node,cpu,ram\n1700000002.5,n,1,2\n1700000007.5,n,3");
  { NodeRecorder recorder(cut, "n", reader, 5s); }
  EXPECT_EQ(test::slurp(cut), "time,node,cpu,ram\n1700000002.5,n,1,2\n");
  const auto bare = test::write_file("bare.csv", "time,node,cpu,ram");
  { NodeRecorder recorder(bare, "n", reader, 5s); }
  EXPECT_EQ(test::slurp(bare), "time,node,cpu,ram\n");
}

TEST(NodeLoad, SignalsAProcessOnlyWhileItIsTheOneThatStartedThen) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (;;) pause();
  }
  const auto usage = read_process_usage(child);
  ASSERT_TRUE(usage);
  // Another start time: a later process that got the pid. Nothing is sent.
  EXPECT_FALSE(signal_same_process(child, usage->start_ticks + 1, SIGKILL));
  EXPECT_EQ(waitpid(child, nullptr, WNOHANG), 0);
  // A thread's id names no process of its own (kill(2) would signal the thread's whole process: this one).
  std::promise<pid_t> thread_id;
  std::promise<void> done;
  std::thread thread([&] {
    thread_id.set_value(static_cast<pid_t>(::syscall(SYS_gettid)));
    done.get_future().wait();
  });
  const pid_t tid = thread_id.get_future().get();
  const auto thread_usage = read_process_usage(tid);  // /proc/TID/stat: readable, though /proc does not list it
  EXPECT_TRUE(thread_usage);
  if (thread_usage) {
    EXPECT_FALSE(signal_same_process(tid, thread_usage->start_ticks, SIGCONT));
  }
  done.set_value();
  thread.join();
  EXPECT_FALSE(signal_same_process(::getpid(), read_process_usage(::getpid())->start_ticks, SIGCONT));

  EXPECT_TRUE(signal_same_process(child, usage->start_ticks, SIGKILL));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST(NodeLoad, GovernorLogsATickThatCameLateBecauseItsProcessWasStopped) {
  const std::filesystem::path log = test::scratch_dir() / "late-tick.log";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // governs its (absent) children for 1.5 s, logging to LOG
    close(ready[0]);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(3);
    NodeGovernor governor(0.5, 1ull << 30);
    if (write(ready[1], "x", 1) != 1) _exit(4);
    std::this_thread::sleep_for(1500ms);
    governor.stop();
    spdlog::default_logger()->flush();
    _exit(0);
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  ASSERT_EQ(kill(child, SIGSTOP), 0);  // the process does not run for 0.8 s: nor does its governor's thread
  std::this_thread::sleep_for(800ms);
  ASSERT_EQ(kill(child, SIGCONT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("the node's governor woke"), std::string::npos) << text;
}

}  // namespace
}  // namespace vfo::runtime
