#include "vfo/sim/background_load.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "vfo/model/units.hpp"
#include "vfo/sim/node_workload.hpp"
#include "vfo/sim/workload_generator.hpp"

namespace vfo::sim {
namespace {

// Nodes of different speeds, all with 2 GB of RAM.
std::vector<Resources> mixed_nodes(int count) {
  std::vector<Resources> nodes;
  for (int i = 0; i < count; ++i) nodes.push_back(Resources{1e5 * (0.6 + 0.1 * i), units::megabytes(2048)});
  return nodes;
}

// Tight CPU admission (30 % of the speed, about 5 default jobs), so that jobs queue and the FIFO matters.
BackgroundJobsConfig queueing_config() {
  BackgroundJobsConfig config;
  config.cpu_overcommit = 0.3;
  config.rate_mean = 20;  // arrivals per hour
  config.duration_mean_s = 1200;
  return config;
}

// What node `node` holds at time t when its jobs are fed to a NodeWorkload of its own, in time order.
NodeWorkload reference_node(const Resources& capacity, std::uint64_t seed, std::uint32_t node, double horizon_s,
                            const BackgroundJobsConfig& config, double t) {
  NodeWorkload w(capacity, config.cpu_overcommit);
  for (const JobArrival& a : draw_node_jobs(seed, NodeId(node), horizon_s, config).arrivals) {
    if (a.time_s > t) break;
    w.submit_job(a.job, a.time_s);
  }
  w.advance_to(t);
  return w;
}

std::vector<std::uint32_t> ids(const std::vector<NodeId>& nodes) {
  std::vector<std::uint32_t> out;
  for (NodeId n : nodes) out.push_back(n.value);
  return out;
}

TEST(BackgroundLoad, InitialJobsArriveAtTimeZero) {
  const std::vector<Resources> nodes(12, Resources{1e5, units::megabytes(4096)});
  BackgroundJobsConfig config;
  config.initial_jobs_mean = 1;  // k = max(0, floor(N(1, 2))): about half the nodes start empty
  config.initial_jobs_stddev = 2;
  const std::uint64_t seed = 21;
  const double horizon = 3600;

  std::vector<int> k;
  std::vector<std::uint32_t> with_jobs;
  for (std::uint32_t n = 0; n < nodes.size(); ++n) {
    k.push_back(draw_node_jobs(seed, NodeId(n), horizon, config).initial_jobs);
    if (k.back() > 0) with_jobs.push_back(n);
  }
  ASSERT_FALSE(with_jobs.empty());
  ASSERT_LT(with_jobs.size(), nodes.size());  // some node has no initial job: it must not be reported

  BackgroundLoad load(nodes, seed, horizon, config);
  EXPECT_EQ(load.nodes(), nodes.size());
  EXPECT_EQ(load.next_event_time(), 0);
  for (std::uint32_t n = 0; n < nodes.size(); ++n) EXPECT_EQ(load.node(NodeId(n)).running(), 0u);

  EXPECT_EQ(ids(load.advance_to(0)), with_jobs);
  for (std::uint32_t n = 0; n < nodes.size(); ++n) {
    SCOPED_TRACE(n);
    const NodeWorkload& w = load.node(NodeId(n));
    EXPECT_EQ(w.running() + w.queued(), static_cast<std::size_t>(k[n]));
    EXPECT_TRUE(load.is_up(NodeId(n)));
  }
  EXPECT_GT(load.next_event_time(), 0);
  EXPECT_EQ(load.lost_jobs(), 0u);
}

TEST(BackgroundLoad, NoJobsMeansNoEvent) {
  BackgroundJobsConfig config;
  config.initial_jobs_mean = -100;
  config.rate_mean = -100;
  config.min_rate = 1e-12;  // one arrival per 1e12 hours
  BackgroundLoad load(mixed_nodes(3), 5, 7200, config);
  EXPECT_TRUE(std::isinf(load.next_event_time()));
  EXPECT_TRUE(load.advance_to(7200).empty());
  EXPECT_EQ(load.node(NodeId(2)).used(), (Resources{0, 0}));
}

TEST(BackgroundLoad, EventByEventMatchesEachNodeFedOnItsOwn) {
  const std::vector<Resources> nodes = mixed_nodes(5);
  const BackgroundJobsConfig config = queueing_config();
  const std::uint64_t seed = 77;
  const double horizon = 4 * 3600.0;
  BackgroundLoad load(nodes, seed, horizon, config);

  double previous = 0;
  int events = 0;
  bool queued_somewhere = false;
  for (double t = load.next_event_time(); t <= horizon; t = load.next_event_time()) {
    ASSERT_GE(t, previous) << "events out of time order";
    const std::vector<NodeId> touched = load.advance_to(t);
    EXPECT_FALSE(touched.empty()) << "an event time at which nothing happened: " << t;
    previous = t;
    ++events;
    if (events % 7 != 0) continue;  // compare at every 7th event (each comparison redraws every node)
    for (std::uint32_t n = 0; n < nodes.size(); ++n) {
      SCOPED_TRACE(testing::Message() << "node " << n << " at " << t);
      const NodeWorkload expected = reference_node(nodes[n], seed, n, horizon, config, t);
      const NodeWorkload& got = load.node(NodeId(n));
      EXPECT_EQ(got.running_job_ids(), expected.running_job_ids());
      EXPECT_EQ(got.queued(), expected.queued());
      EXPECT_EQ(got.used(), expected.used());
      queued_somewhere |= got.queued() > 0;
    }
  }
  EXPECT_GT(events, 100);
  EXPECT_TRUE(queued_somewhere);  // the FIFO was exercised
  // At the end of the horizon too.
  load.advance_to(horizon);
  for (std::uint32_t n = 0; n < nodes.size(); ++n) {
    const NodeWorkload expected = reference_node(nodes[n], seed, n, horizon, config, horizon);
    EXPECT_EQ(load.node(NodeId(n)).running_job_ids(), expected.running_job_ids()) << "node " << n;
    EXPECT_EQ(load.node(NodeId(n)).used(), expected.used()) << "node " << n;
  }
}

TEST(BackgroundLoad, OneStepOrManyStepsGiveTheSameState) {
  const std::vector<Resources> nodes = mixed_nodes(6);
  const BackgroundJobsConfig config = queueing_config();
  const double horizon = 3 * 3600.0;
  for (const double until : {1000.0, 5432.1, horizon}) {
    SCOPED_TRACE(until);
    BackgroundLoad one(nodes, 9, horizon, config);
    BackgroundLoad many(nodes, 9, horizon, config);
    one.advance_to(until);
    for (double t = 0; t < until; t += 37) many.advance_to(t);
    many.advance_to(until);
    int busy = 0;
    for (std::uint32_t n = 0; n < nodes.size(); ++n) {
      SCOPED_TRACE(n);
      EXPECT_EQ(one.node(NodeId(n)).running_job_ids(), many.node(NodeId(n)).running_job_ids());
      EXPECT_EQ(one.node(NodeId(n)).queued(), many.node(NodeId(n)).queued());
      EXPECT_EQ(one.node(NodeId(n)).used(), many.node(NodeId(n)).used());
      busy += one.node(NodeId(n)).running() > 0;
    }
    EXPECT_GT(busy, 0);
    EXPECT_EQ(one.next_event_time(), many.next_event_time());
  }

  // Another seed gives another state.
  BackgroundLoad a(nodes, 9, horizon, config);
  BackgroundLoad b(nodes, 10, horizon, config);
  a.advance_to(3600);
  b.advance_to(3600);
  bool differs = false;
  for (std::uint32_t n = 0; n < nodes.size(); ++n) {
    differs |= !(a.node(NodeId(n)).used() == b.node(NodeId(n)).used());
  }
  EXPECT_TRUE(differs);
}

TEST(BackgroundLoad, AdvanceReturnsExactlyTheNodesWithAnEventAscending) {
  const std::vector<Resources> nodes = mixed_nodes(12);
  const BackgroundJobsConfig config = queueing_config();
  const std::uint64_t seed = 3;
  const double horizon = 2 * 3600.0;
  std::vector<std::vector<double>> arrival_times(nodes.size());
  for (std::uint32_t n = 0; n < nodes.size(); ++n) {
    for (const JobArrival& a : draw_node_jobs(seed, NodeId(n), horizon, config).arrivals) {
      arrival_times[n].push_back(a.time_s);
    }
  }

  BackgroundLoad load(nodes, seed, horizon, config);
  double previous = -1;
  int partial_steps = 0;
  for (double t = 0; t <= horizon; t += 90) {
    // A node has an event in (previous, t] when a job arrives then or a running job of it ends by t.
    std::vector<std::uint32_t> expected;
    for (std::uint32_t n = 0; n < nodes.size(); ++n) {
      bool event = load.node(NodeId(n)).next_event_time() <= t;
      for (double a : arrival_times[n]) event |= a > previous && a <= t;
      if (event) expected.push_back(n);
    }
    const std::vector<std::uint32_t> touched = ids(load.advance_to(t));
    EXPECT_EQ(touched, expected) << "at " << t;
    for (std::size_t i = 1; i < touched.size(); ++i) EXPECT_LT(touched[i - 1], touched[i]);
    if (!touched.empty() && touched.size() < nodes.size()) ++partial_steps;
    previous = t;
  }
  EXPECT_GT(partial_steps, 10);  // steps where some nodes had an event and others had none
}

TEST(BackgroundLoad, DownNodeDropsItsTenantsAndLosesItsArrivals) {
  const std::vector<Resources> nodes = mixed_nodes(3);
  BackgroundJobsConfig config;
  config.initial_jobs_mean = 5;
  config.initial_jobs_stddev = 0;
  config.rate_mean = 60;  // about one arrival a minute
  config.rate_stddev = 0;
  const std::uint64_t seed = 12;
  const double horizon = 3600;
  const NodeId down(1);
  const std::vector<JobArrival> arrivals = draw_node_jobs(seed, down, horizon, config).arrivals;
  auto arrivals_in = [&](double from, double to) {  // in (from, to]
    int count = 0;
    for (const JobArrival& a : arrivals) count += a.time_s > from && a.time_s <= to;
    return count;
  };

  BackgroundLoad load(nodes, seed, horizon, config);
  BackgroundLoad untouched(nodes, seed, horizon, config);
  load.advance_to(600);
  ASSERT_GT(load.node(down).running(), 0u);
  const std::uint64_t key = vf_key(FunctionRef{ChainId(4), 2});
  ASSERT_TRUE(load.node(down).admit_vf(key, Resources{1000, units::megabytes(10)}, 600));
  load.changed(down);

  load.set_down(down, 600);
  EXPECT_FALSE(load.is_up(down));
  EXPECT_TRUE(load.is_up(NodeId(0)));
  EXPECT_EQ(load.node(down).used(), (Resources{0, 0}));
  EXPECT_EQ(load.node(down).running(), 0u);
  EXPECT_EQ(load.node(down).queued(), 0u);
  EXPECT_EQ(load.node(down).vfs(), 0u);
  EXPECT_FALSE(load.node(down).hosts_vf(key));
  EXPECT_EQ(load.lost_jobs(), 0u);

  const int lost = arrivals_in(600, 1800);
  ASSERT_GT(lost, 5);
  load.advance_to(1200);
  load.advance_to(1800);
  EXPECT_EQ(load.lost_jobs(), static_cast<std::uint64_t>(lost));
  EXPECT_EQ(load.node(down).used(), (Resources{0, 0}));

  load.set_up(down, 1800);
  EXPECT_TRUE(load.is_up(down));
  ASSERT_GT(arrivals_in(1800, 3000), 0);
  load.advance_to(3000);
  EXPECT_EQ(load.lost_jobs(), static_cast<std::uint64_t>(lost));  // nothing more lost once up
  // Back empty at 1800, then only the jobs that arrived since.
  NodeWorkload expected(nodes[down.value], config.cpu_overcommit);
  expected.advance_to(1800);
  for (const JobArrival& a : arrivals) {
    if (a.time_s > 1800 && a.time_s <= 3000) expected.submit_job(a.job, a.time_s);
  }
  expected.advance_to(3000);
  EXPECT_GT(load.node(down).running(), 0u);
  EXPECT_EQ(load.node(down).running_job_ids(), expected.running_job_ids());
  EXPECT_EQ(load.node(down).used(), expected.used());

  // The other nodes did not notice.
  untouched.advance_to(3000);
  for (const NodeId n : {NodeId(0), NodeId(2)}) {
    EXPECT_EQ(load.node(n).running_job_ids(), untouched.node(n).running_job_ids());
    EXPECT_EQ(load.node(n).used(), untouched.node(n).used());
  }
}

// Three identical initial jobs (40 CPU, 100 B each) on a node of speed 100 with no overcommit, and no
// arrival afterwards.
BackgroundJobsConfig three_jobs_config() {
  BackgroundJobsConfig config;
  config.initial_jobs_mean = 3;
  config.initial_jobs_stddev = 0;
  config.rate_mean = 0;
  config.rate_stddev = 0;
  config.min_rate = 1e-12;
  config.cpu_mean_ips = 40;
  config.cpu_stddev_ips = 0;
  config.cpu_min_ips = 1;
  config.ram_mean_bytes = 100;
  config.ram_stddev_bytes = 0;
  config.ram_min_bytes = 1;
  config.duration_mean_s = 1000;
  config.cpu_overcommit = 1;
  return config;
}

TEST(BackgroundLoad, ChangedSeesTheCompletionOfAJobThatARemovedVfLetStart) {
  const std::vector<Resources> nodes = {Resources{100, 1000}};
  const BackgroundJobsConfig config = three_jobs_config();
  const double horizon = 1e5;
  // A seed whose second job is shorter than its first, so that its start brings the next event forward.
  std::uint64_t seed = 0;
  std::vector<JobArrival> jobs;
  for (std::uint64_t s = 1; s < 100 && seed == 0; ++s) {
    jobs = draw_node_jobs(s, NodeId(0), horizon, config).arrivals;
    if (jobs.size() == 3 && jobs[1].job.duration_s < jobs[0].job.duration_s) seed = s;
  }
  ASSERT_NE(seed, 0u);
  const double d0 = jobs[0].job.duration_s;
  const double d1 = jobs[1].job.duration_s;
  const double d2 = jobs[2].job.duration_s;

  BackgroundLoad load(nodes, seed, horizon, config);
  const NodeId node(0);
  const std::uint64_t key = vf_key(FunctionRef{ChainId(1), 0});
  ASSERT_TRUE(load.node(node).admit_vf(key, Resources{30, 100}, 0));  // 30 of 100 CPU
  load.changed(node);
  load.advance_to(0);
  // 30 + 40 fits; a second job (110) does not: two jobs wait.
  EXPECT_EQ(load.node(node).running_job_ids(), std::vector<std::uint64_t>{jobs[0].job.id});
  EXPECT_EQ(load.node(node).queued(), 2u);
  EXPECT_EQ(load.next_event_time(), d0);

  ASSERT_TRUE(load.node(node).remove_vf(key, 0));  // 40 in use: the second job starts, the third waits
  load.changed(node);
  EXPECT_EQ(load.node(node).running_job_ids(), (std::vector<std::uint64_t>{jobs[0].job.id, jobs[1].job.id}));
  EXPECT_EQ(load.node(node).queued(), 1u);
  EXPECT_EQ(load.next_event_time(), d1);

  EXPECT_EQ(ids(load.advance_to(d1)), std::vector<std::uint32_t>{0});
  // The second job ended at d1; the third started then.
  EXPECT_EQ(load.node(node).running_job_ids(), (std::vector<std::uint64_t>{jobs[0].job.id, jobs[2].job.id}));
  EXPECT_EQ(load.node(node).queued(), 0u);
  EXPECT_EQ(load.next_event_time(), std::min(d0, d1 + d2));

  load.advance_to(d0 + d1 + d2);
  EXPECT_EQ(load.node(node).running(), 0u);
  EXPECT_TRUE(std::isinf(load.next_event_time()));
}

TEST(BackgroundLoad, TimeCannotGoBack) {
  BackgroundLoad load(mixed_nodes(2), 4, 3600, BackgroundJobsConfig{});
  load.advance_to(100);
  EXPECT_THROW(load.advance_to(99.5), std::invalid_argument);
  EXPECT_NO_THROW(load.advance_to(100));
  load.advance_to(200);
  EXPECT_THROW(load.advance_to(150), std::invalid_argument);
  EXPECT_THROW(load.advance_to(0), std::invalid_argument);
}

TEST(BackgroundLoad, AdvancingAgainToTheSameTimeDoesNothing) {
  BackgroundLoad load(mixed_nodes(4), 4, 3600, BackgroundJobsConfig{});
  EXPECT_FALSE(load.advance_to(1800).empty());
  EXPECT_TRUE(load.advance_to(1800).empty());
}

}  // namespace
}  // namespace vfo::sim
