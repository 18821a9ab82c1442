#pragma once
// How a node that vfo did not start joins a cluster: its agent (`vfo-agent --join ADDRESS`) calls the
// orchestrator daemon's JoinServer with its node certificate, naming the address it serves on; the server checks
// the certificate (signed by the cluster's CA: the TLS handshake; a node's name, not the orchestrator's; not
// revoked) and hands the node to its owner, who adds it to the cluster. Over gRPC with mutual TLS, as the agents'
// own service; without gRPC in sight.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "vfo/runtime/agent.hpp"

namespace vfo::runtime {

// Serves joins on `listen` (host:port; port 0: a free one) with the orchestrator's `identity`. `on_join` gets
// the node's name (its certificate's common name) and address, in the server's threads, and returns nullopt to
// accept or why it refuses (one line; the caller gets FAILED_PRECONDITION with it). A revoked certificate (on
// identity.revoked) or the orchestrator's own is refused with PERMISSION_DENIED before `on_join` is called.
class JoinServer {
 public:
  using OnJoin = std::function<std::optional<std::string>(const std::string& node, const std::string& address)>;
  JoinServer(const std::string& listen, const Identity& identity, OnJoin on_join);
  ~JoinServer();
  JoinServer(const JoinServer&) = delete;
  JoinServer& operator=(const JoinServer&) = delete;
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Asks the JoinServer at `orchestrator` (host:port) to take this node, serving at `address`, as a member;
// `identity` is the node's (its certificate names it). The server is checked to hold the cluster's
// "orchestrator" certificate. Returns whether it was accepted; else `error` (when given) is the status code's
// name and the server's reason ("PERMISSION_DENIED: ...", "UNAVAILABLE: ..."). Waits at most `deadline`.
bool join_orchestrator(const std::string& orchestrator, const Identity& identity, const std::string& address,
                       std::chrono::milliseconds deadline, std::string* error = nullptr);

}  // namespace vfo::runtime
