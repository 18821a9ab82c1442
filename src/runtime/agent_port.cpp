#include "vfo/runtime/agent_port.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

namespace vfo::runtime {
namespace {

// The first port of the system's ephemeral range (32768 when it cannot be read).
int ephemeral_start() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  int high = 0;
  return in >> low >> high && low > 10001 ? low : 32768;
}

// Whether a TCP socket can listen on host:port now (with SO_REUSEADDR, as gRPC's).
bool can_listen(const std::string& host, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    throw std::runtime_error("free_agent_address: '" + host + "' is not an IPv4 address");
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 && ::listen(fd, 1) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string free_agent_address(const std::string& host) {
  std::random_device seed;  // a port, not a draw of a study: nothing reproducible depends on it
  std::mt19937 random(seed());
  std::uniform_int_distribution<int> port(10000, ephemeral_start() - 1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int p = port(random);
    if (can_listen(host, p)) return host + ":" + std::to_string(p);
  }
  throw std::runtime_error("free_agent_address: no free port below the ephemeral range on " + host);
}

}  // namespace vfo::runtime
