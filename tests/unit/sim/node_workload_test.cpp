#include "vfo/sim/node_workload.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace vfo::sim {
namespace {

// A node of speed 100 instructions/s and 1000 bytes of RAM keeps the numbers easy to check by hand.
constexpr Resources kNode{100, 1000};

Job job(std::uint64_t id, double cpu, double ram, double duration) {
  return Job{id, cpu, ram, duration};
}

TEST(NodeWorkload, JobThatFitsStartsAndEndsAfterItsDuration) {
  NodeWorkload node(kNode);
  EXPECT_TRUE(node.submit_job(job(1, 40, 300, 10), 5));
  EXPECT_EQ(node.running(), 1u);
  EXPECT_EQ(node.queued(), 0u);
  EXPECT_EQ(node.used(), (Resources{40, 300}));
  EXPECT_EQ(node.next_event_time(), 15);
  node.advance_to(14.999);
  EXPECT_EQ(node.running(), 1u);
  node.advance_to(15);  // end <= t completes
  EXPECT_EQ(node.running(), 0u);
  EXPECT_EQ(node.used(), (Resources{0, 0}));
  EXPECT_TRUE(std::isinf(node.next_event_time()));
}

TEST(NodeWorkload, JobThatDoesNotFitIsQueuedOnCpuOrOnRam) {
  NodeWorkload node(kNode);
  node.submit_job(job(1, 70, 100, 10), 0);
  node.submit_job(job(2, 40, 100, 10), 0);  // CPU 110 > 100
  EXPECT_EQ(node.running(), 1u);
  EXPECT_EQ(node.queued(), 1u);

  NodeWorkload ram_bound(kNode);
  ram_bound.submit_job(job(1, 10, 900, 10), 0);
  ram_bound.submit_job(job(2, 10, 200, 10), 0);  // RAM 1100 > 1000
  EXPECT_EQ(ram_bound.queued(), 1u);
}

TEST(NodeWorkload, JobLargerThanTheNodeIsDroppedNotQueued) {
  NodeWorkload node(kNode);
  EXPECT_FALSE(node.submit_job(job(1, 101, 10, 10), 0));
  EXPECT_FALSE(node.submit_job(job(2, 10, 1001, 10), 0));
  EXPECT_EQ(node.running() + node.queued(), 0u);
}

TEST(NodeWorkload, CompletionStartsTheQueuedHeadAtTheCompletionTime) {
  NodeWorkload node(kNode);
  node.submit_job(job(1, 60, 100, 10), 0);  // ends at 10
  node.submit_job(job(2, 60, 100, 5), 2);   // waits, starts at 10, ends at 15
  EXPECT_EQ(node.next_event_time(), 10);
  node.advance_to(12);
  EXPECT_EQ(node.running_job_ids(), std::vector<std::uint64_t>{2});
  EXPECT_EQ(node.next_event_time(), 15);  // started at 10, not at 12
  node.advance_to(20);
  EXPECT_EQ(node.running(), 0u);
}

TEST(NodeWorkload, QueueIsFifoWithHeadOfLineBlocking) {
  NodeWorkload node(kNode);
  node.submit_job(job(1, 50, 100, 10), 0);  // ends at 10
  node.submit_job(job(2, 30, 100, 20), 0);  // ends at 20; 80 CPU in use
  node.submit_job(job(3, 60, 100, 5), 1);   // waits (head)
  node.submit_job(job(4, 10, 100, 5), 2);   // would fit, but waits behind 3
  EXPECT_EQ(node.running_job_ids(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(node.queued(), 2u);
  node.advance_to(10);  // 1 ends: 30 in use; 3 (60) starts, then 4 (10) fits too
  EXPECT_EQ(node.running_job_ids(), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(node.queued(), 0u);
  EXPECT_EQ(node.next_event_time(), 15);
}

TEST(NodeWorkload, CompletionsAreProcessedInEndOrderWithinOneAdvance) {
  NodeWorkload node(kNode);
  node.submit_job(job(1, 50, 100, 8), 0);   // ends at 8
  node.submit_job(job(2, 50, 100, 3), 0);   // ends at 3
  node.submit_job(job(3, 50, 100, 2), 0);   // waits; starts at 3, ends at 5
  node.submit_job(job(4, 50, 100, 10), 0);  // waits; starts at 5, ends at 15
  node.advance_to(100);
  EXPECT_EQ(node.running(), 0u);
  node.submit_job(job(5, 50, 100, 8), 100);
  node.submit_job(job(6, 50, 100, 3), 100);
  node.submit_job(job(7, 50, 100, 2), 100);
  node.submit_job(job(8, 50, 100, 10), 100);
  node.advance_to(106);  // 6 ends at 103 -> 7 starts (ends 105) -> 8 starts at 105 (ends 115); 5 ends 108
  EXPECT_EQ(node.running_job_ids(), (std::vector<std::uint64_t>{5, 8}));
  EXPECT_EQ(node.next_event_time(), 108);
  node.advance_to(108);
  EXPECT_EQ(node.next_event_time(), 115);
}

TEST(NodeWorkload, VfIsRefusedRatherThanQueued) {
  NodeWorkload node(kNode);
  node.submit_job(job(1, 80, 100, 10), 0);
  EXPECT_FALSE(node.admit_vf(7, Resources{30, 50}, 1));
  EXPECT_FALSE(node.hosts_vf(7));
  EXPECT_EQ(node.queued(), 0u);
  EXPECT_TRUE(node.admit_vf(7, Resources{20, 50}, 1));
  EXPECT_EQ(node.used(), (Resources{100, 150}));
  EXPECT_THROW(node.admit_vf(7, Resources{0, 0}, 1), std::invalid_argument);
}

TEST(NodeWorkload, VfTakesRoomThatAQueuedJobWaitsFor) {
  NodeWorkload node(kNode);
  node.submit_job(job(1, 60, 100, 10), 0);
  node.submit_job(job(2, 50, 100, 10), 0);  // waits for 50
  EXPECT_TRUE(node.admit_vf(9, Resources{30, 10}, 1));
  node.advance_to(10);  // 1 ends: 30 in use, 2 (50) starts
  EXPECT_EQ(node.running_job_ids(), std::vector<std::uint64_t>{2});
}

TEST(NodeWorkload, RemovingAVfFreesRoomForTheQueuedHead) {
  NodeWorkload node(kNode);
  EXPECT_TRUE(node.admit_vf(vf_key(FunctionRef{ChainId(3), 1}), Resources{50, 100}, 0));
  node.submit_job(job(1, 60, 100, 10), 1);
  EXPECT_EQ(node.queued(), 1u);
  EXPECT_FALSE(node.remove_vf(12345, 2));
  EXPECT_TRUE(node.remove_vf(vf_key(FunctionRef{ChainId(3), 1}), 4));
  EXPECT_EQ(node.queued(), 0u);
  EXPECT_EQ(node.next_event_time(), 14);  // started at the removal
}

TEST(NodeWorkload, TimeNeverGoesBack) {
  NodeWorkload node(kNode);
  node.advance_to(10);
  EXPECT_EQ(node.now(), 10);
  EXPECT_THROW(node.advance_to(9), std::invalid_argument);
  EXPECT_THROW(node.submit_job(job(1, 1, 1, 1), 5), std::invalid_argument);
  EXPECT_THROW(node.admit_vf(1, Resources{1, 1}, 5), std::invalid_argument);
  EXPECT_THROW(node.remove_vf(1, 5), std::invalid_argument);
  EXPECT_THROW(node.advance_to(NAN), std::invalid_argument);
  node.advance_to(10);  // the same time is fine
}

TEST(NodeWorkload, ClearDropsEverything) {
  NodeWorkload node(kNode);
  node.submit_job(job(1, 90, 100, 10), 0);
  node.submit_job(job(2, 90, 100, 10), 0);
  node.admit_vf(1, Resources{5, 5}, 0);
  node.clear(3);
  EXPECT_EQ(node.running() + node.queued() + node.vfs(), 0u);
  EXPECT_EQ(node.used(), (Resources{0, 0}));
}

TEST(NodeWorkload, OvercommitAdmitsCpuBeyondTheSpeedButNotRam) {
  NodeWorkload node(kNode, 2.0);
  EXPECT_EQ(node.admission_capacity(), (Resources{200, 1000}));
  node.submit_job(job(1, 90, 400, 10), 0);
  node.submit_job(job(2, 90, 400, 10), 0);
  EXPECT_EQ(node.running(), 2u);
  node.submit_job(job(3, 10, 400, 10), 0);  // CPU 190 fits, RAM 1200 does not
  EXPECT_EQ(node.queued(), 1u);
  EXPECT_THROW(NodeWorkload(kNode, 0), std::invalid_argument);
  EXPECT_THROW(NodeWorkload(Resources{0, 1}), std::invalid_argument);
}

TEST(NodeWorkload, AloneAVfRunsAtTheFullSpeed) {
  NodeWorkload node(kNode);
  node.admit_vf(1, Resources{10, 10}, 0);
  EXPECT_DOUBLE_EQ(node.time_per_frame(1, 20), 0.2);  // 20 / 100
  EXPECT_EQ(node.time_per_frame(1, 0), 0);
}

TEST(NodeWorkload, EveryCoLocatedJobSlowsTheVf) {
  NodeWorkload node(kNode);
  node.admit_vf(1, Resources{20, 10}, 0);
  node.submit_job(job(1, 10, 10, 100), 0);
  // Others {10}: share 50 >= 10, so the job takes 10 and the VF 90.
  EXPECT_DOUBLE_EQ(node.time_per_frame(1, 20), 20.0 / 90);
  node.submit_job(job(2, 50, 10, 100), 0);
  // Others {10, 50}: 10 < 100/3 is capped; 50 > 90/2, so the VF and job 2 split 90: 45 each.
  EXPECT_DOUBLE_EQ(node.time_per_frame(1, 20), 20.0 / 45);
  // Another VF counts at its demand; a VF not hosted here competes with every tenant.
  node.admit_vf(2, Resources{5, 10}, 0);
  // Others of VF 1 {5, 10, 50}: 5 and 10 capped, 85 left for two: 42.5.
  EXPECT_DOUBLE_EQ(node.time_per_frame(1, 20), 20.0 / 42.5);
  // Others of an outsider {5, 10, 20, 50}: 5, 10, 20 capped (20 <= 85/3), 65 left for two: 32.5.
  EXPECT_DOUBLE_EQ(node.time_per_frame(99, 20), 20.0 / 32.5);
}

TEST(NodeWorkload, OverloadedWhenTheTimePerFrameExceedsOneOverFps) {
  // Overcommitted node: the VF (demand 10 = 10 ipf x 1 fps) and 11 jobs of 20: all share equally, 100/12.
  NodeWorkload node(kNode, 4.0);
  node.admit_vf(1, Resources{10, 1}, 0);
  for (std::uint64_t i = 0; i < 11; ++i) node.submit_job(job(i, 20, 1, 100), 0);
  EXPECT_DOUBLE_EQ(node.time_per_frame(1, 10), 10.0 / (100.0 / 12));  // 1.2 s
  EXPECT_TRUE(node.overloaded(1, 10, 1.0));
  EXPECT_FALSE(node.overloaded(1, 10, 0.8));  // budget 1.25 s
  node.advance_to(100);                       // the jobs end
  EXPECT_DOUBLE_EQ(node.time_per_frame(1, 10), 0.1);
  EXPECT_FALSE(node.overloaded(1, 10, 1.0));
}

TEST(NodeWorkload, WithoutOvercommitAnAdmittedVfNeverOverloads) {
  NodeWorkload node(kNode);
  node.admit_vf(1, Resources{10, 1}, 0);  // 10 ipf at 1 fps
  for (std::uint64_t i = 0; i < 20; ++i) node.submit_job(job(i, 7, 1, 100), 0);
  EXPECT_EQ(node.running(), 12u);  // 10 + 12 x 7 = 94; the 13th would make 101
  EXPECT_LE(node.time_per_frame(1, 10), 1.0);
  EXPECT_FALSE(node.overloaded(1, 10, 1.0));
}

TEST(NodeWorkload, UtilisationIsDemandOverCapacityWithCpuCappedAt100) {
  NodeWorkload node(kNode, 2.0);
  EXPECT_EQ(node.utilisation_pct(), (std::pair<double, double>{0, 0}));
  node.submit_job(job(1, 40, 250, 10), 0);
  node.admit_vf(1, Resources{20, 50}, 0);
  auto [cpu, ram] = node.utilisation_pct();
  EXPECT_DOUBLE_EQ(cpu, 60);
  EXPECT_DOUBLE_EQ(ram, 30);
  node.submit_job(job(2, 90, 100, 10), 0);  // demand 150 on a speed of 100
  EXPECT_DOUBLE_EQ(node.utilisation_pct().first, 100);
  EXPECT_DOUBLE_EQ(node.utilisation_pct().second, 40);
}

}  // namespace
}  // namespace vfo::sim
