#include "cli/cluster_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace vfo::cli {
namespace {

// A label value as the exposition format writes it: backslash, double quote and newline escaped.
std::string label(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

// One metric family, appended whole (its HELP and TYPE lines, then its samples) to `out` when it goes out of
// scope: the exposition format wants a family's samples together.
class Family {
 public:
  Family(std::string& out, const std::string& name, const std::string& type, const std::string& help)
      : out_(out), name_(name), text_(fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type)) {}
  ~Family() { out_ += text_; }
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;
  // A sample; `labels` is "" or `a="x",b="y"`; `suffix` names a summary's _sum or _count.
  Family& add(double value, const std::string& labels = "", const std::string& suffix = "") {
    text_ += name_ + suffix + (labels.empty() ? "" : "{" + labels + "}") + " " + fmt::format("{}", value) + "\n";
    return *this;
  }

 private:
  std::string& out_;
  std::string name_;
  std::string text_;
};

}  // namespace

void ClusterMetrics::record_round(const runtime::RoundReport& report,
                                  const std::vector<runtime::Orchestrator::NodeView>& nodes,
                                  const std::vector<runtime::LiveMigrationRecord>& live) {
  MutexLock lock(mutex_);
  ++rounds_;
  lost_ += static_cast<std::uint64_t>(std::max(report.lost, 0));
  cold_ += static_cast<std::uint64_t>(std::max(report.migrated, 0));
  for (const runtime::Orchestrator::NodeView& n : nodes) {
    Node& node = nodes_[n.node];
    const auto listed = [&](const std::vector<std::string>& nodes) {
      return std::any_of(nodes.begin(), nodes.end(), [&](const std::string& e) {
        return e == n.node || e.rfind(n.node + ": ", 0) == 0;  // late_nodes are "NODE: why"
      });
    };
    ++(listed(report.failed_nodes) ? node.probes_failed
       : listed(report.late_nodes) ? node.probes_late
                                   : node.probes_answered);
    node.last = n;
  }
  for (std::size_t i = live_seen_; i < live.size(); ++i) {
    const runtime::LiveMigrationRecord& m = live[i];
    ++(m.error.empty() ? live_ok_ : live_failed_);
    if (m.error.empty() && m.downtime_s() >= 0) {
      live_downtime_sum_s_ += m.downtime_s();
      ++live_downtime_count_;
    }
  }
  live_seen_ = std::max<std::uint64_t>(live_seen_, live.size());
}

std::string ClusterMetrics::render(const ClusterScrape& now) const {
  MutexLock lock(mutex_);
  std::string out;
  Family(out, "vfo_rounds_total", "counter", "Rounds of the orchestrator (probe, heal, migrate).").add(rounds_);
  {
    Family probes(out, "vfo_probes_total", "counter", "Probes of each node, by whether the node answered.");
    for (const auto& [name, n] : nodes_) {
      probes.add(n.probes_answered, fmt::format("node=\"{}\",result=\"answered\"", label(name)));
      probes.add(n.probes_failed, fmt::format("node=\"{}\",result=\"failed\"", label(name)));
      probes.add(n.probes_late, fmt::format("node=\"{}\",result=\"late\"", label(name)));
    }
  }
  Family(out, "vfo_vfs_lost_total", "counter", "VFs found lost by the rounds (each round that finds one counts it).")
      .add(lost_);
  Family(out, "vfo_migrations_total", "counter", "Migrations by kind and result (cold: started elsewhere and stored).")
      .add(cold_, "kind=\"cold\",result=\"ok\"")
      .add(live_ok_, "kind=\"live\",result=\"ok\"")
      .add(live_failed_, "kind=\"live\",result=\"failed\"");
  Family(out, "vfo_live_migration_downtime_seconds", "summary",
         "Downtime of the live migrations that switched: the freeze to the target's first frame.")
      .add(live_downtime_sum_s_, "", "_sum")
      .add(live_downtime_count_, "", "_count");
  // Each node's gauge of its last probe; `value` is nullopt when the probe said nothing of it.
  const auto node_family = [&](const char* name, const char* help, auto value) {
    Family f(out, name, "gauge", help);
    for (const auto& [node, n] : nodes_) {
      if (const std::optional<double> v = value(n.last)) f.add(*v, fmt::format("node=\"{}\"", label(node)));
    }
  };
  using View = runtime::Orchestrator::NodeView;
  node_family("vfo_node_up", "1 when the node answered the last round's probe.",
              [](const View& v) { return std::optional<double>(v.answered() ? 1 : 0); });
  node_family("vfo_node_vfs", "VFs the node runs, as its last probe said.",
              [](const View& v) { return v.answered() ? std::optional<double>(v.functions) : std::nullopt; });
  node_family("vfo_node_cpu_percent", "The node's CPU use at its last probe (percent of the node).",
              [](const View& v) { return v.answered() ? std::optional<double>(v.cpu_pct) : std::nullopt; });
  node_family("vfo_node_ram_percent", "The node's RAM use at its last probe (percent of the node).",
              [](const View& v) { return v.answered() ? std::optional<double>(v.ram_pct) : std::nullopt; });
  node_family("vfo_node_p_fail", "The forecaster's probability that the node overloads (0 without one).",
              [](const View& v) { return std::optional<double>(v.p_fail); });
  {
    std::map<std::string, int> states = {{"whole", 0}, {"broken", 0}, {"pending", 0}};
    for (const runtime::ChainStatus& c : now.chains) {
      const bool whole = !c.functions.empty() && std::all_of(c.functions.begin(), c.functions.end(),
                                                             [](const runtime::VfStatus& f) { return f.running; });
      ++states[whole ? "whole" : c.functions.empty() ? "pending" : "broken"];
    }
    Family chains(out, "vfo_chains", "gauge",
                  "Chains by state: whole, broken (a VF not running), pending (not placed).");
    for (const auto& [state, count] : states) chains.add(count, fmt::format("state=\"{}\"", state));
  }
  {
    Family epoch(out, "vfo_chain_epoch", "gauge", "The chain's wiring epoch (it moves on at each migration).");
    for (const runtime::ChainStatus& c : now.chains) epoch.add(c.epoch, fmt::format("chain=\"{}\"", label(c.name)));
  }
  // Each VF's host counter; `add` is called with the family, the VF's counters and its labels.
  const auto vf_family = [&](const char* name, const char* help, auto add) {
    Family f(out, name, "counter", help);
    for (const runtime::ChainStatus& c : now.chains) {
      for (std::uint32_t i = 0; i < c.functions.size(); ++i) {
        const auto it = now.vf_stats.find({c.id, i});
        if (it == now.vf_stats.end() || !it->second.is_object()) continue;
        add(f, it->second, fmt::format("chain=\"{}\",vf=\"{}\"", label(c.name), label(c.functions[i].name)));
      }
    }
  };
  vf_family("vfo_frames_delivered_total", "Frames the chain's sink received.",
            [](Family& f, const nlohmann::json& s, const std::string& l) {
              if (s.contains("frames")) f.add(s.value("frames", 0.0), l);
            });
  vf_family("vfo_frames_replayed_total", "Frames a VF sent again after a rewire.",
            [](Family& f, const nlohmann::json& s, const std::string& l) { f.add(s.value("replayed", 0.0), l); });
  vf_family("vfo_frames_dropped_total",
            "Messages a VF dropped: duplicate frames, stale ones of an older epoch, malformed ones.",
            [](Family& f, const nlohmann::json& s, const std::string& l) {
              f.add(s.value("duplicates", 0.0), l + ",reason=\"duplicate\"");
              f.add(s.value("stale", 0.0), l + ",reason=\"stale\"");
              f.add(s.value("malformed", 0.0), l + ",reason=\"malformed\"");
            });
  return out;
}

}  // namespace vfo::cli
