#include "vfo/runtime/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <stdexcept>

namespace vfo::runtime {
namespace {

// argv for execv: `path`, then `args`, then a null pointer; the strings live in `storage`.
std::vector<char*> argv_of(const std::string& path, const std::vector<std::string>& args,
                           std::vector<std::string>& storage) {
  storage = {path};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args,
                           const std::string& stderr_path, bool kill_with_parent_thread) {
  int in[2], out[2], exec_error[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(exec_error, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("cannot create pipes: ") + std::strerror(errno));
  }
  std::vector<std::string> storage;
  std::vector<char*> argv = argv_of(path, args, storage);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    if (kill_with_parent_thread) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the parent died before prctl
    }
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    if (!stderr_path.empty()) {
      const int fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) dup2(fd, STDERR_FILENO);
    }
    execv(path.c_str(), argv.data());
    const int e = errno;
    [[maybe_unused]] const auto n = write(exec_error[1], &e, sizeof e);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(exec_error[1]);
  to_child_ = in[1];
  from_child_ = out[0];
  int e = 0;
  const auto got = read(exec_error[0], &e, sizeof e);  // 0 bytes: exec succeeded (the pipe closed on exec)
  close(exec_error[0]);
  if (got == static_cast<ssize_t>(sizeof e)) {
    wait();
    throw std::runtime_error("cannot run " + path + ": " + std::strerror(e));
  }
}

ChildProcess::~ChildProcess() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (to_child_ >= 0) close(to_child_);
  if (from_child_ >= 0) close(from_child_);
}

bool ChildProcess::write_line(const std::string& line) {
  const std::string data = line + "\n";
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(to_child_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{from_child_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char chunk[4096];
    const ssize_t n = ::read(from_child_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;  // it closed its stdout
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

void ChildProcess::kill(int signal) {
  if (!status_ && pid_ > 0) ::kill(pid_, signal);
}

int ChildProcess::wait() {
  if (status_) return *status_;
  int raw = 0;
  while (waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
  }
  status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return *status_;
}

bool ChildProcess::exited() {
  if (status_) return true;
  int raw = 0;
  if (waitpid(pid_, &raw, WNOHANG) != pid_) return false;
  status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return true;
}

ProcessLauncher::ProcessLauncher()
    : thread_([this] {
        std::unique_lock lock(mutex_);
        for (;;) {
          wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
          if (tasks_.empty()) return;  // stopping, nothing left to start
          std::function<void()> task = std::move(tasks_.front());
          tasks_.pop_front();
          lock.unlock();
          task();
          lock.lock();
        }
      }) {}

ProcessLauncher::~ProcessLauncher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::unique_ptr<ChildProcess> ProcessLauncher::start(const std::string& path, const std::vector<std::string>& args,
                                                     const std::string& stderr_path) {
  // Owned by the queued task too: the launcher's thread may still be inside it when get() below returns.
  auto started = std::make_shared<std::packaged_task<std::unique_ptr<ChildProcess>()>>(
      [&] { return std::make_unique<ChildProcess>(path, args, stderr_path, /*kill_with_parent_thread=*/true); });
  auto result = started->get_future();
  {
    std::lock_guard lock(mutex_);
    tasks_.emplace_back([started] { (*started)(); });
  }
  wake_.notify_all();
  return result.get();  // rethrows what the constructor threw
}

pid_t spawn_daemon(const std::string& path, const std::vector<std::string>& args, const std::string& stdout_path,
                   const std::string& stderr_path) {
  std::vector<std::string> storage;
  std::vector<char*> argv = argv_of(path, args, storage);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
  if (pid == 0) {
    setsid();
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace vfo::runtime
