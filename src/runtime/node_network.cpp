#include "vfo/runtime/node_network.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "vfo/util/start_process.hpp"

namespace vfo::runtime {
namespace {

constexpr double kTimerHz = 250;             // burst = rate / kTimerHz (4 ms of traffic) ...
constexpr long long kMinBurstBytes = 32768;  // ... and at least 32 KiB
constexpr const char* kQueueLatency = "50ms";
constexpr const char* kInnerDevice = "eth0";

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The absolute path of the executable `name`, looked up in PATH, then /usr/sbin, /sbin, /usr/bin, /bin.
std::optional<std::string> find_binary(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream in(path);
    for (std::string d; std::getline(in, d, ':');) {
      if (!d.empty() && d.front() == '/') dirs.push_back(d);
    }
  }
  for (const char* d : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) dirs.emplace_back(d);
  for (const std::string& d : dirs) {
    const std::string candidate = d + "/" + name;
    struct stat s {};
    if (stat(candidate.c_str(), &s) == 0 && S_ISREG(s.st_mode) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

const std::optional<std::string>& ip_binary() {
  static const std::optional<std::string> path = find_binary("ip");
  return path;
}

const std::optional<std::string>& tc_binary() {
  static const std::optional<std::string> path = find_binary("tc");
  return path;
}

const std::string& required(const std::optional<std::string>& binary, const char* name) {
  if (!binary) throw std::runtime_error(fmt::format("no `{}` command (iproute2) in PATH, /usr/sbin or /sbin", name));
  return *binary;
}

// `text` on one line: trimmed, its line breaks turned into "; ".
std::string one_line(const std::string& text) {
  std::string line;
  std::stringstream in(text);
  for (std::string l; std::getline(in, l);) {
    l.erase(0, l.find_first_not_of(" \t\r"));
    l.erase(l.find_last_not_of(" \t\r") + 1);
    if (!l.empty()) line += (line.empty() ? "" : "; ") + l;
  }
  return line;
}

// `argv` as a reader would type it, the program by its base name.
std::string command_text(const std::vector<std::string>& argv) {
  std::string text = argv.front().substr(argv.front().rfind('/') + 1);
  for (std::size_t i = 1; i < argv.size(); ++i) text += " " + argv[i];
  return text;
}

// Runs argv (argv[0] an absolute path) with stdin from /dev/null; collects its stdout and stderr and waits for it.
// Throws std::runtime_error only if it cannot be started.
CommandResult run(const std::vector<std::string>& argv) {
  const Started started = start_process(argv, {.out = Stdio::pipe(), .err = Stdio::pipe()});
  if (!started.ok()) throw std::runtime_error("cannot run " + started.error);
  const pid_t pid = started.pid;
  CommandResult result;
  pollfd fds[2] = {{started.out, POLLIN, 0}, {started.err, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char chunk[4096];
      const ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        sinks[i]->append(chunk, static_cast<std::size_t>(n));
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// "`COMMAND` failed: STDERR" (or its exit code when it printed nothing), on one line.
std::string failure(const std::vector<std::string>& argv, const CommandResult& r) {
  const std::string err = one_line(r.err);
  return fmt::format("`{}` failed: {}", command_text(argv),
                     err.empty() ? fmt::format("exit code {}", r.exit_code) : err);
}

// Runs argv; throws std::runtime_error (one line) unless it exits with 0. Returns its stdout.
std::string check(const std::vector<std::string>& argv) {
  const CommandResult r = run(argv);
  if (r.exit_code != 0) throw std::runtime_error(failure(argv, r));
  return r.out;
}

// The tbf arguments for `rate_mbit` (see the header).
std::vector<std::string> tbf(double rate_mbit) {
  const double bits = rate_mbit * 1e6;
  const long long burst = std::max(std::llround(bits / 8 / kTimerHz), kMinBurstBytes);
  return {"root",    "tbf",        "rate", fmt::format("{}bit", std::llround(bits)), "burst", std::to_string(burst),
          "latency", kQueueLatency};
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether `name` is `stem` followed by a node index.
bool indexed(const std::string& name, const std::string& stem) {
  return name.size() > stem.size() && name.compare(0, stem.size(), stem) == 0 && all_digits(name.substr(stem.size()));
}

// The interface names of the root namespace (`ip -o link show`: "7: name@peer: <...").
std::vector<std::string> link_names(const std::string& ip) {
  std::vector<std::string> names;
  std::stringstream in(check({ip, "-o", "link", "show"}));
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find(": ");
    if (start == std::string::npos) continue;
    const auto end = line.find_first_of("@:", start + 2);
    names.push_back(line.substr(start + 2, end == std::string::npos ? std::string::npos : end - start - 2));
  }
  return names;
}

// The named network namespaces (`ip netns list`: "name (id: 3)" or "name").
std::vector<std::string> netns_names(const std::string& ip) {
  std::vector<std::string> names;
  std::stringstream in(check({ip, "netns", "list"}));
  for (std::string line; std::getline(in, line);) {
    const std::string name = line.substr(0, line.find(' '));
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

// Whether `text` mentions an address beginning with `stem` ("10.A.B."), not as the tail of a longer number.
bool mentions(const std::string& text, const std::string& stem) {
  for (auto at = text.find(stem); at != std::string::npos; at = text.find(stem, at + 1)) {
    if (at == 0 || !(std::isdigit(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '.')) return true;
  }
  return false;
}

std::uint32_t fnv1a(const std::string& s) {
  std::uint32_t h = 2166136261u;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

}  // namespace

std::optional<std::string> NodeNetwork::unavailable_reason() {
  if (geteuid() != 0) return fmt::format("needs root (running as uid {})", geteuid());
  if (!ip_binary()) return std::string("needs the ip command of iproute2 (not in PATH, /usr/sbin or /sbin)");
  if (!tc_binary()) return std::string("needs the tc command of iproute2 (not in PATH, /usr/sbin or /sbin)");
  static std::atomic<int> probes{0};
  const std::string ip = *ip_binary(), tc = *tc_binary();
  const std::string probe = fmt::format("vfoprobe{}-{}", getpid(), probes++);
  const std::vector<std::vector<std::string>> steps = {
      {ip, "netns", "add", probe},
      {ip, "-n", probe, "link", "add", "b0", "type", "bridge"},
      {ip, "-n", probe, "link", "add", "v0", "type", "veth", "peer", "name", "v1"},
      concat({tc, "-n", probe, "qdisc", "replace", "dev", "v0"}, tbf(1)),
  };
  const char* what[] = {"cannot create a network namespace", "cannot create a bridge", "cannot create a veth pair",
                        "cannot shape a link with tbf"};
  std::optional<std::string> reason;
  for (std::size_t i = 0; i < steps.size() && !reason; ++i) {
    const CommandResult r = run(steps[i]);
    if (r.exit_code != 0) reason = fmt::format("{} ({})", what[i], failure(steps[i], r));
    if (i == 0 && reason) return reason;
  }
  run({ip, "netns", "del", probe});
  return reason;
}

bool NodeNetwork::valid_prefix(const std::string& prefix) {
  return !prefix.empty() && prefix.size() <= 10 && prefix[0] >= 'a' && prefix[0] <= 'z' &&
         std::all_of(prefix.begin(), prefix.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

NodeNetwork::NodeNetwork(std::string prefix, std::vector<NodeLinkSpec> nodes)
    : prefix_(std::move(prefix)), bridge_(bridge_name(prefix_)) {
  if (!valid_prefix(prefix_)) {
    throw std::invalid_argument("network prefix '" + prefix_ + "': expected 1 to 10 of [a-z0-9], a letter first");
  }
  if (nodes.empty() || nodes.size() > kMaxNetworkNodes) {
    throw std::invalid_argument(
        fmt::format("a network of {} nodes (expected 1 to {})", nodes.size(), kMaxNetworkNodes));
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!(nodes[i].rate_mbit > 0 && nodes[i].rate_mbit <= kMaxLinkRateMbit)) {
      throw std::invalid_argument(fmt::format("the rate of {}: {} Mbit/s (expected > 0 and <= {})", nodes[i].node,
                                              nodes[i].rate_mbit, kMaxLinkRateMbit));
    }
    nodes_.push_back({std::move(nodes[i]), netns_name(prefix_, i), veth_name(prefix_, i), ""});
  }
  remove(prefix_);
  try {
    create();
  } catch (...) {
    try {
      remove(prefix_);
    } catch (const std::exception&) {
      // the creation's error is the one to report
    }
    throw;
  }
}

NodeNetwork::~NodeNetwork() {
  if (released_) return;
  try {
    remove(prefix_);
  } catch (const std::exception&) {
    // best effort: a destructor does not throw
  }
}

void NodeNetwork::create() {
  const std::string& ip = required(ip_binary(), "ip");
  const std::string& tc = required(tc_binary(), "tc");
  // The /24: derived from the prefix, stepped past those in use (addresses or routes of the root namespace).
  const std::string used = check({ip, "-o", "-4", "addr", "show"}) + check({ip, "-4", "route", "show", "table", "all"});
  const std::uint32_t start = fnv1a(prefix_) % 25600;
  std::string stem;
  for (std::uint32_t k = 0; k < 25600 && stem.empty(); ++k) {
    const std::uint32_t index = (start + k) % 25600;
    const std::string candidate = fmt::format("10.{}.{}.", 100 + index / 256, index % 256);
    if (!mentions(used, candidate)) stem = candidate;
  }
  if (stem.empty()) throw std::runtime_error("no free 10.A.B.0/24 for a node network (A in 100..199)");
  subnet_ = stem + "0/24";
  host_address_ = stem + "1";
  for (std::size_t i = 0; i < nodes_.size(); ++i) nodes_[i].address = stem + std::to_string(i + 2);

  check({ip, "link", "add", "name", bridge_, "type", "bridge"});
  check({ip, "addr", "add", host_address_ + "/24", "dev", bridge_});
  check({ip, "link", "set", bridge_, "up"});
  for (const Node& n : nodes_) {
    check({ip, "netns", "add", n.netns});
    check({ip, "link", "add", n.veth, "type", "veth", "peer", "name", kInnerDevice, "netns", n.netns});
    check({ip, "link", "set", n.veth, "master", bridge_});
    check({ip, "link", "set", n.veth, "up"});
    check({ip, "-n", n.netns, "link", "set", "lo", "up"});
    check({ip, "-n", n.netns, "addr", "add", n.address + "/24", "dev", kInnerDevice});
    check({ip, "-n", n.netns, "link", "set", kInnerDevice, "up"});
    check({ip, "-n", n.netns, "route", "add", "default", "via", host_address_});
    check(concat({tc, "qdisc", "replace", "dev", n.veth}, tbf(n.spec.rate_mbit)));
    check(concat({tc, "-n", n.netns, "qdisc", "replace", "dev", kInnerDevice}, tbf(n.spec.rate_mbit)));
  }
}

std::vector<std::string> NodeNetwork::exec_prefix(std::size_t i) const {
  return {required(ip_binary(), "ip"), "netns", "exec", netns_name(i)};
}

void NodeNetwork::remove(const std::string& prefix) {
  if (!valid_prefix(prefix)) throw std::invalid_argument("network prefix '" + prefix + "': not a valid prefix");
  const std::string& ip = required(ip_binary(), "ip");
  std::optional<std::string> error;
  const auto remove_one = [&](const std::vector<std::string>& argv) {
    const CommandResult r = run(argv);
    // Gone in the meantime (another removal of the same prefix) is fine.
    if (r.exit_code != 0 && r.err.find("Cannot find device") == std::string::npos &&
        r.err.find("No such file") == std::string::npos && !error) {
      error = failure(argv, r);
    }
  };
  const std::string bridge = bridge_name(prefix);
  bool has_bridge = false;
  for (const std::string& name : link_names(ip)) {
    if (indexed(name, prefix + "h")) remove_one({ip, "link", "del", name});
    has_bridge = has_bridge || name == bridge;
  }
  for (const std::string& name : netns_names(ip)) {
    if (indexed(name, prefix + "-n")) remove_one({ip, "netns", "del", name});
  }
  if (has_bridge) remove_one({ip, "link", "del", bridge});
  if (error) throw std::runtime_error(*error);
}

}  // namespace vfo::runtime
