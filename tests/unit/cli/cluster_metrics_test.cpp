#include "cli/cluster_metrics.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "cli/metrics_server.hpp"

namespace vfo::cli {
namespace {

using View = runtime::Orchestrator::NodeView;

// The value of the sample line that starts with `series` ("name{labels}"); -1 when there is none.
double sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

ClusterScrape one_chain() {
  ClusterScrape s;
  s.chains.push_back(
      {1, "ped", 3, {{"camera", "node-1", true}, {"detect", "node-2", true}, {"display", "node-3", true}}, ""});
  s.chains.push_back({2, "idle", 0, {}, "no room"});
  s.vf_stats[{1, 1}] = {{"replayed", 4}, {"duplicates", 2}, {"stale", 1}, {"malformed", 0}};
  s.vf_stats[{1, 2}] = {{"frames", 120}, {"replayed", 0}, {"duplicates", 0}, {"stale", 0}, {"malformed", 0}};
  return s;
}

TEST(ClusterMetrics, CountsWhatTheRoundsDidAndShowsTheClusterNow) {
  ClusterMetrics m;
  runtime::RoundReport quiet;
  runtime::RoundReport late;
  late.late_nodes = {"node-2: DEADLINE_EXCEEDED: Deadline Exceeded"};
  runtime::RoundReport healing;
  healing.failed_nodes = {"node-2"};
  healing.lost = 1;
  healing.migrated = 1;
  const std::vector<View> nodes = {{"node-1", 40, 20, 2, 0.1}, {"node-2", -1, -1, -1, 0.9}};
  runtime::LiveMigrationRecord ok;
  ok.report.freeze_ns = 1'000'000'000;
  ok.first_frame_ns = 1'050'000'000;
  runtime::LiveMigrationRecord failed;
  failed.error = "the target said nothing";
  m.record_round(late, nodes, {});
  m.record_round(healing, nodes, {ok});
  m.record_round(quiet, nodes, {ok, failed});  // the first was counted already
  const std::string text = m.render(one_chain());
  EXPECT_EQ(sample(text, "vfo_rounds_total"), 3);
  EXPECT_EQ(sample(text, R"(vfo_probes_total{node="node-2",result="failed"})"), 1);  // the healing round's
  EXPECT_EQ(sample(text, R"(vfo_probes_total{node="node-2",result="late"})"), 1);
  EXPECT_EQ(sample(text, R"(vfo_probes_total{node="node-2",result="answered"})"), 1);
  EXPECT_EQ(sample(text, R"(vfo_probes_total{node="node-1",result="answered"})"), 3);
  EXPECT_EQ(sample(text, R"(vfo_migrations_total{kind="cold",result="ok"})"), 1);
  EXPECT_EQ(sample(text, R"(vfo_migrations_total{kind="live",result="ok"})"), 1);
  EXPECT_EQ(sample(text, R"(vfo_migrations_total{kind="live",result="failed"})"), 1);
  EXPECT_NEAR(sample(text, "vfo_live_migration_downtime_seconds_sum"), 0.05, 1e-9);
  EXPECT_EQ(sample(text, "vfo_live_migration_downtime_seconds_count"), 1);
  EXPECT_EQ(sample(text, R"(vfo_node_up{node="node-2"})"), 0);
  EXPECT_EQ(sample(text, R"(vfo_node_vfs{node="node-2"})"), -1);  // no probe: no reading
  EXPECT_EQ(sample(text, R"(vfo_node_cpu_percent{node="node-1"})"), 40);
  EXPECT_EQ(sample(text, R"(vfo_node_p_fail{node="node-2"})"), 0.9);
  EXPECT_EQ(sample(text, R"(vfo_chains{state="whole"})"), 1);
  EXPECT_EQ(sample(text, R"(vfo_chains{state="pending"})"), 1);
  EXPECT_EQ(sample(text, R"(vfo_chain_epoch{chain="ped"})"), 3);
  EXPECT_EQ(sample(text, R"(vfo_frames_delivered_total{chain="ped",vf="display"})"), 120);
  EXPECT_EQ(sample(text, R"(vfo_frames_replayed_total{chain="ped",vf="detect"})"), 4);
  EXPECT_EQ(sample(text, R"(vfo_frames_dropped_total{chain="ped",vf="detect",reason="duplicate"})"), 2);
  EXPECT_EQ(sample(text, R"(vfo_frames_dropped_total{chain="ped",vf="detect",reason="stale"})"), 1);
}

TEST(ClusterMetrics, EachFamilyHasItsHelpAndTypeOnceAndItsSamplesTogether) {
  ClusterMetrics m;
  m.record_round({}, {{"node-1", 40, 20, 2, 0.1}, {"node-\"2\"", 10, 10, 1, 0}}, {});
  const std::string text = m.render(one_chain());
  std::set<std::string> closed;  // families whose samples are over
  std::string current;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_EQ(closed.count(name), 0u) << name << " twice";
      if (!current.empty()) closed.insert(current);
      current = name;
      continue;
    }
    if (line.rfind("#", 0) == 0) continue;
    EXPECT_EQ(line.rfind(current, 0), 0u) << line << " outside its family " << current;
  }
  EXPECT_NE(text.find(R"(vfo_node_up{node="node-\"2\""} 1)"), std::string::npos) << "a quote in a label is escaped";
}

TEST(MetricsServer, AnswersMetricsOverHttpAndNothingElse) {
  int scrapes = 0;
  MetricsServer server("127.0.0.1:0", [&] { return "vfo_rounds_total " + std::to_string(++scrapes) + "\n"; });
  ASSERT_EQ(server.url().rfind("http://127.0.0.1:", 0), 0u) << server.url();
  const std::string port = server.url().substr(17, server.url().rfind('/') - 17);
  httplib::Client client("127.0.0.1", std::stoi(port));
  const auto first = client.Get("/metrics");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "vfo_rounds_total 1\n");
  EXPECT_EQ(first->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(client.Get("/metrics")->body, "vfo_rounds_total 2\n");
  EXPECT_EQ(client.Get("/")->status, 404);
}

TEST(MetricsServer, AnAddressItCannotListenOnIsOneLineNamingIt) {
  for (const char* bad : {"127.0.0.1", "127.0.0.1:99999", "no-such-host.invalid:0", ":x"}) {
    try {
      MetricsServer server(bad, [] { return std::string(); });
      ADD_FAILURE() << bad << " was taken";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace vfo::cli
