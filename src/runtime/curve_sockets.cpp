#include "runtime/curve_sockets.hpp"

#include <zmq.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

namespace vfo::runtime {
namespace {

constexpr int kRefusalEvents =
    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

std::string binary_key(const std::string& z85) {
  std::array<std::uint8_t, 32> binary{};
  if (z85.size() != 40 || zmq_z85_decode(binary.data(), z85.c_str()) == nullptr) {
    throw std::invalid_argument("data plane: '" + z85 + "' is not a Z85 CURVE key");
  }
  return {reinterpret_cast<const char*>(binary.data()), binary.size()};
}

}  // namespace

void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& server, const std::string& domain) {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, server.secret_key);
  socket.set(zmq::sockopt::zap_domain, domain);
}

void make_curve_client(zmq::socket_t& socket, const std::string& server_public, const CurveKeyPair& client) {
  socket.set(zmq::sockopt::curve_serverkey, server_public);
  socket.set(zmq::sockopt::curve_publickey, client.public_key);
  socket.set(zmq::sockopt::curve_secretkey, client.secret_key);
}

HandshakeGuard::HandshakeGuard(zmq::context_t& context) : context_(context), zap_(context, zmq::socket_type::rep) {
  zap_.set(zmq::sockopt::linger, 0);
  zap_.bind("inproc://zeromq.zap.01");
}

void HandshakeGuard::allow(const std::string& domain, const std::string& public_key) {
  allowed_[domain].push_back(binary_key(public_key));
}

void HandshakeGuard::watch(zmq::socket_t& socket) {
  const std::string endpoint = "inproc://vfo-handshakes-" + std::to_string(monitors_.size());
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), kRefusalEvents) != 0) {
    throw std::runtime_error("data plane: cannot monitor a socket: " + std::string(zmq_strerror(zmq_errno())));
  }
  zmq::socket_t monitor(context_, zmq::socket_type::pair);
  monitor.set(zmq::sockopt::linger, 0);
  monitor.connect(endpoint);
  monitors_.push_back(std::move(monitor));
}

void HandshakeGuard::add_poll_items(std::vector<zmq::pollitem_t>& items) {
  items.push_back({zap_.handle(), 0, ZMQ_POLLIN, 0});
  for (zmq::socket_t& m : monitors_) items.push_back({m.handle(), 0, ZMQ_POLLIN, 0});
}

void HandshakeGuard::handle() {
  while ((zap_.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0) answer_one();
  for (zmq::socket_t& m : monitors_) {
    zmq::message_t event;
    while (m.recv(event, zmq::recv_flags::dontwait)) {
      // Two frames: the event (u16 id, u32 value), then the endpoint.
      std::uint16_t id = 0;
      std::uint32_t value = 0;
      if (event.size() >= 6) {
        std::memcpy(&id, event.data(), 2);
        std::memcpy(&value, static_cast<const char*>(event.data()) + 2, 4);
      }
      zmq::message_t endpoint;
      if (event.more()) static_cast<void>(m.recv(endpoint, zmq::recv_flags::dontwait));
      if ((id & kRefusalEvents) == 0) continue;
      ++refused_;
      const char* what = id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "an unknown key" : "a failed handshake";
      last_refusal_ =
          std::string("refused ") + what + " on " + endpoint.to_string() + " (code " + std::to_string(value) + ")";
    }
  }
}

// One ZAP request (RFC 27): version, request id, domain, address, routing id, mechanism, credentials (for
// CURVE: the client's 32-byte public key). The reply: version, request id, status, text, user id, metadata.
void HandshakeGuard::answer_one() {
  std::vector<zmq::message_t> request;
  for (;;) {
    zmq::message_t part;
    if (!zap_.recv(part, zmq::recv_flags::dontwait)) break;
    const bool more = part.more();
    request.push_back(std::move(part));
    if (!more) break;
  }
  if (request.empty()) return;
  const auto text = [&](std::size_t i) { return i < request.size() ? request[i].to_string() : std::string(); };
  bool ok = false;
  if (request.size() >= 7 && text(0) == "1.0" && text(5) == "CURVE") {
    const auto it = allowed_.find(text(2));
    ok = it != allowed_.end() && std::find(it->second.begin(), it->second.end(), text(6)) != it->second.end();
  }
  const std::array<std::string, 6> reply = {"1.0", text(1), ok ? "200" : "400", ok ? "OK" : "unknown key", "", ""};
  for (std::size_t i = 0; i < reply.size(); ++i) {
    static_cast<void>(
        zap_.send(zmq::buffer(reply[i]), i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none));
  }
}

}  // namespace vfo::runtime
