#pragma once
// Checks shared by the runtime's tests: waiting with a generous deadline (never asserting a duration) and
// what a sink must have seen.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "vfo/runtime/builtin_functions.hpp"

namespace vfo::runtime::testing {

// Polls `done` until it holds or `deadline` has passed; returns whether it held.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds deadline = std::chrono::milliseconds(30'000)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// Every seq from 1 to the last, once each, in order, with the payload the source made for it.
inline void expect_each_seq_once(const SinkStats& stats) {
  ASSERT_FALSE(stats.seqs.empty());
  for (std::size_t i = 0; i < stats.seqs.size(); ++i) {
    ASSERT_EQ(stats.seqs[i], i + 1) << "at position " << i << " of " << stats.seqs.size();
  }
  EXPECT_EQ(stats.bad_payloads, 0u);
}

}  // namespace vfo::runtime::testing
