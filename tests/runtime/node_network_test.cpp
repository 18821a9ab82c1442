// NodeNetwork: real namespaces, a bridge and tbf-shaped veth links (needs root; skipped with the reason otherwise).
// The only timed check is a lower bound physics guarantees: a transfer cannot beat its slower link's rate.
#include "vfo/runtime/node_network.hpp"
#include "support/command_output.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace vfo::runtime {
namespace {

using vfo::test::output_of;

// A TCP socket of the network namespace `netns` (empty: this process's), made by a thread that enters it; the
// socket stays in that namespace whichever thread uses it next.
int tcp_socket(const std::string& netns) {
  int fd = -1;
  std::string error;
  std::thread([&] {
    if (!netns.empty()) {
      const int ns = open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
        error = "cannot enter " + netns;
        if (ns >= 0) close(ns);
        return;
      }
      close(ns);
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  }).join();
  if (fd < 0) throw std::runtime_error(error.empty() ? "cannot create a socket" : error);
  return fd;
}

sockaddr_in address_of(const std::string& ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

// A listening socket on `ip` (any port) in `netns`; its port in `port`.
int listener(const std::string& netns, const std::string& ip, std::uint16_t& port) {
  const int fd = tcp_socket(netns);
  sockaddr_in a = address_of(ip, 0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 4) != 0) {
    close(fd);
    throw std::runtime_error("cannot listen on " + ip + " in " + netns);
  }
  socklen_t size = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size);
  port = ntohs(a.sin_port);
  return fd;
}

// A socket of `netns` connected to ip:port, or -1.
int connected(const std::string& netns, const std::string& ip, std::uint16_t port) {
  const int fd = tcp_socket(netns);
  const sockaddr_in a = address_of(ip, port);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether a client in `from` (empty: the root namespace) reaches a listener on ip in `to`: one byte each way.
bool reaches(const std::string& from, const std::string& to, const std::string& ip) {
  std::uint16_t port = 0;
  const int server = listener(to, ip, port);
  const int client = connected(from, ip, port);
  bool ok = false;
  if (client >= 0) {
    const int peer = accept(server, nullptr, nullptr);
    char byte = 'x';
    ok = peer >= 0 && send(client, &byte, 1, 0) == 1 && recv(peer, &byte, 1, MSG_WAITALL) == 1 &&
         send(peer, &byte, 1, 0) == 1 && recv(client, &byte, 1, MSG_WAITALL) == 1 && byte == 'x';
    if (peer >= 0) close(peer);
    close(client);
  }
  close(server);
  return ok;
}

std::string test_prefix(const char* stem) {
  return stem + std::to_string(getpid());
}

#define SKIP_UNLESS_AVAILABLE()                                \
  if (const auto reason = NodeNetwork::unavailable_reason()) { \
    GTEST_SKIP() << "node networks unavailable: " << *reason;  \
  }

TEST(NodeNetwork, ShapesBothEndsAndATransferArrivesIntactNoFasterThanTheSlowerLink) {
  SKIP_UNLESS_AVAILABLE();
  const std::string prefix = test_prefix("vt");
  {
    NodeNetwork net(prefix, {{"node-1", 98}, {"node-2", 20}});
    ASSERT_EQ(net.size(), 2u);
    EXPECT_EQ(net.netns_name(0), prefix + "-n0");
    EXPECT_EQ(net.bridge(), prefix + "br");
    EXPECT_EQ(net.exec_prefix(1).back(), prefix + "-n1");
    const std::string rates[] = {"rate 98Mbit", "rate 20Mbit"};
    for (std::size_t i = 0; i < 2; ++i) {
      const std::string inner = output_of("tc -n " + net.netns_name(i) + " qdisc show dev eth0");
      EXPECT_NE(inner.find("tbf"), std::string::npos) << inner;
      EXPECT_NE(inner.find(rates[i]), std::string::npos) << inner;
      const std::string outer = output_of("tc qdisc show dev " + NodeNetwork::veth_name(prefix, i));
      EXPECT_NE(outer.find("tbf"), std::string::npos) << outer;
      EXPECT_NE(outer.find(rates[i]), std::string::npos) << outer;
      EXPECT_NE(output_of("ip -n " + net.netns_name(i) + " -o -4 addr show dev eth0").find(net.node_address(i) + "/24"),
                std::string::npos);
    }
    EXPECT_TRUE(reaches("", net.netns_name(0), net.node_address(0))) << "root namespace -> node 0";
    EXPECT_TRUE(reaches(net.netns_name(1), "", net.host_address())) << "node 1 -> the bridge's address";
    EXPECT_TRUE(reaches(net.netns_name(0), net.netns_name(1), net.node_address(1))) << "node 0 -> node 1";

    // 8 MiB from node 0 (98 Mbit/s) to node 1 (20 Mbit/s).
    constexpr std::size_t kBytes = 8u << 20;
    std::vector<char> data(kBytes);
    for (std::size_t i = 0; i < kBytes; ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
    std::uint16_t port = 0;
    const int server = listener(net.netns_name(1), net.node_address(1), port);
    std::vector<char> received;
    std::thread receiver([&] {
      const int peer = accept(server, nullptr, nullptr);
      if (peer < 0) return;
      char chunk[65536];
      for (ssize_t n; (n = recv(peer, chunk, sizeof chunk, 0)) > 0;) received.insert(received.end(), chunk, chunk + n);
      close(peer);
    });
    const auto start = std::chrono::steady_clock::now();
    const int client = connected(net.netns_name(0), net.node_address(1), port);
    ASSERT_GE(client, 0);
    for (std::size_t sent = 0; sent < kBytes;) {
      const ssize_t n = send(client, data.data() + sent, kBytes - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    shutdown(client, SHUT_WR);
    receiver.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    close(client);
    close(server);
    EXPECT_TRUE(received == data) << received.size() << " of " << kBytes << " bytes, or different ones";
    const double floor = 0.8 * kBytes * 8 / 20e6;
    EXPECT_GE(seconds, floor) << "faster than the 20 Mbit/s link allows";
    std::printf("[ transfer ] %zu bytes node 0 -> node 1 in %.2f s: %.1f Mbit/s (link 20 Mbit/s, floor %.2f s)\n",
                kBytes, seconds, kBytes * 8 / seconds / 1e6, floor);
  }
  const std::string netns = output_of("ip netns list");
  EXPECT_EQ(netns.find(prefix + "-n"), std::string::npos) << netns;
  const std::string links = output_of("ip -o link show");
  EXPECT_EQ(links.find(prefix + "br"), std::string::npos) << links;
  EXPECT_EQ(links.find(prefix + "h"), std::string::npos) << links;
}

TEST(NodeNetwork, AReleasedNetworkOutlivesItsObjectAndALeftoverOfItsPrefixIsReplaced) {
  SKIP_UNLESS_AVAILABLE();
  const std::string prefix = test_prefix("vl");
  std::string address;
  {
    NodeNetwork first(prefix, {{"node-1", 50}});
    address = first.node_address(0);
    first.release();
  }
  EXPECT_NE(output_of("ip netns list").find(prefix + "-n0"), std::string::npos);
  {
    NodeNetwork second(prefix, {{"node-1", 10}, {"node-2", 10}});  // the leftover is removed first
    EXPECT_EQ(second.node_address(0), address);                    // the same /24 for the same prefix
    EXPECT_NE(output_of("tc -n " + second.netns_name(0) + " qdisc show dev eth0").find("rate 10Mbit"),
              std::string::npos);
    second.release();
  }
  NodeNetwork::remove(prefix);
  NodeNetwork::remove(prefix);  // nothing left: no-op
  EXPECT_EQ(output_of("ip netns list").find(prefix + "-n"), std::string::npos);
  EXPECT_EQ(output_of("ip -o link show").find(prefix + "br"), std::string::npos);
}

TEST(NodeNetwork, RejectsBadPrefixesCountsAndRatesBeforeTouchingAnything) {
  EXPECT_TRUE(NodeNetwork::valid_prefix("vfo12ab"));
  EXPECT_FALSE(NodeNetwork::valid_prefix(""));
  EXPECT_FALSE(NodeNetwork::valid_prefix("1abc"));
  EXPECT_FALSE(NodeNetwork::valid_prefix("Vfo"));
  EXPECT_FALSE(NodeNetwork::valid_prefix("abcdefghijk"));  // 11: a veth name would pass 15 characters
  EXPECT_FALSE(NodeNetwork::valid_prefix("a-b"));
  EXPECT_THROW(NodeNetwork("bad-prefix", {{"node-1", 98}}), std::invalid_argument);
  EXPECT_THROW(NodeNetwork("vx", {}), std::invalid_argument);
  EXPECT_THROW(NodeNetwork("vx", {{"node-1", 0}}), std::invalid_argument);
  EXPECT_THROW(NodeNetwork("vx", {{"node-1", -5}}), std::invalid_argument);
  EXPECT_THROW(NodeNetwork("vx", {{"node-1", kMaxLinkRateMbit * 2}}), std::invalid_argument);
  EXPECT_THROW(NodeNetwork("vx", std::vector<NodeLinkSpec>(kMaxNetworkNodes + 1)), std::invalid_argument);
}

TEST(NodeNetwork, WithoutRootTheReasonSaysSo) {
  if (geteuid() != 0) {
    const auto reason = NodeNetwork::unavailable_reason();
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("needs root"), std::string::npos) << *reason;
    return;
  }
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // as nobody
    close(pipe_fds[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    const auto reason = NodeNetwork::unavailable_reason();
    const std::string text = reason ? *reason : "available";
    _exit(write(pipe_fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()) ? 0 : 4);
  }
  close(pipe_fds[1]);
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(text, "needs root (running as uid 65534)");
}

}  // namespace
}  // namespace vfo::runtime
