#include "vfo/util/start_process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/processes.hpp"
#include "support/scratch.hpp"

namespace vfo {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Everything readable from `fd` until its end; closes it.
std::string read_all(int fd) {
  std::string text;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// Waits for `pid`: its exit code, or 128 + the signal that ended it.
int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Where `pid`'s descriptor `fd` points ("/dev/null", a file, "pipe:[...]").
std::string target_of(pid_t pid, int fd) {
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd)).string();
}

// Whether `pid` has ended (gone, or a zombie) within 20 s.
bool ends(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!test::runs(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// The processes whose parent is this one.
std::vector<pid_t> my_children() {
  std::vector<pid_t> out;
  for (const pid_t pid : test::all_processes()) {
    const auto s = test::process_stat(pid);
    if (s && s->parent == ::getpid()) out.push_back(pid);
  }
  return out;
}

Started sleeper(StartOptions options = {}) {
  return start_process({"/bin/sleep", "60"}, options);
}

void end(pid_t pid) {
  ::kill(pid, SIGKILL);
  reap(pid);
}

TEST(StartProcess, ByDefaultStdinIsDevNullAndStdoutAndStderrAreInherited) {
  const Started s = sleeper();
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(target_of(s.pid, 0), "/dev/null");
  EXPECT_EQ(target_of(s.pid, 1), target_of(::getpid(), 1));
  EXPECT_EQ(target_of(s.pid, 2), target_of(::getpid(), 2));
  EXPECT_EQ(s.in, -1);
  EXPECT_EQ(s.out, -1);
  EXPECT_EQ(s.err, -1);
  end(s.pid);
}

TEST(StartProcess, InheritedStdinAndDevNullOutputs) {
  const Started s = sleeper({.in = Stdio::inherit(), .out = Stdio::null(), .err = Stdio::null()});
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(target_of(s.pid, 0), target_of(::getpid(), 0));
  EXPECT_EQ(target_of(s.pid, 1), "/dev/null");
  EXPECT_EQ(target_of(s.pid, 2), "/dev/null");
  end(s.pid);
}

TEST(StartProcess, PipesCarryStdinStdoutAndStderr) {
  Started cat = start_process({"/bin/cat"}, {.in = Stdio::pipe(), .out = Stdio::pipe()});
  ASSERT_TRUE(cat.ok()) << cat.error;
  ASSERT_EQ(::write(cat.in, "hello\n", 6), 6);
  ::close(cat.in);
  EXPECT_EQ(read_all(cat.out), "hello\n");
  EXPECT_EQ(reap(cat.pid), 0);

  const Started err =
      start_process({"/bin/sh", "-c", "echo out; echo err >&2"}, {.out = Stdio::null(), .err = Stdio::pipe()});
  ASSERT_TRUE(err.ok()) << err.error;
  EXPECT_EQ(read_all(err.err), "err\n");
  EXPECT_EQ(reap(err.pid), 0);
}

TEST(StartProcess, AFileIsTruncatedOrAppendedToAndStderrCanShareStdout) {
  const fs::path dir = test::fresh_dir("start_process_files");
  fs::create_directories(dir);
  const std::vector<std::string> both = {"/bin/sh", "-c", "echo out; echo err >&2"};
  std::ofstream(dir / "t.txt") << "an older and longer text\n";
  Started s = start_process(both, {.out = Stdio::file(dir / "t.txt"), .err = Stdio::same_as_stdout()});
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(reap(s.pid), 0);
  EXPECT_EQ(test::slurp(dir / "t.txt"), "out\nerr\n");

  std::ofstream(dir / "a.txt") << "before\n";
  s = start_process(both, {.out = Stdio::append_to(dir / "a.txt"), .err = Stdio::append_to(dir / "e.txt")});
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(reap(s.pid), 0);
  EXPECT_EQ(test::slurp(dir / "a.txt"), "before\nout\n");
  EXPECT_EQ(test::slurp(dir / "e.txt"), "err\n");  // created
}

TEST(StartProcess, RunsInTheGivenFolderWithItsFilesOpenedBeforeEnteringIt) {
  const fs::path dir = test::fresh_dir("start_process_cwd");
  fs::create_directories(dir / "inner");
  const Started s =
      start_process({"/bin/sh", "-c", "pwd"}, {.cwd = dir / "inner", .out = Stdio::file(dir / "pwd.txt")});
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(reap(s.pid), 0);
  EXPECT_EQ(test::slurp(dir / "pwd.txt"), (dir / "inner").string() + "\n");

  const Started missing = start_process({"/bin/sh", "-c", "pwd"}, {.cwd = dir / "none"});
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.pid, -1);
  EXPECT_EQ(missing.error, "/bin/sh: its working directory " + (dir / "none").string() + ": No such file or directory");
}

TEST(StartProcess, AnOutputFileThatCannotBeCreatedIsAnError) {
  const fs::path file = test::fresh_dir("start_process_nowhere") / "out.txt";
  const Started s = start_process({"/bin/true"}, {.out = Stdio::file(file)});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.pid, -1);
  EXPECT_EQ(s.error, "/bin/true: its stdout (" + file.string() + "): No such file or directory");
  const Started e = start_process({"/bin/true"}, {.err = Stdio::append_to(file)});
  EXPECT_EQ(e.error, "/bin/true: its stderr (" + file.string() + "): No such file or directory");
}

TEST(StartProcess, AProgramThatCannotBeExecutedIsAnErrorAndLeavesNoChild) {
  const std::vector<pid_t> before = my_children();
  const Started missing = start_process({"/nonexistent/program", "x"}, {.out = Stdio::pipe()});
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.pid, -1);
  EXPECT_EQ(missing.out, -1);
  EXPECT_EQ(missing.error, "/nonexistent/program: No such file or directory");

  const fs::path script = test::write_file("start_process_not_executable.sh", "#!/bin/sh\nexit 0\n");
  fs::permissions(script, fs::perms::owner_read | fs::perms::owner_write);
  const Started plain = start_process({script.string()});
  EXPECT_FALSE(plain.ok());
  EXPECT_EQ(plain.error, script.string() + ": Permission denied");

  const Started folder = start_process({"/tmp"});
  EXPECT_EQ(folder.error, "/tmp: Permission denied");
  EXPECT_EQ(start_process({}).error, "an empty command");
  EXPECT_EQ(my_children(), before);  // each failed child was reaped
}

TEST(StartProcess, OptionsAgainstTheRulesAreRefused) {
  EXPECT_THROW(start_process({"/bin/true"}, {.in = Stdio::file("x")}), std::invalid_argument);
  EXPECT_THROW(start_process({"/bin/true"}, {.in = Stdio::same_as_stdout()}), std::invalid_argument);
  EXPECT_THROW(start_process({"/bin/true"}, {.out = Stdio::same_as_stdout()}), std::invalid_argument);
}

TEST(StartProcess, TheChildHasNoSignalBlockedWhateverItsStarterBlocks) {
  sigset_t term, before;
  ::sigemptyset(&term);
  ::sigaddset(&term, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &term, &before);
  const Started s = sleeper();
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ASSERT_TRUE(s.ok()) << s.error;
  std::ifstream status("/proc/" + std::to_string(s.pid) + "/status");
  std::string line, blocked;
  while (std::getline(status, line)) {
    if (line.rfind("SigBlk:", 0) == 0) blocked = line.substr(line.find_first_not_of(" \t", 7));
  }
  EXPECT_EQ(blocked, "0000000000000000");
  ::kill(s.pid, SIGTERM);
  EXPECT_EQ(reap(s.pid), 128 + SIGTERM);
}

TEST(StartProcess, ANewSessionIsTheChildsOwn) {
  const Started own = sleeper({.new_session = true});
  const Started shared = sleeper();
  ASSERT_TRUE(own.ok() && shared.ok()) << own.error << shared.error;
  EXPECT_EQ(::getsid(own.pid), own.pid);
  EXPECT_EQ(::getsid(shared.pid), ::getsid(0));
  end(own.pid);
  end(shared.pid);
}

// Starts a sleeper from a child process that then exits; the sleeper's pid.
pid_t sleeper_of_a_parent_that_exits(bool die_with_parent) {
  int report[2];
  if (::pipe(report) != 0) return -1;
  const pid_t parent = ::fork();
  if (parent == 0) {
    const Started s = sleeper({.die_with_parent = die_with_parent});
    [[maybe_unused]] const auto n = ::write(report[1], &s.pid, sizeof s.pid);
    ::_exit(0);
  }
  ::close(report[1]);
  pid_t pid = -1;
  if (::read(report[0], &pid, sizeof pid) != sizeof pid) pid = -1;
  ::close(report[0]);
  reap(parent);
  return pid;
}

TEST(StartProcess, DieWithParentEndsTheChildWhenItsParentEnds) {
  const pid_t orphan = sleeper_of_a_parent_that_exits(false);
  const pid_t follower = sleeper_of_a_parent_that_exits(true);
  ASSERT_GT(orphan, 0);
  ASSERT_GT(follower, 0);
  EXPECT_TRUE(ends(follower));
  EXPECT_TRUE(test::runs(orphan));  // the same child without the option outlives its parent
  ::kill(orphan, SIGKILL);
  EXPECT_TRUE(ends(orphan));
}

TEST(StartProcess, DieWithParentFollowsTheThreadThatStartedTheChild) {
  Started s;
  std::thread([&s] { s = sleeper({.die_with_parent = true}); }).join();
  ASSERT_TRUE(s.ok()) << s.error;
  EXPECT_EQ(reap(s.pid), 128 + SIGKILL);  // this process lives on, but the starting thread ended
}

TEST(ReplaceProcess, BecomesTheProgramOrSaysWhyNot) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    const std::string error = replace_process({"/nonexistent/program"});
    [[maybe_unused]] const auto n = ::write(report[1], error.data(), error.size());
    [[maybe_unused]] const std::string ignored = replace_process({"/bin/sh", "-c", "exit 7"});
    ::_exit(1);
  }
  ::close(report[1]);
  EXPECT_EQ(read_all(report[0]), "/nonexistent/program: No such file or directory");
  EXPECT_EQ(reap(child), 7);
  EXPECT_THAT(replace_process({}), HasSubstr("empty"));
}

}  // namespace
}  // namespace vfo
