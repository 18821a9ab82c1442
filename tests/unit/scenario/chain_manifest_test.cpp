#include "vfo/scenario/chain_manifest.hpp"

#include <gtest/gtest.h>

#include "support/input_error.hpp"
#include "vfo/model/units.hpp"

namespace vfo {
namespace {

using test::input_error_of;

std::string error_of(const std::string& text) {
  return input_error_of([&] { parse_chain_manifest(text, "m.yaml"); });
}

TEST(ChainManifest, ReadsTheDemoChain) {
  const ChainManifest m = load_chain_manifest(std::string(VFO_SOURCE_DIR) + "/scenarios/chains/pedestrian.yaml");
  EXPECT_EQ(m.name, "pedestrian-detection");
  EXPECT_EQ(m.fps, 15);
  ASSERT_EQ(m.functions.size(), 4u);
  EXPECT_EQ(m.functions[0].kind, "source");
  EXPECT_EQ(m.functions[0].payload_bytes, 50000u);
  EXPECT_EQ(m.functions[1].name, "detect");
  EXPECT_EQ(m.functions[1].instructions, 2'000'000u);
  EXPECT_EQ(m.functions[3].kind, "sink");
  const Chain chain = manifest_chain(m, ChainId(7));
  EXPECT_EQ(chain.id, ChainId(7));
  EXPECT_EQ(chain.fps, 15);
  ASSERT_EQ(chain.functions.size(), 4u);
  EXPECT_EQ(chain.functions[1].load_ipf, 2e6);
  EXPECT_EQ(chain.functions[0].load_ipf, 1);
  EXPECT_EQ(chain.functions[1].output_bytes_per_frame, 50000);
  EXPECT_EQ(chain.functions[3].output_bytes_per_frame, 0);
  EXPECT_EQ(chain.functions[1].ram_bytes, units::megabytes(128));
}

TEST(ChainManifest, NamesDefaultToTheirPosition) {
  const ChainManifest m = parse_chain_manifest("name: c\nfunctions:\n  - {kind: source}\n  - {kind: sink}\n", "m");
  EXPECT_EQ(m.functions[0].name, "vf0");
  EXPECT_EQ(m.functions[1].name, "vf1");
  EXPECT_EQ(m.fps, 15);
}

TEST(ChainManifest, BadManifestsGetOneLineWithFileAndLine) {
  EXPECT_EQ(error_of("fps: 15\nfunctions:\n  - {kind: source}\n  - {kind: sink}\n"),
            "m.yaml:1: name: missing (expected name: a plain name such as pedestrian-detection)");
  EXPECT_EQ(error_of("name: a b\nfunctions:\n  - {kind: source}\n  - {kind: sink}\n"),
            "m.yaml:1: name: 'a b' is not a plain name (expected letters, digits, '-' and '_')");
  EXPECT_EQ(error_of("name: c\n"),
            "m.yaml:1: functions: missing (expected a list of functions {name, kind, ...}: a source first, a sink "
            "last, compute between)");
  EXPECT_EQ(error_of("name: c\nfunctions:\n  - {kind: compute}\n  - {kind: sink}\n"),
            "m.yaml:3: functions[0].kind: compute at position 0 of 2 (expected a source first, a sink last, compute "
            "between (exec anywhere))");
  EXPECT_EQ(error_of("name: c\nfunctions:\n  - {kind: source}\n  - {kind: shell}\n"),
            "m.yaml:4: functions[1].kind: 'shell' is not a valid choice (expected one of source, compute, sink, exec)");
  EXPECT_EQ(error_of("name: c\nfunctions:\n  - {kind: source, name: x}\n  - {kind: sink, name: x}\n"),
            "m.yaml:4: functions[1].name: 'x' is given twice (first at line 3) (expected distinct function names)");
  EXPECT_EQ(error_of("name: c\nfunctions:\n  - {kind: source}\n"),
            "m.yaml:2: functions: one function (expected at least a source and a sink)");
  EXPECT_EQ(error_of("name: c\nfps: 0\nfunctions:\n  - {kind: source}\n  - {kind: sink}\n").substr(0, 17),
            "m.yaml:2: fps: 0 ");
  EXPECT_EQ(error_of("name: c\nfunctions:\n  - {kind: source, colour: red}\n  - {kind: sink}\n").substr(0, 45),
            "m.yaml:3: functions[0].colour: unknown key (e");
  EXPECT_EQ(error_of("name: c\nfunctions: []\n"),
            "m.yaml:2: functions: an empty list, with no functions (expected a list of functions {name, kind, ...}: "
            "a source first, a sink last, compute between)");
  EXPECT_EQ(error_of("name: c\nfunctions:\n  - {name: x}\n  - {kind: sink}\n"),
            "m.yaml:3: functions[0].kind: missing (expected source, compute, sink or exec)");
}

TEST(ChainManifest, ExecFunctionsRunTheUsersProgramsAnywhereInTheChain) {
  const ChainManifest m = load_chain_manifest(std::string(VFO_SOURCE_DIR) + "/examples/pedestrian/chain.yaml");
  ASSERT_EQ(m.functions.size(), 3u);
  EXPECT_EQ(m.functions[0].kind, "exec");
  EXPECT_EQ(m.functions[1].command, (std::vector<std::string>{"/usr/bin/python3", "examples/pedestrian/detect.py"}));
  EXPECT_EQ(m.functions[0].env, (std::map<std::string, std::string>{{"CAMERA_INPUT", ""}}));
  EXPECT_EQ(chain_role(0, 3), "source");
  EXPECT_EQ(chain_role(1, 3), "compute");
  EXPECT_EQ(chain_role(2, 3), "sink");
  const Chain chain = manifest_chain(m, ChainId(1));  // an exec VF is placed by its place in the chain
  EXPECT_EQ(chain.functions[1].load_ipf, 5e7);
  EXPECT_EQ(chain.functions[0].load_ipf, 1);
  EXPECT_EQ(chain.functions[2].output_bytes_per_frame, 0);
  const ChainManifest limited = parse_chain_manifest(
      "name: c\nfunctions:\n  - {kind: source}\n  - {kind: exec, command: [./vf], cpus: 0.5, memory_mb: 64}\n"
      "  - {kind: sink}\n",
      "m.yaml");
  EXPECT_EQ(limited.functions[1].cpus, 0.5);
  EXPECT_EQ(limited.functions[1].memory_mb, 64);
}

TEST(ChainManifest, BadExecFunctionsGetOneLineWithFileAndLine) {
  const auto exec = [](const std::string& fields) {
    return error_of("name: c\nfunctions:\n  - {kind: source}\n  - {kind: exec" + fields + "}\n  - {kind: sink}\n");
  };
  EXPECT_EQ(exec(""), "m.yaml:4: functions[1].command: missing (expected a command for kind exec, and only for it)");
  EXPECT_EQ(exec(", command: []"),
            "m.yaml:4: functions[1].command: an empty list (expected a list of strings: the program and its "
            "arguments, e.g. [python3, detect.py])");
  EXPECT_EQ(exec(", command: python3").substr(0, 61), "m.yaml:4: functions[1].command: 'python3' is not a list (expe");
  EXPECT_EQ(exec(", command: [a, [b]]").substr(0, 62),
            "m.yaml:4: functions[1].command: item 1 is a list, not a string");
  EXPECT_EQ(exec(", command: [a], env: {1X: y}").substr(0, 55),
            "m.yaml:4: functions[1].env: '1X' is not a variable name");
  EXPECT_EQ(exec(", command: [a], env: [x]").substr(0, 47), "m.yaml:4: functions[1].env: a list is not a map");
  EXPECT_EQ(exec(", command: [a], cpus: 0").substr(0, 27), "m.yaml:4: functions[1].cpus");
  EXPECT_EQ(exec(", command: [a], memory_mb: -1").substr(0, 32), "m.yaml:4: functions[1].memory_mb");
  EXPECT_EQ(error_of("name: c\nfunctions:\n  - {kind: source, command: [a]}\n  - {kind: sink}\n"),
            "m.yaml:3: functions[0].command: given for a source (expected a command for kind exec, and only for it)");
  EXPECT_EQ(error_of("name: c\nfunctions:\n  - {kind: source, cpus: 1}\n  - {kind: sink}\n"),
            "m.yaml:3: functions[0]: env, cpus or memory_mb given for a source (expected env, cpus and memory_mb for "
            "kind exec only)");
}

TEST(ChainManifest, ValuesNoVfCanRunWithAreRefusedWithTheirRange) {
  const auto with = [](const std::string& source, const std::string& compute) {
    return error_of("name: c\nfunctions:\n  - {kind: source" + source + "}\n  - {kind: compute" + compute +
                    "}\n  - {kind: sink}\n");
  };
  EXPECT_EQ(with(", payload_bytes: 18446744073709551615", ""),
            "m.yaml:3: functions[0].payload_bytes: 18446744073709551615 is out of range (expected an integer from 0 "
            "to 67108864)");
  EXPECT_EQ(with(", payload_bytes: 67108865", "").substr(0, 62),
            "m.yaml:3: functions[0].payload_bytes: 67108865 is out of range");
  EXPECT_EQ(with("", ", state_mb: 1.0e+9").rfind("m.yaml:4: functions[1].state_mb: 1.0e+9 ", 0), 0u);
  EXPECT_EQ(with("", ", instructions: 1000000000000").substr(0, 47), "m.yaml:4: functions[1].instructions: 1000000000");
  for (const char* field : {", dirty_mb_per_s: 1e5", ", ram_mb: 2e6", ", image_mb: 2e6", ", state_mb: -1"}) {
    EXPECT_EQ(with("", field).rfind("m.yaml:4: functions[1].", 0), 0u) << field;
  }
  // The limits themselves are accepted.
  EXPECT_NO_THROW(
      parse_chain_manifest("name: c\nfunctions:\n  - {kind: source, payload_bytes: 67108864}\n  - "
                           "{kind: compute, state_mb: 16384, instructions: 100000000000}\n  - {kind: "
                           "sink}\n",
                           "m.yaml"));
}

}  // namespace
}  // namespace vfo
