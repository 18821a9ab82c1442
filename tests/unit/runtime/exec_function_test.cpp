// Where an exec VF's cgroups are made (from the texts of /proc/self/mountinfo and /proc/self/cgroup), how its
// program is found, and what an agent starts for it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/scratch.hpp"
#include "vfo/runtime/exec_function.hpp"
#include "vfo/runtime/function_cgroup.hpp"

namespace vfo::runtime {
namespace {

TEST(FunctionCgroup, FindsTheProcesssFoldersInEitherHierarchy) {
  const std::string v1_mounts =
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
      "34 30 0:31 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";
  const CgroupPlaces v1 = cgroup_places(v1_mounts, "4:memory:/docker/abc/agent\n2:cpu,cpuacct:/user/7\n0::/\n");
  ASSERT_TRUE(v1.cpu && v1.memory);
  EXPECT_EQ(*v1.cpu, "/sys/fs/cgroup/cpu,cpuacct/user/7");
  EXPECT_EQ(*v1.memory, "/sys/fs/cgroup/memory/agent");  // mounted from the container's own cgroup
  EXPECT_FALSE(v1.unified);

  const CgroupPlaces v2 =
      cgroup_places("25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/system.slice/vfo-agent.service\n");
  ASSERT_TRUE(v2.unified);
  EXPECT_EQ(*v2.unified, "/sys/fs/cgroup/system.slice/vfo-agent.service");
  EXPECT_FALSE(v2.cpu || v2.memory);
  EXPECT_FALSE(cgroup_places("", "").unified);
}

TEST(FunctionCgroup, WithoutAHierarchyItSaysSoAndMakesNothing) {
  try {
    FunctionCgroup::create(CgroupPlaces{}, "vfo-node-1/c1_1", 1, 0);
    FAIL() << "made a cgroup with nowhere to make it";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no cgroup hierarchy"), std::string::npos) << e.what();
  }
}

TEST(ExecFunction, FindsProgramsOnPathOrInTheExecRoot) {
  const auto root = test::fresh_dir("exec-root");
  std::filesystem::create_directories(root / "bin");
  const auto program = root / "bin" / "vf";
  std::ofstream(program) << "#!/bin/sh\n";
  std::filesystem::permissions(program, std::filesystem::perms::owner_all);
  std::ofstream(root / "bin" / "data") << "not a program\n";
  EXPECT_EQ(find_program("bin/vf", root, ""), program);
  EXPECT_EQ(find_program(program.string(), "/", ""), program);
  EXPECT_EQ(find_program("vf", "/", "/nowhere:" + (root / "bin").string()), program);
  EXPECT_FALSE(find_program("bin/data", root, ""));
  EXPECT_FALSE(find_program("vf", root, "/nowhere"));
  EXPECT_FALSE(find_program("", root, "/usr/bin"));
}

TEST(ExecFunction, PreparesTheProgramItsEnvironmentAndRefusesWhatCannotRun) {
  const auto root = test::fresh_dir("exec-prepare");
  const FunctionSpec spec{.kind = "exec",
                          .fps = 12.5,
                          .command = {"sh", "-c", "exit 0"},
                          .env = {{"MODE", "fast"}, {"VFO_ROLE", "sink"}, {"PYTHONPATH", "/mine"}},
                          .role = "compute"};
  const ExecLaunch launch = prepare_exec(spec, {"node-1", root, "/sdk/python", "10.0.0.2"}, "c1/1", true, false);
  EXPECT_EQ(std::filesystem::path(launch.program).filename(), "sh");
  EXPECT_EQ(launch.args, (std::vector<std::string>{"-c", "exit 0"}));
  EXPECT_EQ(launch.setup.cwd, root);
  const auto& env = launch.setup.env;
  const auto has = [&](const std::string& entry) { return std::find(env.begin(), env.end(), entry) != env.end(); };
  EXPECT_TRUE(has("MODE=fast"));
  EXPECT_TRUE(has("VFO_ROLE=compute")) << "the agent's role wins over the manifest's";
  EXPECT_FALSE(has("VFO_ROLE=sink"));
  EXPECT_TRUE(has("VFO_FPS=12.5"));
  EXPECT_TRUE(has("VFO_BIND=10.0.0.2"));
  EXPECT_TRUE(has("VFO_INCOMING=1"));
  EXPECT_TRUE(has("VFO_KEYS_FROM_STDIN=0"));
  ASSERT_FALSE(env.empty());
  EXPECT_EQ(std::count_if(env.begin(), env.end(), [](const std::string& e) { return e.rfind("PYTHONPATH=", 0) == 0; }),
            1);
  EXPECT_TRUE(std::any_of(env.begin(), env.end(),
                          [](const std::string& e) { return e.rfind("PYTHONPATH=/sdk/python:/mine", 0) == 0; }));
  EXPECT_TRUE(launch.setup.cgroups.empty());
  EXPECT_FALSE(launch.cgroup);

  EXPECT_THROW(prepare_exec(spec, {"node-1", "", "", "127.0.0.1"}, "c1/1", false, false), std::runtime_error);
  FunctionSpec no_role = spec;
  no_role.role = "";
  EXPECT_THROW(prepare_exec(no_role, {"node-1", root, "", "127.0.0.1"}, "c1/1", false, false), std::invalid_argument);
  FunctionSpec missing = spec;
  missing.command = {"./absent"};
  try {
    prepare_exec(missing, {"node-1", root, "", "127.0.0.1"}, "c1/1", false, false);
    FAIL() << "prepared a program that is not there";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "spec.command: './absent' is not an executable file in " + root.string() + " nor on PATH (node node-1)");
  }
}

}  // namespace
}  // namespace vfo::runtime
