#include "vfo/runtime/child_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <stdexcept>

#include "vfo/util/start_process.hpp"

namespace vfo::runtime {
namespace {

std::vector<std::string> argv_of(const std::string& path, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {path};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args,
                           const std::string& stderr_path, bool kill_with_parent_thread, const ChildSetup& setup) {
  const Started started =
      start_process(argv_of(path, args), {.cwd = setup.cwd,
                                          .in = Stdio::pipe(),
                                          .out = Stdio::pipe(),
                                          .err = stderr_path.empty() ? Stdio::inherit() : Stdio::append_to(stderr_path),
                                          .die_with_parent = kill_with_parent_thread,
                                          .env = setup.env,
                                          .cgroups = setup.cgroups});
  if (!started.ok()) throw std::runtime_error("cannot run " + started.error);
  pid_ = started.pid;
  to_child_ = started.in;
  from_child_ = started.out;
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
                                                     const std::string& stderr_path, const ChildSetup& setup) {
  // Owned by the queued task too: the launcher's thread may still be inside it when get() below returns.
  auto started = std::make_shared<std::packaged_task<std::unique_ptr<ChildProcess>()>>(
      [&] { return std::make_unique<ChildProcess>(path, args, stderr_path, /*kill_with_parent_thread=*/true, setup); });
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
  const Started started =
      start_process(argv_of(path, args),
                    {.out = Stdio::append_to(stdout_path), .err = Stdio::append_to(stderr_path), .new_session = true});
  if (!started.ok()) throw std::runtime_error("cannot run " + started.error);
  return started.pid;
}

}  // namespace vfo::runtime
