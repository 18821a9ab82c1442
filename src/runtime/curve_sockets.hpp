#pragma once
// CurveZMQ on a function host's sockets (vfo/runtime/data_plane_keys.hpp). Private to src/runtime.
//
// A server socket (one the host binds) is given the cluster key pair and a ZAP domain; HandshakeGuard answers
// libzmq's authentication requests for those domains (RFC 27, ZAP) from the host's own thread, taking only
// the public keys allowed for each domain, and counts every handshake its monitored sockets refused (a
// client without CURVE, with an unknown key, or sending bytes that are no ZMTP). Not thread-safe: the host's
// thread polls its sockets beside the data plane's.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "vfo/runtime/data_plane_keys.hpp"

namespace vfo::runtime {

inline constexpr const char* kDataDomain = "vfo-data";    // frames and acks: the cluster key
inline constexpr const char* kStateDomain = "vfo-state";  // a migration's state link: its one-time key

// Serve with `server` keys; clients are authenticated in `domain`. Call before bind.
void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& server, const std::string& domain);
// Connect as `client` to a server whose public key is `server_public`. Call before connect.
void make_curve_client(zmq::socket_t& socket, const std::string& server_public, const CurveKeyPair& client);

class HandshakeGuard {
 public:
  // Binds the context's ZAP endpoint: from then on every CURVE handshake of a socket in `context` asks it.
  explicit HandshakeGuard(zmq::context_t& context);
  // A client presenting `public_key` (Z85) is taken in `domain`; no other is.
  void allow(const std::string& domain, const std::string& public_key);
  // Counts the refused handshakes of `socket` (a server socket of the same context).
  void watch(zmq::socket_t& socket);
  // Adds the sockets to poll for input to `items`; handle() after the poll.
  void add_poll_items(std::vector<zmq::pollitem_t>& items);
  // Answers pending authentication requests and reads the monitors' events. Never blocks.
  void handle();
  std::uint64_t refused() const { return refused_; }
  const std::string& last_refusal() const { return last_refusal_; }

 private:
  void answer_one();
  zmq::context_t& context_;
  zmq::socket_t zap_;
  std::vector<zmq::socket_t> monitors_;
  std::map<std::string, std::vector<std::string>> allowed_;  // domain -> binary public keys (32 bytes)
  std::uint64_t refused_ = 0;
  std::string last_refusal_;
};

}  // namespace vfo::runtime
