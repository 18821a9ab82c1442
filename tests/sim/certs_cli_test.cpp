// `vfo certs`: the cluster's certificates, as `vfo up` makes them.
#include <gtest/gtest.h>

#include <filesystem>

#include "vfo_process.hpp"

namespace {

TEST(CertsCli, WritesACaAndAKeyPairPerMember) {
  const auto dir = vfo::test::fresh_dir("certs-cli");
  const auto o = vfo::test::run_vfo("certs " + dir.string() + " --nodes 2");
  ASSERT_EQ(o.exit_code, 0) << o.all();
  for (const char* f : {"ca.pem", "ca.key", "orchestrator.pem", "orchestrator.key", "node-1.pem", "node-2.key"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "node-3.pem"));
  // No node: the CA and the orchestrator, for nodes issued one by one (--issue).
  const auto none = vfo::test::fresh_dir("certs-cli-none");
  ASSERT_EQ(vfo::test::run_vfo("certs " + none.string() + " --nodes 0").exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(none / "orchestrator.pem"));
  EXPECT_FALSE(std::filesystem::exists(none / "node-1.pem"));
  const auto bad = vfo::test::run_vfo("certs " + dir.string() + " --nodes 1001");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(bad.err), 1) << bad.err;
}

}  // namespace
