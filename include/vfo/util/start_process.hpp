#pragma once
// Starting a process: the one place vfo forks and execs. Every command, daemon, agent, sweep run and figure
// that vfo starts goes through start_process (or, to become another program, replace_process).
//
// A child starts with no signal blocked, whatever the calling thread blocks (a daemon that waits for its
// signals with sigwait blocks them, and a child that inherited the mask could not be stopped with SIGTERM);
// signals this process ignores stay ignored, as exec keeps them.
//
// Thread safety: start_process may be called from any thread at once. The pipes it makes are O_CLOEXEC, so a
// child started by another thread at the same moment does not keep them open past its exec.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace vfo {

// Where a child's standard stream goes to (stdout, stderr) or comes from (stdin).
struct Stdio {
  enum class Kind {
    kInherit,   // this process's own
    kNull,      // /dev/null
    kTruncate,  // `path`, created (mode 0644) or truncated; stdout and stderr only
    kAppend,    // `path`, created (mode 0644) or appended to; stdout and stderr only
    kPipe,      // a pipe; this process's end is in Started
    kStdout,    // stderr only: the same open file as the child's stdout
  };
  Kind kind = Kind::kInherit;
  std::filesystem::path path;  // kTruncate, kAppend: relative to this process's working directory

  static Stdio inherit() { return {Kind::kInherit, {}}; }
  static Stdio null() { return {Kind::kNull, {}}; }
  static Stdio file(std::filesystem::path p) { return {Kind::kTruncate, std::move(p)}; }
  static Stdio append_to(std::filesystem::path p) { return {Kind::kAppend, std::move(p)}; }
  static Stdio pipe() { return {Kind::kPipe, {}}; }
  static Stdio same_as_stdout() { return {Kind::kStdout, {}}; }
};

struct StartOptions {
  std::filesystem::path cwd;  // the child's working directory; empty: this process's. Entered after its files open
  Stdio in = Stdio::null();   // kInherit, kNull or kPipe
  Stdio out = Stdio::inherit();
  Stdio err = Stdio::inherit();
  // PR_SET_PDEATHSIG(SIGKILL): the child is killed when its parent ends, however it ends (stopped or not).
  // Linux sends it when the *thread* that started the child ends, not the process: use it only from a thread
  // that lives as long as the child should (the main thread, or one kept for the purpose: ProcessLauncher),
  // never from a server's worker thread, which comes and goes.
  bool die_with_parent = false;
  // setsid(): the child leads a session and process group of its own, so that a terminal's Ctrl-C, sent to
  // the foreground group, does not reach it (a daemon).
  bool new_session = false;
  // "NAME=VALUE" entries the child's environment has on top of this process's (a NAME given replaces its value).
  std::vector<std::string> env;
  // cgroup.procs files (of a cgroup v1 controller or a v2 cgroup) the child joins before its exec, so that the
  // program runs under the cgroups' limits from its first instruction.
  std::vector<std::filesystem::path> cgroups;
};

// A child that start_process started, or why it could not. The pipe ends (-1 unless that stream was kPipe)
// are this process's, O_CLOEXEC; the caller closes them and reaps `pid` (waitpid).
struct Started {
  pid_t pid = -1;
  std::string error;  // empty when it started; else one line, "ARGV0: what failed: reason"
  int in = -1;        // write end of the child's stdin
  int out = -1;       // read end of its stdout
  int err = -1;       // read end of its stderr

  bool ok() const { return error.empty(); }
};

// Starts argv[0] (a path: not searched on PATH) with `argv` and this process's environment (plus `env`). Returns
// once the child has exec'd, or with `error` set and no child left (nor pipe open) when it could not: a program
// that is missing or not executable, a file that cannot be opened, a `cwd` that cannot be entered, a cgroup that
// cannot be joined, an empty argv. The
// error names the program and the reason: "/no/such: No such file or directory". An `options` that breaks the
// rules above (a file for stdin, kStdout for stdout) throws std::invalid_argument.
Started start_process(const std::vector<std::string>& argv, const StartOptions& options = {});

// Becomes argv[0] (a path) with `argv` (execv: the same pid, the same open files and signals ignored), with
// no signal blocked. Returns only when it cannot: the reason, as start_process's error.
std::string replace_process(const std::vector<std::string>& argv);

}  // namespace vfo
