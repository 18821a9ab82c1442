#include "vfo/forecast/alarm_outcomes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace vfo {
namespace {

TEST(AlarmOutcomes, AnOverloadWithinTheHorizonConfirmsTheAlarmsBeforeIt) {
  AlarmOutcomes o(2);
  o.round({0.9, 0.1}, {false, false}, 0.5);  // round 0: node 0 alarms
  o.round({0.8, 0.1}, {false, false}, 0.5);  // round 1: again
  o.round({0.1, 0.1}, {true, false}, 0.5);   // round 2: node 0 overloads, within both alarms' horizons
  EXPECT_EQ(o.alarms(), 2u);
  EXPECT_EQ(o.confirmed(), 2u);
  EXPECT_EQ(o.unconfirmed(), 0u);
}

TEST(AlarmOutcomes, AnAlarmWhoseHorizonPassesQuietlyIsUnconfirmedAndAnOverloadOfAnotherNodeDoesNotCount) {
  AlarmOutcomes o(2);
  o.round({0.9, 0.1}, {false, false}, 0.5);  // round 0
  o.round({0.1, 0.1}, {false, true}, 0.5);   // node 1 overloads: not node 0's
  o.round({0.1, 0.1}, {false, false}, 0.5);  // round 2: still within the horizon
  EXPECT_EQ(o.unconfirmed(), 0u);
  o.round({0.1, 0.1}, {true, false}, 0.5);  // round 3: too late
  EXPECT_EQ(o.unconfirmed(), 1u);
  EXPECT_EQ(o.confirmed(), 0u);
  o.round({0.5, 0.1}, {false, false}, 0.5);  // p_fail == K alarms; still pending at the end: neither
  EXPECT_EQ(o.alarms(), 2u);
  EXPECT_EQ(o.confirmed() + o.unconfirmed(), 1u);
}

TEST(AlarmOutcomes, RefusesAHorizonBelowOneAndSizesThatDiffer) {
  EXPECT_THROW(AlarmOutcomes(0), std::invalid_argument);
  AlarmOutcomes o(1);
  EXPECT_THROW(o.round({0.1}, {false, true}, 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace vfo
