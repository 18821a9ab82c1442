#pragma once
// Emulated edge links for a local cluster (`vfo up --netns`): each node gets a Linux network namespace
// joined to a bridge in the root namespace by a veth pair, and its link is shaped by tbf at the node's rate in
// both directions. Made with the `ip` and `tc` commands of iproute2; needs root.
//
// Layout, every name derived from a prefix of 1 to 10 characters [a-z0-9] starting with a letter (so that every
// interface name fits the kernel's 15):
//   bridge            <prefix>br, address 10.A.B.1/24 (the host's address: the root namespace reaches every node)
//   node i namespace  <prefix>-n<i>, with `lo` up and `eth0` (the veth's inner end) at 10.A.B.(i+2)/24
//   node i veth       <prefix>h<i> in the root namespace, a port of the bridge
// Nodes reach each other through the bridge; traffic from node i to node j crosses i's eth0 egress (rate i) and
// j's veth egress on the bridge (rate j), so it runs at the lower of the two rates. The /24 (A in 100..199) is
// derived from the prefix and stepped past any 10.A.B.0/24 already in use, so networks of distinct prefixes can
// coexist; a network is removed by prefix alone (NodeNetwork::remove).
//
// Shaping: `tbf rate R burst max(R/250 s, 32 KiB) latency 50ms` on both ends' egress. A burst of 4 ms of
// traffic (a 250 Hz timer's tick) and at least 32 KiB (about 22 full frames, more than a GSO segment of a few
// frames) lets tbf sustain the rate (98 Mbit/s reaches ~94 Mbit/s of TCP payload); 50 ms of queue absorbs TCP's
// bursts without bufferbloat that a 1 s queue would add. A transfer of N bytes cannot take less than about
// (N - burst) * 8 / R seconds.
//
// Latency: none is added. Linux delays packets with the netem qdisc, or by earliest-departure-time pacing
// (sch_fq or sch_etf honouring skb->tstamp, stamped by a tc-BPF program or SO_TXTIME); a kernel built without
// sch_netem, sch_fq and sch_etf (the development machine has tbf, htb, pfifo and clsact only) has no
// real mechanism, and nothing here fakes one. A link then has its rate but only the propagation time of veth and
// bridge (tens of microseconds); a latency has to come from the application (holding frames before sending).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace vfo::runtime {

inline constexpr double kDefaultLinkRateMbit = 98;
inline constexpr double kMaxLinkRateMbit = 100000;  // 100 Gbit/s
inline constexpr std::size_t kMaxNetworkNodes = 250;

struct NodeLinkSpec {
  std::string node;                         // the node's name (for records and messages)
  double rate_mbit = kDefaultLinkRateMbit;  // each direction, in Mbit/s (10^6 bit/s), in (0, kMaxLinkRateMbit]
};

class NodeNetwork {
 public:
  // Why this process cannot make a NodeNetwork, as a phrase ("needs root (running as uid 1000)"), or nullopt
  // when it can: it runs as root, finds `ip` and `tc` (PATH, /usr/sbin, /sbin), and can make a probe namespace
  // holding a bridge and a veth pair shaped by tbf (the probe is removed before this returns).
  static std::optional<std::string> unavailable_reason();

  // Whether `prefix` can name a network (see the layout above).
  static bool valid_prefix(const std::string& prefix);

  // Removes any network named by `prefix` (a leftover of a crashed run), then creates the bridge and, for each
  // node in order, its namespace, veth pair, addresses and shaping. Throws std::invalid_argument for a bad
  // prefix, no node, more than kMaxNetworkNodes, or a rate outside (0, kMaxLinkRateMbit]; std::runtime_error
  // with one line naming the failed command and its stderr, after removing whatever it had made.
  NodeNetwork(std::string prefix, std::vector<NodeLinkSpec> nodes);
  // Removes the network (best effort, never throws) unless release() was called.
  ~NodeNetwork();
  NodeNetwork(const NodeNetwork&) = delete;
  NodeNetwork& operator=(const NodeNetwork&) = delete;

  // Leaves the network in place past the destructor (for daemons that outlive this process); remove it later
  // with NodeNetwork::remove(prefix()).
  void release() { released_ = true; }

  const std::string& prefix() const { return prefix_; }
  std::size_t size() const { return nodes_.size(); }
  const std::string& bridge() const { return bridge_; }
  const std::string& subnet() const { return subnet_; }              // "10.A.B.0/24"
  const std::string& host_address() const { return host_address_; }  // the bridge's: "10.A.B.1"
  // Node i's name, address in its namespace ("10.A.B.(i+2)"), namespace name and rate; i < size().
  const std::string& node_name(std::size_t i) const { return nodes_.at(i).spec.node; }
  const std::string& node_address(std::size_t i) const { return nodes_.at(i).address; }
  const std::string& netns_name(std::size_t i) const { return nodes_.at(i).netns; }
  double rate_mbit(std::size_t i) const { return nodes_.at(i).spec.rate_mbit; }
  // The argv prefix that runs a program inside node i's namespace: {ABSOLUTE PATH OF ip, "netns", "exec",
  // netns_name(i)}; append the program's path and arguments (`ip netns exec` execs it: it keeps the pid).
  std::vector<std::string> exec_prefix(std::size_t i) const;

  // Removes every namespace, veth and bridge named by `prefix`, whatever is left of them (nothing: no-op):
  // the veths first (deleting a veth end deletes its pair at once, where a namespace's devices go away
  // asynchronously), then the namespaces, then the bridge. Throws std::runtime_error (one line) if something
  // that exists cannot be removed, after trying the rest.
  static void remove(const std::string& prefix);

  // The names the layout gives (see above).
  static std::string bridge_name(const std::string& prefix) { return prefix + "br"; }
  static std::string netns_name(const std::string& prefix, std::size_t i) { return prefix + "-n" + std::to_string(i); }
  static std::string veth_name(const std::string& prefix, std::size_t i) { return prefix + "h" + std::to_string(i); }

 private:
  struct Node {
    NodeLinkSpec spec;
    std::string netns;
    std::string veth;
    std::string address;
  };
  void create();

  std::string prefix_;
  std::string bridge_;
  std::string subnet_;
  std::string host_address_;
  std::vector<Node> nodes_;
  bool released_ = false;
};

}  // namespace vfo::runtime
