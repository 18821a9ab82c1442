#include "cli/local_cluster.hpp"

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "vfo/runtime/certificates.hpp"

namespace vfo::cli {

LocalCluster::LocalCluster(const std::filesystem::path& dir, int nodes, const std::vector<std::string>& agent_args) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "logs");
  std::vector<std::string> names = {"orchestrator"};
  for (int i = 1; i <= nodes; ++i) names.push_back("node-" + std::to_string(i));
  runtime::write_cluster_certificates(dir / "certs", names);
  options_.store = dir / "cluster.db";
  options_.identity = runtime::Identity::from_dir(dir / "certs", "orchestrator");
  for (int i = 1; i <= nodes; ++i) {
    const std::string& name = names[static_cast<std::size_t>(i)];
    std::vector<std::string> args = {
        "--name", name, "--certs", (dir / "certs").string(), "--log-dir", (dir / "logs").string()};
    args.insert(args.end(), agent_args.begin(), agent_args.end());
    const std::string log = (dir / "logs" / (name + ".log")).string();
    agents_.push_back(std::make_unique<runtime::ChildProcess>(sibling_binary("vfo-agent").string(), args, log,
                                                              /*kill_with_parent_thread=*/true));
    const auto ready = agents_.back()->read_line(std::chrono::seconds(20));
    if (!ready) throw CommandFailed(name + " did not start (see " + log + ")");
    options_.agents.push_back({name, nlohmann::json::parse(*ready).value("address", "")});
  }
}

}  // namespace vfo::cli
