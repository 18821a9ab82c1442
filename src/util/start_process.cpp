#include "vfo/util/start_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

extern "C" char** environ;  // NOLINT: POSIX's

namespace vfo {
namespace {

// What the child could not do, sent to the parent on a pipe that its exec closes.
enum class Step : int { kExec, kStdin, kStdout, kStderr, kCwd, kCgroup, kSetup };

struct Failure {
  Step step = Step::kExec;
  int error = 0;
  int index = 0;  // kCgroup: which of StartOptions::cgroups
};

// argv for execv; the pointers point into `argv`.
std::vector<char*> exec_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// This process's environment with `extra` ("NAME=VALUE") on top, for execve; the pointers point into `storage`.
std::vector<char*> exec_env(const std::vector<std::string>& extra, std::vector<std::string>& storage) {
  storage.clear();
  const auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    const bool replaced =
        std::any_of(extra.begin(), extra.end(), [&](const std::string& x) { return name_of(x) == name_of(entry); });
    if (!replaced) storage.push_back(entry);
  }
  storage.insert(storage.end(), extra.begin(), extra.end());
  std::vector<char*> out;
  for (std::string& entry : storage) out.push_back(entry.data());
  out.push_back(nullptr);
  return out;
}

// Reports `step` and errno to the parent and ends the child. Async-signal-safe, as all that the child runs.
[[noreturn]] void fail(int report_fd, Step step, int index = 0) {
  const Failure f{step, errno, index};
  [[maybe_unused]] const auto n = ::write(report_fd, &f, sizeof f);
  ::_exit(127);
}

// The child's source for standard stream `fd` (0, 1, 2) as described by `s`, at a descriptor >= 3 (so that
// installing one stream cannot overwrite the source of another); -1 to leave the stream as it is.
int open_source(const Stdio& s, int fd, int pipe_end, int report_fd) {
  const Step step = fd == 0 ? Step::kStdin : fd == 1 ? Step::kStdout : Step::kStderr;
  int source = -1;
  switch (s.kind) {
    case Stdio::Kind::kInherit:
    case Stdio::Kind::kStdout:
      return -1;
    case Stdio::Kind::kNull:
      source = ::open("/dev/null", (fd == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
      break;
    case Stdio::Kind::kTruncate:
      source = ::open(s.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      break;
    case Stdio::Kind::kAppend:
      source = ::open(s.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      break;
    case Stdio::Kind::kPipe:
      source = pipe_end;
      break;
  }
  if (source < 0) fail(report_fd, step);
  const int high = ::fcntl(source, F_DUPFD_CLOEXEC, 3);
  if (high < 0) fail(report_fd, Step::kSetup);
  return high;
}

// In the child, between fork and exec: only async-signal-safe calls, on memory prepared before the fork.
[[noreturn]] void become_child(char* const* argv, char* const* envp, const StartOptions& o, pid_t parent,
                               const std::array<int, 3>& pipe_ends, int report_fd) {
  if (o.die_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(report_fd, Step::kSetup);
    if (::getppid() != parent) ::_exit(127);  // the parent ended before prctl: nobody waits for this child
  }
  if (o.new_session && ::setsid() < 0) fail(report_fd, Step::kSetup);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const std::array<const Stdio*, 3> streams = {&o.in, &o.out, &o.err};
  std::array<int, 3> sources{};
  for (int fd = 0; fd < 3; ++fd) sources[fd] = open_source(*streams[fd], fd, pipe_ends[fd], report_fd);
  for (int fd = 0; fd < 3; ++fd) {
    if (sources[fd] >= 0 && ::dup2(sources[fd], fd) < 0) fail(report_fd, Step::kSetup);
  }
  if (o.err.kind == Stdio::Kind::kStdout && ::dup2(STDOUT_FILENO, STDERR_FILENO) < 0) fail(report_fd, Step::kSetup);
  if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) fail(report_fd, Step::kCwd);
  for (std::size_t i = 0; i < o.cgroups.size(); ++i) {  // "0": the writer itself moves
    const int fd = ::open(o.cgroups[i].c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) fail(report_fd, Step::kCgroup, static_cast<int>(i));
    ::close(fd);
  }
  ::execve(argv[0], argv, envp);
  fail(report_fd, Step::kExec);
}

std::string describe(const std::vector<std::string>& argv, const StartOptions& o, const Failure& f) {
  const std::string reason = std::strerror(f.error);
  switch (f.step) {
    case Step::kExec:
      return argv[0] + ": " + reason;
    case Step::kStdin:
      return argv[0] + ": its stdin (/dev/null): " + reason;
    case Step::kStdout:
      return argv[0] + ": its stdout (" + (o.out.path.empty() ? "/dev/null" : o.out.path.string()) + "): " + reason;
    case Step::kStderr:
      return argv[0] + ": its stderr (" + (o.err.path.empty() ? "/dev/null" : o.err.path.string()) + "): " + reason;
    case Step::kCwd:
      return argv[0] + ": its working directory " + o.cwd.string() + ": " + reason;
    case Step::kCgroup:
      return argv[0] + ": cannot join the cgroup of " + o.cgroups.at(static_cast<std::size_t>(f.index)).string() +
             ": " + reason;
    case Step::kSetup:
      break;
  }
  return argv[0] + ": cannot set up the child: " + reason;
}

void check(const StartOptions& o) {
  using K = Stdio::Kind;
  if (o.in.kind != K::kInherit && o.in.kind != K::kNull && o.in.kind != K::kPipe) {
    throw std::invalid_argument("start_process: stdin can be inherited, /dev/null or a pipe");
  }
  if (o.out.kind == K::kStdout) throw std::invalid_argument("start_process: stdout cannot be the same as stdout");
}

}  // namespace

Started start_process(const std::vector<std::string>& argv, const StartOptions& options) {
  check(options);
  Started started;
  if (argv.empty()) {
    started.error = "an empty command";
    return started;
  }
  // [0]: the parent's end, [1]: the child's, for stdin, stdout and stderr; then the failure report.
  std::array<std::array<int, 2>, 3> pipes;
  for (auto& p : pipes) p = {-1, -1};
  int report[2] = {-1, -1};
  const auto close_all = [&] {
    for (auto& p : pipes) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
    close_fd(report[0]);
    close_fd(report[1]);
  };
  const std::array<const Stdio*, 3> streams = {&options.in, &options.out, &options.err};
  for (std::size_t i = 0; i < 3; ++i) {
    if (streams[i]->kind != Stdio::Kind::kPipe) continue;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      started.error = argv[0] + ": cannot create a pipe: " + std::strerror(errno);
      close_all();
      return started;
    }
    // stdin: the child reads fds[0]; stdout and stderr: the child writes fds[1].
    pipes[i] = i == 0 ? std::array<int, 2>{fds[1], fds[0]} : std::array<int, 2>{fds[0], fds[1]};
  }
  if (::pipe2(report, O_CLOEXEC) != 0) {
    started.error = argv[0] + ": cannot create a pipe: " + std::strerror(errno);
    close_all();
    return started;
  }
  const std::vector<char*> args = exec_argv(argv);
  std::vector<std::string> env_storage;
  const std::vector<char*> env = exec_env(options.env, env_storage);
  const std::array<int, 3> child_ends = {pipes[0][1], pipes[1][1], pipes[2][1]};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    started.error = argv[0] + ": cannot fork: " + std::strerror(errno);
    close_all();
    return started;
  }
  if (pid == 0) become_child(args.data(), env.data(), options, parent, child_ends, report[1]);
  for (auto& p : pipes) close_fd(p[1]);
  close_fd(report[1]);
  Failure failure;
  ssize_t got = 0;
  do {
    got = ::read(report[0], &failure, sizeof failure);  // 0 bytes: it exec'd (the pipe closed on exec)
  } while (got < 0 && errno == EINTR);
  close_fd(report[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    close_all();
    started.error = describe(argv, options, failure);
    return started;
  }
  started.pid = pid;
  started.in = pipes[0][0];
  started.out = pipes[1][0];
  started.err = pipes[2][0];
  return started;
}

std::string replace_process(const std::vector<std::string>& argv) {
  if (argv.empty()) return "an empty command";
  const std::vector<char*> args = exec_argv(argv);
  sigset_t none, before;
  ::sigemptyset(&none);
  ::pthread_sigmask(SIG_SETMASK, &none, &before);
  ::execv(args[0], args.data());
  const int error = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return argv[0] + ": " + std::strerror(error);
}

}  // namespace vfo
