// A loaded host for the length of a scope: one thread per core spinning at normal priority, as stress-ng's cpu
// stressor does, so that a test's agents, VFs and orchestrator share the machine with work that never waits.
#pragma once

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace vfo::test {

class BusyCpus {
 public:
  explicit BusyCpus(unsigned threads = std::thread::hardware_concurrency()) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) {
      threads_.emplace_back([this] {
        volatile unsigned long spin = 0;
        while (!stop_.load(std::memory_order_relaxed)) spin = spin + 1;
      });
    }
  }
  BusyCpus(const BusyCpus&) = delete;
  BusyCpus& operator=(const BusyCpus&) = delete;
  ~BusyCpus() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace vfo::test
