#include "cli/metrics_server.hpp"

#include <httplib.h>

#include <stdexcept>
#include <thread>

namespace vfo::cli {

struct MetricsServer::Impl {
  httplib::Server server;
  std::string url;
  std::thread thread;
};

MetricsServer::MetricsServer(const std::string& address, std::function<std::string()> render)
    : impl_(std::make_unique<Impl>()) {
  const auto colon = address.rfind(':');
  int port = -1;
  try {
    if (colon != std::string::npos && colon > 0) port = std::stoi(address.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) {
    throw std::runtime_error("metrics address '" + address + "': expected HOST:PORT (PORT 0 to 65535)");
  }
  const std::string host = address.substr(0, colon);
  impl_->server.Get("/metrics", [render](const httplib::Request&, httplib::Response& response) {
    response.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (port == 0) {
    port = impl_->server.bind_to_any_port(host);
  } else if (!impl_->server.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) throw std::runtime_error("metrics address '" + address + "': cannot listen there");
  impl_->url = "http://" + host + ":" + std::to_string(port) + "/metrics";
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

MetricsServer::~MetricsServer() {
  impl_->server.stop();
  impl_->thread.join();
}

const std::string& MetricsServer::url() const {
  return impl_->url;
}

}  // namespace vfo::cli
