#include "cli/local_cluster.hpp"

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "vfo/runtime/certificates.hpp"

namespace vfo::cli {

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

void LocalCluster::restart(std::size_t i) {
  agents_.at(i).reset();  // reaps the killed process (or kills a live one)
  options_.agents.at(i).address = start_agent(i);
}

std::string LocalCluster::start_agent(std::size_t i) {
  const std::string name = "node-" + std::to_string(i + 1);
  std::vector<std::string> args = {
      "--name", name, "--certs", (dir_ / "certs").string(), "--log-dir", (dir_ / "logs").string()};
  args.insert(args.end(), agent_args_.begin(), agent_args_.end());
  const std::string log = (dir_ / "logs" / (name + ".log")).string();
  agents_.at(i) = std::make_unique<runtime::ChildProcess>(sibling_binary("vfo-agent").string(), args, log,
                                                          /*kill_with_parent_thread=*/true);
  const auto ready = agents_[i]->read_line(std::chrono::seconds(20));
  if (!ready) throw CommandFailed(name + " did not start (see " + log + ")");
  return nlohmann::json::parse(*ready).value("address", "");
}

}  // namespace vfo::cli
