#include "vfo/runtime/agent_port.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

namespace vfo::runtime {
namespace {

TEST(FreeAgentAddress, IsAPortBelowTheEphemeralRangeOfTheGivenHost) {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  range >> low;
  for (int i = 0; i < 20; ++i) {
    const std::string address = free_agent_address("127.0.0.1");
    ASSERT_EQ(address.rfind("127.0.0.1:", 0), 0u) << address;
    const int port = std::stoi(address.substr(10));
    EXPECT_GE(port, 10000) << address;
    EXPECT_LT(port, low) << address;
  }
  EXPECT_THROW(free_agent_address("not-an-address"), std::runtime_error);
}

}  // namespace
}  // namespace vfo::runtime
