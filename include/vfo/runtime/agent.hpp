#pragma once
// The edge agent's control plane (issue 6), without gRPC in sight: AgentServer serves one node (probes,
// starting, rewiring and stopping its VFs as `vfo-function` child processes); AgentClient calls it. Both
// sides authenticate with the cluster's certificates (mutual TLS); a peer without a certificate signed by the
// cluster's CA is refused during the TLS handshake. Every client call has a deadline.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfo/runtime/function_spec.hpp"

namespace vfo::runtime {

// A member's credentials: the cluster CA's certificate and its own key and certificate (PEM).
struct Identity {
  std::string ca_pem;
  std::string key_pem;
  std::string cert_pem;
  // DIR/ca.pem, DIR/<name>.key, DIR/<name>.pem (as write_cluster_certificates writes them). Throws
  // std::runtime_error naming the missing file.
  static Identity from_dir(const std::filesystem::path& dir, const std::string& name);
};

struct AgentOptions {
  std::string name;                    // the node's name, in probes
  std::string listen = "127.0.0.1:0";  // port 0: any free port (see AgentServer::port)
  Identity identity;
  std::filesystem::path function_binary;  // vfo-function
  std::filesystem::path log_dir;          // the VFs' stderr go to LOG_DIR/<id>.log (empty: inherited)
};

class AgentServer {
 public:
  // Starts serving at once. Throws std::runtime_error when it cannot listen.
  explicit AgentServer(AgentOptions options);
  ~AgentServer();  // shutdown(); its VFs are killed
  int port() const;
  void shutdown();
  void wait();  // until shutdown()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct NodeProbe {
  std::string node;
  double cpu_pct = 0;
  double ram_pct = 0;
  std::uint64_t ram_total_bytes = 0;
  std::vector<std::string> functions;
};

struct FunctionEndpoints {
  std::string data;
  std::string ack;
};

// Each call returns its answer, or nullopt / false with `error` (when given) set to one line: the gRPC
// status code name and message (e.g. "UNAVAILABLE: failed to connect", "INVALID_ARGUMENT: ...").
class AgentClient {
 public:
  AgentClient(const std::string& address, const Identity& identity,
              std::chrono::milliseconds deadline = std::chrono::seconds(5));
  ~AgentClient();

  std::optional<NodeProbe> probe(std::string* error = nullptr);
  std::optional<FunctionEndpoints> start_function(const std::string& id, const FunctionSpec& spec,
                                                  std::string* error = nullptr);
  bool rewire(const std::string& id, std::uint64_t epoch, const std::string& downstream,
              const std::string& upstream_ack, std::string* error = nullptr);
  bool stop_function(const std::string& id, std::string* error = nullptr);
  std::optional<std::string> function_stats(const std::string& id, std::string* error = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
