// Exec VFs (the users' programs on the VF SDK) on real agents: what an agent refuses and how it says why, the
// cgroup that carries a VF's limits, a VF killed for passing its memory limit, and a C++ and a Python VF carrying
// a chain's frames with the built-in sink checking each.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "local_agents.hpp"
#include "runtime/chain_checks.hpp"
#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/certificates.hpp"
#include "vfo/runtime/function_cgroup.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;
using testing::eventually;

class ExecVf : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = test::fresh_dir("exec-certs");
    write_cluster_certificates(certs_, {"orchestrator", "node-1", "node-2", "node-3"});
    identity_ = Identity::from_dir(certs_, "orchestrator");
  }
  // An agent that runs exec VFs in the source folder (where tests/sdk/test_vf.py is).
  Agent exec_agent(const std::string& name) { return start_agent(certs_, name, {"--exec-root", VFO_SOURCE_DIR}); }
  static FunctionSpec test_vf(const std::string& role, const std::string& mode = "") {
    FunctionSpec spec{.kind = "exec", .fps = 30, .command = {VFO_TEST_VF_BINARY}, .role = role};
    if (!mode.empty()) spec.env["TEST_VF_MODE"] = mode;
    return spec;
  }
  std::filesystem::path certs_;
  Identity identity_;
};

TEST_F(ExecVf, RefusalsSayWhyAndLeaveNothingRunning) {
  Agent plain = start_agent(certs_, "node-1");
  AgentClient refusing(plain.address, identity_, 15s, "node-1");
  std::string error;
  EXPECT_FALSE(refusing.start_function("c/0", test_vf("source"), &error));
  EXPECT_EQ(error.rfind("FAILED_PRECONDITION: kind exec: node node-1 runs no exec VF", 0), 0u) << error;

  Agent agent = exec_agent("node-2");
  AgentClient client(agent.address, identity_, 15s, "node-2");
  FunctionSpec missing = test_vf("source");
  missing.command = {"no-such-vf-program"};
  EXPECT_FALSE(client.start_function("c/0", missing, &error));
  EXPECT_EQ(error.rfind("FAILED_PRECONDITION: spec.command: 'no-such-vf-program' is not an executable file", 0), 0u)
      << error;
  EXPECT_FALSE(client.start_function("c/0", test_vf("middle"), &error));
  EXPECT_EQ(error, "INVALID_ARGUMENT: spec.role: 'middle' (expected source, compute or sink)");
  EXPECT_FALSE(client.start_function("c/0", test_vf("source", "exit-at-start"), &error));
  EXPECT_EQ(error.rfind("FAILED_PRECONDITION: the exec VF '" + std::string(VFO_TEST_VF_BINARY) +
                            "' did not start: it ended before its ready line (exit 3); its log: ",
                        0),
            0u)
      << error;
  EXPECT_FALSE(client.start_function("c/0", test_vf("source", "silent"), &error));
  EXPECT_NE(error.find("did not start: no ready line within 10 s (killed by signal 9)"), std::string::npos) << error;
  // Nothing was left running, and the agent answers as before.
  EXPECT_TRUE(children_of(agent.process->pid()).empty());
  const auto probe = client.probe(&error);
  ASSERT_TRUE(probe) << error;
  EXPECT_TRUE(probe->functions.empty());
}

TEST_F(ExecVf, ACxxAndAPythonVfCarryEveryFrameOnceToTheBuiltInSink) {
  Agent a = exec_agent("node-1"), b = exec_agent("node-2"), c = exec_agent("node-3");
  AgentClient source_agent(a.address, identity_, 15s), compute_agent(b.address, identity_, 15s),
      sink_agent(c.address, identity_, 15s);
  FunctionSpec python = test_vf("compute");
  python.command = {"/usr/bin/python3", "tests/sdk/test_vf.py"};
  std::string error;
  const auto s = source_agent.start_function("s", test_vf("source"), &error);
  ASSERT_TRUE(s) << error;
  const auto m = compute_agent.start_function("m", python, &error);
  ASSERT_TRUE(m) << error;
  const auto k = sink_agent.start_function("k", FunctionSpec{.kind = "sink", .fps = 30}, &error);
  ASSERT_TRUE(k) << error;
  ASSERT_TRUE(source_agent.rewire("s", 1, m->data, "", &error)) << error;
  ASSERT_TRUE(compute_agent.rewire("m", 1, k->data, s->ack, &error)) << error;
  ASSERT_TRUE(sink_agent.rewire("k", 1, "", m->ack, &error)) << error;
  Json sink;
  ASSERT_TRUE(eventually([&] {
    sink = Json::parse(sink_agent.function_stats("k").value_or("{}"));
    return sink.value("frames", 0) >= 60;
  })) << sink.dump();
  EXPECT_EQ(sink.value("first_seq", 0), 1);
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 1ull)) << sink.dump();
  EXPECT_EQ(sink.value("seq_repeats", 1), 0);
  EXPECT_EQ(sink.value("seq_missing", 1), 0);
  EXPECT_EQ(sink.value("bad_payloads", 1), 0) << "the SDK's VFs sent the payloads on unchanged";
  const Json compute = Json::parse(compute_agent.function_stats("m").value_or("{}"));
  EXPECT_GE(compute.value("accepted", 0), 60) << compute.dump();
  // What the Python VF printed went to its log, not into the agent's pipe.
  EXPECT_TRUE(compute_agent.stop_function("m", &error)) << error;
}

TEST_F(ExecVf, LimitsAreACgroupOfTheVfsOwnAndPassingTheMemoryLimitKillsIt) {
  if (geteuid() != 0) GTEST_SKIP() << "cgroups need root here";
  const CgroupPlaces places = own_cgroup_places();
  if (!places.unified && !(places.cpu && places.memory)) GTEST_SKIP() << "no cgroup hierarchy with cpu and memory";
  Agent agent = exec_agent("node-1");
  AgentClient client(agent.address, identity_, 15s, "node-1");
  FunctionSpec limited = test_vf("sink");
  limited.cpus = 0.5;
  limited.memory_bytes = 64u << 20;
  std::string error;
  ASSERT_TRUE(client.start_function("c1/2", limited, &error)) << error;
  const std::vector<pid_t> children = children_of(agent.process->pid());
  ASSERT_EQ(children.size(), 1u);
  const std::string procs = test::slurp("/proc/" + std::to_string(children[0]) + "/cgroup");
  EXPECT_NE(procs.find("vfo-node-1/c1_2"), std::string::npos) << procs;
  std::filesystem::path cpu_folder, memory_folder;
  if (places.cpu) {
    cpu_folder = *places.cpu / "vfo-node-1" / "c1_2";
    memory_folder = *places.memory / "vfo-node-1" / "c1_2";
    EXPECT_EQ(test::slurp(cpu_folder / "cpu.cfs_quota_us"), "50000\n");
    EXPECT_EQ(test::slurp(memory_folder / "memory.limit_in_bytes"), std::to_string(64u << 20) + "\n");
  } else {
    cpu_folder = memory_folder = *places.unified / "vfo-node-1" / "c1_2";
    EXPECT_EQ(test::slurp(cpu_folder / "cpu.max"), "50000 100000\n");
    EXPECT_EQ(test::slurp(memory_folder / "memory.max"), std::to_string(64u << 20) + "\n");
  }
  ASSERT_TRUE(client.stop_function("c1/2", &error)) << error;
  EXPECT_TRUE(eventually([&] {
    return !std::filesystem::exists(cpu_folder) && !std::filesystem::exists(memory_folder);
  })) << "the VF's cgroup outlived it";

  // 256 MB touched under a 64 MB limit: the kernel kills it, and the next probe says so.
  FunctionSpec greedy = test_vf("sink", "alloc-mb=256");
  greedy.memory_bytes = 64u << 20;
  const auto started = client.start_function("c1/3", greedy, &error);
  if (started) {  // killed after its ready line, or before it (then the start says it did not start)
    std::vector<std::string> exited;
    EXPECT_TRUE(eventually([&] {
      const auto probe = client.probe();
      if (probe) exited.insert(exited.end(), probe->exited.begin(), probe->exited.end());
      return !exited.empty();
    }));
    ASSERT_EQ(exited.size(), 1u);
    EXPECT_EQ(exited[0], "c1/3: killed by signal 9");
  } else {
    EXPECT_NE(error.find("(killed by signal 9)"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace vfo::runtime
