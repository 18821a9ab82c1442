#pragma once
// An HTTP endpoint for Prometheus: GET /metrics answers what `render` returns, as the text exposition format;
// any other path is 404. Served by cpp-httplib (the one file that includes it) from threads of its own, so
// `render` may be called at any time, from several threads at once.
#include <functional>
#include <memory>
#include <string>

namespace vfo::cli {

class MetricsServer {
 public:
  // Listens on `address`, "HOST:PORT" (PORT 0: a free port the system picks). Throws std::runtime_error naming
  // the address when it cannot listen there.
  MetricsServer(const std::string& address, std::function<std::string()> render);
  ~MetricsServer();  // stops serving; a request in progress ends first
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // http://HOST:PORT/metrics, with the port it listens on.
  const std::string& url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::cli
