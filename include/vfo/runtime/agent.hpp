#pragma once
// The edge agent's control plane, without gRPC in sight: AgentServer serves one node (probes,
// starting, rewiring and stopping its VFs as `vfo-function` child processes); AgentClient calls it. Both
// sides authenticate with the cluster's certificates (mutual TLS); a peer without a certificate signed by the
// cluster's CA is refused during the TLS handshake. Every client call has a deadline.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfo/runtime/agent_connection.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/runtime/function_spec.hpp"
#include "vfo/runtime/live_migration.hpp"

namespace vfo::runtime {

// A member's credentials: the cluster CA's certificate and its own key and certificate (PEM), and the
// cluster's revoked certificates.
struct Identity {
  std::string ca_pem;
  std::string key_pem;
  std::string cert_pem;
  // The peers it must refuse although the CA signed them (null: none). AgentClient's probe of an agent whose
  // certificate is on it fails with "PERMISSION_DENIED: its certificate is revoked ...", and a join with one is
  // refused.
  std::shared_ptr<const RevocationList> revoked;
  // DIR/ca.pem, DIR/<name>.key, DIR/<name>.pem (as write_cluster_certificates writes them), and the list
  // DIR/revoked. Throws std::runtime_error naming the missing file.
  static Identity from_dir(const std::filesystem::path& dir, const std::string& name);
};

struct AgentOptions {
  std::string name;                    // the node's name, in probes
  std::string listen = "127.0.0.1:0";  // port 0: any free port (see AgentServer::port)
  Identity identity;
  // The common name of the only certificate that may call it: the orchestrator's, which the vfo commands use
  // too. Another member's certificate (a node's) is refused with PERMISSION_DENIED.
  std::string controller = "orchestrator";
  // The data plane's cluster key pair (vfo/runtime/data_plane_keys.hpp), handed to each VF over its pipe.
  // Empty: the VFs speak without CURVE (vfo-agent always loads CERTS/data-plane.key).
  CurveKeyPair data_plane_key;
  std::filesystem::path function_binary;   // vfo-function
  std::filesystem::path agent_binary;      // vfo-agent (for its `stress` mode)
  std::filesystem::path log_dir;           // the VFs' stderr go to LOG_DIR/<id>.log (empty: inherited)
  std::string bind_address = "127.0.0.1";  // where its VFs bind their data, ack and state sockets
  // The node it emulates on a shared machine: 0 = the machine's. With node_cpus set, the node's CPU reading
  // is its VFs' and stress processes' share of node_cpus cores, and they may together use at most that many.
  double node_cpus = 0;
  std::uint64_t node_ram_bytes = 0;
  std::filesystem::path record;  // when set, the node's trace is appended there every 5 s (vfo trace CSV)
  // Every VF start (StartFunction, an incoming VF's too) waits this long before its process starts: the time a
  // node takes to pull and start a container image. Probes and other calls are answered meanwhile.
  double start_delay_s = 0;
  // Exec VFs (the user's programs on the VF SDK) run here, their relative paths taken from here. Empty: the agent
  // runs no exec VF (refused with FAILED_PRECONDITION): running a manifest's command is the operator's choice.
  std::filesystem::path exec_root;
  // First on an exec VF's PYTHONPATH: where the SDK's Python module vfo_sdk is (vfo-agent: its folder's python/).
  std::filesystem::path python_path;
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

// The gRPC connection to a vfo-agent. Each call's `error` is the gRPC status code's name and message (e.g.
// "UNAVAILABLE: failed to connect", "INVALID_ARGUMENT: ...").
class AgentClient final : public AgentConnection {
 public:
  // `deadline` is Probe's (a node that misses it is taken for failed); the other calls wait at least 10 s.
  // `node`, when given, is the name the agent's certificate must carry (as a DNS name; write_cluster_certificates
  // puts each member's name there): the agent is checked by name, whatever its address (a network namespace's,
  // say). Empty: the certificate must be valid for the address's host (127.0.0.1 or localhost).
  AgentClient(const std::string& address, const Identity& identity,
              std::chrono::milliseconds deadline = std::chrono::seconds(5), const std::string& node = "");
  ~AgentClient();

  std::optional<NodeProbe> probe(std::string* error = nullptr) override;
  std::optional<FunctionEndpoints> start_function(const std::string& id, const FunctionSpec& spec,
                                                  std::string* error = nullptr) override;
  std::optional<FunctionEndpoints> start_incoming(const std::string& id, const FunctionSpec& spec,
                                                  const std::string& state_peer_key,
                                                  std::string* error = nullptr) override;
  std::optional<MigrationReport> migrate_out(const std::string& id, const MigrationOrder& order,
                                             std::chrono::milliseconds deadline, std::string* error = nullptr) override;
  bool stress(double cpu_pct, double ram_pct, double ramp_s, double duration_s, std::string* error = nullptr) override;
  bool rewire(const std::string& id, std::uint64_t epoch, const std::string& downstream,
              const std::string& upstream_ack, std::string* error = nullptr) override;
  bool stop_function(const std::string& id, std::string* error = nullptr) override;
  std::optional<std::string> function_stats(const std::string& id, std::string* error = nullptr) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
