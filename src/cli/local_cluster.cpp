#include "cli/local_cluster.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "cli/cli.hpp"
#include "cli/daemon_record.hpp"
#include "vfo/runtime/agent_port.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/start_process.hpp"

namespace vfo::cli {
std::string last_line_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::optional<std::string> orchestrator_failure(pid_t pid, const std::filesystem::path& log,
                                                const std::function<void()>& poll) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (poll) poll();
    std::ifstream in(log);
    std::string line;
    if (std::getline(in, line) && in.good() && line.find(kOrchestratorReadyLine) != std::string::npos) {
      return std::nullopt;
    }
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      std::string why = last_line_of(log);
      if (why.rfind("vfo: ", 0) == 0) why = why.substr(5);
      return why.empty() ? "it ended without a word" : why;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "no ready line within 60 s";
}

LocalCluster::LocalCluster(const std::filesystem::path& dir, int nodes, const std::vector<std::string>& agent_args)
    : dir_(dir), agent_args_(agent_args) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "logs");
  std::vector<std::string> names = {"orchestrator"};
  for (int i = 1; i <= nodes; ++i) names.push_back("node-" + std::to_string(i));
  runtime::write_cluster_certificates(dir / "certs", names);
  options_.store = dir / "cluster.db";
  options_.identity = runtime::Identity::from_dir(dir / "certs", "orchestrator");
  agents_.resize(static_cast<std::size_t>(nodes));
  for (std::size_t i = 0; i < agents_.size(); ++i) options_.agents.push_back({names[i + 1], start_agent(i)});
}

LocalCluster::~LocalCluster() {
  kill_orchestrator();
}

void LocalCluster::restart(std::size_t i) {
  agents_.at(i).reset();  // reaps the killed process (or kills a live one)
  options_.agents.at(i).address = start_agent(i);
}

std::string LocalCluster::start_agent(std::size_t i) {
  const std::string name = "node-" + std::to_string(i + 1);
  const std::string log = (dir_ / "logs" / (name + ".log")).string();
  const bool restart = i < options_.agents.size();
  // A first start tries another free port when another process took the one it was given meanwhile; a restart
  // must serve where the orchestrator knows it (a port below the ephemeral range stays free while it is down).
  for (int attempt = 1;; ++attempt) {
    std::vector<std::string> args = {
        "--name", name, "--certs", (dir_ / "certs").string(), "--log-dir", (dir_ / "logs").string()};
    args.insert(args.end(), agent_args_.begin(), agent_args_.end());
    args.insert(args.end(),
                {"--listen", restart ? options_.agents[i].address : runtime::free_agent_address("127.0.0.1")});
    agents_.at(i) = std::make_unique<runtime::ChildProcess>(sibling_binary("vfo-agent").string(), args, log,
                                                            /*kill_with_parent_thread=*/true);
    if (const auto ready = agents_[i]->read_line(std::chrono::seconds(20))) {
      return nlohmann::json::parse(*ready).value("address", "");
    }
    if (restart || attempt == 3) throw CommandFailed(name + " did not start (see " + log + ")");
  }
}

void LocalCluster::start_orchestrator(const nlohmann::json& settings) {
  if (orchestrator_ > 0) throw std::logic_error("start_orchestrator: the orchestrator daemon runs");
  nlohmann::json cluster = settings;
  cluster["agents"] = nlohmann::json::array();
  for (std::size_t i = 0; i < agents_.size(); ++i) {
    nlohmann::json agent = daemon_record(agents_[i]->pid());
    agent.update({{"name", options_.agents[i].name}, {"address", options_.agents[i].address}});
    cluster["agents"].push_back(std::move(agent));
  }
  cluster["orchestrator"] = nlohmann::json::object();
  write_file_atomically(dir_ / "cluster.json", cluster.dump(2) + "\n");
  ++orchestrator_starts_;
  const std::filesystem::path log = orchestrator_log();
  StartOptions how;
  how.out = Stdio::file(log);
  how.err = Stdio::same_as_stdout();
  how.die_with_parent = true;
  const Started started =
      start_process({sibling_binary("vfo").string(), "orchestrator", "--cluster", dir_.string()}, how);
  if (!started.ok()) throw CommandFailed("the orchestrator did not start: " + started.error);
  orchestrator_ = started.pid;
  cluster["orchestrator"] = daemon_record(orchestrator_);
  write_file_atomically(dir_ / "cluster.json", cluster.dump(2) + "\n");
  if (const auto failure = orchestrator_failure(orchestrator_, log)) {
    kill_orchestrator();
    throw CommandFailed("the orchestrator did not start: " + *failure + " (log " + log.string() + ")");
  }
}

std::filesystem::path LocalCluster::orchestrator_log() const {
  return dir_ / "logs" / ("orchestrator-" + std::to_string(orchestrator_starts_) + ".log");
}

bool LocalCluster::orchestrator_running() {
  if (orchestrator_ <= 0) return false;
  if (::waitpid(orchestrator_, nullptr, WNOHANG) != orchestrator_) return true;
  orchestrator_ = -1;
  return false;
}

void LocalCluster::kill_orchestrator() {
  if (orchestrator_ <= 0) return;
  ::kill(orchestrator_, SIGKILL);
  ::waitpid(orchestrator_, nullptr, 0);
  orchestrator_ = -1;
}

}  // namespace vfo::cli
