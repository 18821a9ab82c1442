#include "vfo/scenario/placement_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "support/input_error.hpp"
#include "support/scratch.hpp"
#include "vfo/model/units.hpp"
#include "vfo/placement/best_fit_placer.hpp"
#include "vfo/placement/exact_placer.hpp"
#include "vfo/placement/feasibility.hpp"
#include "vfo/scenario/generators.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

using ::testing::HasSubstr;

using test::input_error_of;

std::string parse_error(const std::string& text) {
  return input_error_of([&] { parse_placement_problem(text, "p.yaml"); });
}

// A valid file around the given nodes and chains sections.
const char* const kOneNode = "nodes:\n  - {id: 0}\n";
const char* const kOneChain = "chains:\n  - {id: 0, functions: [{load_ipf: 1}]}\n";

const char* const kExplicit = R"(# every key of the explicit form
seed: 3
model:
  max_functions_per_node: 0
  qos_time: false
  capacity: true
  bandwidth: true
  spread_chain: true
  replication: true
  max_replicas: 4
nodes:
  - id: 7
    speed_ips: 2.0e+5
    ram_mb: 1024
    cpu_capacity_ips: 1.5e+5
    used_cpu_ips: 1000
    used_ram_mb: 10
    functions: 2
    link_mbps: 80
    latency_ms: 2
    avoid: true
  - {id: 3}
chains:
  - id: 5
    fps: 25
    functions:
      - {load_ipf: 2.0e+4, ram_mb: 32, output_bytes: 5000, pinned: 7}
      - {}
  - {id: 0, functions: [{load_ipf: 10}]}
)";

TEST(PlacementFile, ExplicitFileParses) {
  const PlacementProblem p = parse_placement_problem(kExplicit, "p.yaml");
  EXPECT_EQ(p.model.max_functions_per_node, 0);
  EXPECT_FALSE(p.model.qos_time);
  EXPECT_TRUE(p.model.capacity);
  EXPECT_TRUE(p.model.bandwidth);
  EXPECT_TRUE(p.model.spread_chain);
  EXPECT_TRUE(p.model.replication);
  EXPECT_EQ(p.model.max_replicas, 4);

  ASSERT_EQ(p.nodes.size(), 2u);
  const PlacementNode& a = p.nodes[0];
  EXPECT_EQ(a.id, NodeId(7));
  EXPECT_EQ(a.speed_ips, 2e5);
  EXPECT_EQ(a.capacity.cpu_ips, 1.5e5);
  EXPECT_EQ(a.capacity.ram_bytes, 1024e6);
  EXPECT_EQ(a.used.cpu_ips, 1000);
  EXPECT_EQ(a.used.ram_bytes, 10e6);
  EXPECT_EQ(a.functions, 2);
  EXPECT_EQ(a.link_free_bps, units::mbps_to_bytes_per_second(80));
  EXPECT_DOUBLE_EQ(a.latency_s, 0.002);
  EXPECT_TRUE(a.avoid);
  // Defaults: Table 2's means; the CPU capacity is the speed.
  const PlacementNode& b = p.nodes[1];
  EXPECT_EQ(b.id, NodeId(3));
  EXPECT_EQ(b.speed_ips, 1e5);
  EXPECT_EQ(b.capacity.cpu_ips, 1e5);
  EXPECT_EQ(b.capacity.ram_bytes, 4096e6);
  EXPECT_EQ(b.used, Resources{});
  EXPECT_EQ(b.functions, 0);
  EXPECT_EQ(b.link_free_bps, units::mbps_to_bytes_per_second(98));
  EXPECT_DOUBLE_EQ(b.latency_s, 0.005);
  EXPECT_FALSE(b.avoid);

  ASSERT_EQ(p.chains.size(), 2u);
  const PlacementChain& c = p.chains[0];
  EXPECT_EQ(c.id, ChainId(5));
  EXPECT_EQ(c.fps, 25);
  ASSERT_EQ(c.functions.size(), 2u);
  EXPECT_EQ(c.functions[0].load_ipf, 2e4);
  EXPECT_EQ(c.functions[0].ram_bytes, 32e6);
  EXPECT_EQ(c.functions[0].output_bytes_per_frame, 5000);
  ASSERT_TRUE(c.functions[0].pinned.has_value());
  EXPECT_EQ(*c.functions[0].pinned, NodeId(7));
  // Defaults: Table 3's means, free.
  EXPECT_EQ(c.functions[1].load_ipf, 1e4);
  EXPECT_EQ(c.functions[1].ram_bytes, 64e6);
  EXPECT_EQ(c.functions[1].output_bytes_per_frame, 1e5);
  EXPECT_FALSE(c.functions[1].pinned.has_value());
  EXPECT_EQ(p.chains[1].id, ChainId(0));
  EXPECT_EQ(p.chains[1].fps, 1);
  EXPECT_EQ(p.chains[1].functions.size(), 1u);
}

TEST(PlacementFile, ModelDefaultsAreTheAuthorsModel) {
  const PlacementProblem p = parse_placement_problem(std::string(kOneNode) + kOneChain, "p.yaml");
  const PlacementModel d;
  EXPECT_EQ(p.model.max_functions_per_node, d.max_functions_per_node);
  EXPECT_EQ(p.model.qos_time, d.qos_time);
  EXPECT_EQ(p.model.capacity, d.capacity);
  EXPECT_EQ(p.model.bandwidth, d.bandwidth);
  EXPECT_EQ(p.model.spread_chain, d.spread_chain);
  EXPECT_EQ(p.model.replication, d.replication);
  EXPECT_EQ(p.model.max_replicas, d.max_replicas);
}

TEST(PlacementFile, GeneratedNodesAndChainsFollowTheSeededGenerators) {
  const std::string text =
      "seed: 11\n"
      "nodes: {count: 5, speed_ips: {mean: 2.0e+5, stddev: 10}, ram_mb: 2048, link_mbps: 50, latency_ms: 4}\n"
      "chains: {count: 3, functions: {mean: 4, stddev: 1}, load_ipf: 5000, output_bytes: 100, ram_mb: 16, fps: 2}\n";
  const PlacementProblem p = parse_placement_problem(text, "p.yaml");

  EnvironmentSpec environment;
  environment.nodes = 5;
  environment.node_speed_ips = {2e5, 10, 1};
  environment.node_ram_mb = {2048, 0, 1};
  environment.link_mbps = {50, 0, 1};
  environment.link_latency_ms = 4;
  Rng topology_rng(11, "topology");
  const Topology topology = generate_topology(environment, topology_rng);
  ASSERT_EQ(p.nodes.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(p.nodes[i].id, NodeId(static_cast<std::uint32_t>(i)));
    EXPECT_EQ(p.nodes[i].speed_ips, topology.nodes[i].capacity.cpu_ips);
    EXPECT_EQ(p.nodes[i].capacity, topology.nodes[i].capacity);
    EXPECT_EQ(p.nodes[i].used, Resources{});
    EXPECT_EQ(p.nodes[i].link_free_bps, units::mbps_to_bytes_per_second(50));
    EXPECT_DOUBLE_EQ(p.nodes[i].latency_s, 0.004);
    EXPECT_FALSE(p.nodes[i].avoid);
  }
  EXPECT_NE(p.nodes[0].speed_ips, p.nodes[1].speed_ips);

  ChainSpec spec;
  spec.functions = {4, 1, 1};
  spec.load_ipf = {5000, 0, 1};
  spec.output_bytes = {100, 0, 0};
  spec.ram_mb = {16, 0, 1};
  spec.fps = 2;
  Rng chains_rng(11, "chains");
  ASSERT_EQ(p.chains.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const Chain chain = generate_chain(ChainId(i), spec, chains_rng);
    EXPECT_EQ(p.chains[i].id, ChainId(i));
    EXPECT_EQ(p.chains[i].fps, 2);
    ASSERT_EQ(p.chains[i].functions.size(), chain.functions.size());
    for (std::size_t j = 0; j < chain.functions.size(); ++j) {
      EXPECT_EQ(p.chains[i].functions[j].load_ipf, 5000);
      EXPECT_EQ(p.chains[i].functions[j].ram_bytes, 16e6);
      EXPECT_EQ(p.chains[i].functions[j].output_bytes_per_frame, 100);
      EXPECT_FALSE(p.chains[i].functions[j].pinned.has_value());
    }
  }
}

TEST(PlacementFile, GeneratedDefaultsAreTables2And3AndTheSeedMatters) {
  const PlacementProblem a = parse_placement_problem("nodes: {}\nchains: {}\n", "p.yaml");
  EXPECT_EQ(a.nodes.size(), 100u);  // g
  EXPECT_EQ(a.chains.size(), 1u);
  EXPECT_NEAR(a.nodes[0].speed_ips, 1e5, 5e3);
  const PlacementProblem b = parse_placement_problem("nodes: {count: 3}\nchains: {count: 2}\n", "p.yaml");
  const PlacementProblem c = parse_placement_problem("seed: 1\nnodes: {count: 3}\nchains: {count: 2}\n", "p.yaml");
  const PlacementProblem d = parse_placement_problem("seed: 2\nnodes: {count: 3}\nchains: {count: 2}\n", "p.yaml");
  EXPECT_EQ(b.nodes[2].speed_ips, c.nodes[2].speed_ips);  // seed 1 by default
  EXPECT_EQ(b.chains[1].functions[0].load_ipf, c.chains[1].functions[0].load_ipf);
  EXPECT_NE(c.nodes[2].speed_ips, d.nodes[2].speed_ips);
}

TEST(PlacementFile, ExplicitChainsOnGeneratedNodesMayPinToThem) {
  const PlacementProblem p =
      parse_placement_problem("nodes: {count: 4}\nchains:\n  - {id: 1, functions: [{pinned: 3}, {}]}\n", "p.yaml");
  ASSERT_TRUE(p.chains[0].functions[0].pinned.has_value());
  EXPECT_EQ(*p.chains[0].functions[0].pinned, NodeId(3));
}

TEST(PlacementFile, ExampleFilesLoadAndSolve) {
  const std::string dir = std::string(VFO_SOURCE_DIR) + "/scenarios/place/";
  const PlacementProblem authors = load_placement_problem(dir + "authors.yaml");
  EXPECT_EQ(authors.nodes.size(), 6u);
  ASSERT_EQ(authors.chains.size(), 1u);
  EXPECT_EQ(authors.chains[0].functions.size(), 4u);
  EXPECT_TRUE(authors.model.replication);
  EXPECT_EQ(authors.model.max_functions_per_node, 1);

  const PlacementResult best_fit = BestFitPlacer().place(authors);
  ASSERT_TRUE(best_fit.has_placement()) << best_fit.reason;
  EXPECT_TRUE(check_placement(authors, best_fit.placed).is_ok());

  // The optimum: the four fastest nodes (1.5e5, 1.2e5, 1.1e5, 1e5), the heaviest VF on the fastest.
  const PlacementResult exact = ExactPlacer().place(authors);
  ASSERT_EQ(exact.status, PlacementStatus::optimal) << exact.reason;
  EXPECT_TRUE(check_placement(authors, exact.placed).is_ok());
  EXPECT_NEAR(exact.objective, 2.5e4 * 2.5e4 / 1.5e5 + 2e4 * 2e4 / 1.2e5 + 1.5e4 * 1.5e4 / 1.1e5 + 1e4 * 1e4 / 1e5,
              1e-6);

  const PlacementProblem generated = load_placement_problem(dir + "generated.yaml");
  EXPECT_EQ(generated.nodes.size(), 1000u);
  EXPECT_EQ(generated.chains.size(), 60u);
  EXPECT_TRUE(generated.model.capacity);
  EXPECT_GT(generated.model.max_functions_per_node, 1);
}

// --- errors -----------------------------------------------------------------------------------------------

TEST(PlacementFileErrors, MissingFile) {
  const std::string path = (test::scratch_dir() / "no_such_placement.yaml").string();
  EXPECT_EQ(input_error_of([&] { load_placement_problem(path); }),
            path + ": cannot read file (expected a readable YAML placement problem)");
}

TEST(PlacementFileErrors, LoadsAFileAndNamesItInErrors) {
  const std::filesystem::path path = test::write_file(
      "bad_placement.yaml", std::string(kOneNode) + "chains:\n  - {id: 0, functions: [{load_ipf: -1}]}\n");
  EXPECT_THAT(input_error_of([&] { load_placement_problem(path.string()); }),
              HasSubstr(path.string() +
                        ":4: chains[0].functions[0].load_ipf: -1 is out of range (expected a number in (0, 1e12])"));
}

TEST(PlacementFileErrors, InvalidYamlAndDocumentShape) {
  EXPECT_THAT(parse_error("nodes: [\n"), HasSubstr("p.yaml:1: invalid YAML"));
  EXPECT_THAT(parse_error("- a\n"), HasSubstr("p.yaml:1: the placement problem: a list is not a map (expected a map "
                                              "with keys seed, model, nodes, chains)"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + kOneChain + "---\nseed: 2\n"),
              HasSubstr("p.yaml:5: a second YAML document (expected one placement problem per file)"));
}

TEST(PlacementFileErrors, UnknownKeysWithSuggestions) {
  EXPECT_THAT(
      parse_error(std::string("node:\n  - {id: 0}\n") + kOneChain),
      HasSubstr("p.yaml:1: node: unknown key, did you mean nodes? (expected one of seed, model, nodes, chains)"));
  EXPECT_THAT(parse_error(std::string("nodes:\n  - {id: 0}\n  - {id: 1, sped_ips: 5}\n") + kOneChain),
              HasSubstr("p.yaml:3: nodes[1].sped_ips: unknown key, did you mean speed_ips? (expected one of id, "
                        "speed_ips, ram_mb, cpu_capacity_ips,"));
  EXPECT_THAT(parse_error(std::string("nodes: {count: 3, speed: 5}\n") + kOneChain),
              HasSubstr("p.yaml:1: nodes.speed: unknown key (expected one of count, speed_ips, ram_mb, link_mbps, "
                        "latency_ms)"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + "chains:\n  - id: 0\n    functions:\n      - {laod_ipf: 1}\n"),
              HasSubstr("p.yaml:6: chains[0].functions[0].laod_ipf: unknown key, did you mean load_ipf?"));
  EXPECT_THAT(parse_error(std::string("model: {capcity: true}\n") + kOneNode + kOneChain),
              HasSubstr("p.yaml:1: model.capcity: unknown key, did you mean capacity?"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + "chains: {count: 2, nodes: 3}\n"),
              HasSubstr("p.yaml:3: chains.nodes: unknown key (expected one of count, functions, load_ipf,"));
}

TEST(PlacementFileErrors, WrongTypes) {
  EXPECT_THAT(parse_error(std::string("nodes:\n  - {id: 0, speed_ips: fast}\n") + kOneChain),
              HasSubstr("p.yaml:2: nodes[0].speed_ips: 'fast' is not a number (expected a number in (0, 1e12])"));
  EXPECT_THAT(parse_error(std::string("model:\n  capacity: yes please\n") + kOneNode + kOneChain),
              HasSubstr("p.yaml:2: model.capacity: 'yes please' is not a boolean (expected true or false)"));
  EXPECT_THAT(parse_error(std::string("nodes:\n  - {id: zero}\n") + kOneChain),
              HasSubstr("p.yaml:2: nodes[0].id: 'zero' is not an integer"));
  EXPECT_THAT(parse_error(std::string("nodes: 5\n") + kOneChain),
              HasSubstr("p.yaml:1: nodes: '5' is not a list or a map (expected a non-empty list of nodes"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + "chains:\n"), HasSubstr("p.yaml:3: chains: has no value"));
  EXPECT_THAT(parse_error(std::string("nodes:\n  - 5\n") + kOneChain),
              HasSubstr("p.yaml:2: nodes[0]: '5' is not a map (expected a map with keys id, speed_ips,"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + "chains:\n  - {id: 0, functions: 3}\n"),
              HasSubstr("p.yaml:4: chains[0].functions: '3' is not a list (expected a non-empty list of functions"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + "chains: {count: 1, load_ipf: [1]}\n"),
              HasSubstr("p.yaml:3: chains.load_ipf: a list is not a number or a map"));
  EXPECT_THAT(parse_error(std::string("seed: -1\n") + kOneNode + kOneChain),
              HasSubstr("p.yaml:1: seed: -1 is out of range (expected a non-negative integer)"));
}

TEST(PlacementFileErrors, OutOfRange) {
  struct Case {
    std::string text;
    const char* message;
  };
  const std::string node = kOneNode;
  const std::string chain = kOneChain;
  const std::vector<Case> cases = {
      {"nodes:\n  - {id: 0, speed_ips: 0}\n" + chain,
       "p.yaml:2: nodes[0].speed_ips: 0 is out of range (expected a number in (0, 1e12])"},
      {"nodes:\n  - {id: -1}\n" + chain, "p.yaml:2: nodes[0].id: -1 is out of range (expected an integer >= 0)"},
      {"nodes:\n  - {id: 0, ram_mb: -1}\n" + chain, "p.yaml:2: nodes[0].ram_mb: -1 is out of range"},
      {"nodes:\n  - {id: 0, functions: -1}\n" + chain, "p.yaml:2: nodes[0].functions: -1 is out of range"},
      {"nodes:\n  - {id: 0, link_mbps: -1}\n" + chain, "p.yaml:2: nodes[0].link_mbps: -1 is out of range"},
      {"nodes: {count: 0}\n" + chain, "p.yaml:1: nodes.count: 0 is out of range (expected an integer >= 1"},
      {"nodes: {speed_ips: {mean: 1, stddev: -1}}\n" + chain,
       "p.yaml:1: nodes.speed_ips.stddev: -1 is out of range (expected a number in [0, 1e12])"},
      {node + "chains:\n  - {id: 0, fps: 0, functions: [{}]}\n",
       "p.yaml:4: chains[0].fps: 0 is out of range (expected a number in (0, 1000])"},
      {node + "chains:\n  - id: 0\n    functions:\n      - {}\n      - {output_bytes: -5}\n",
       "p.yaml:7: chains[0].functions[1].output_bytes: -5 is out of range"},
      {node + "chains: {count: 2, fps: -1}\n", "p.yaml:3: chains.fps: -1 is out of range"},
      {"model: {max_replicas: 0}\n" + node + chain,
       "p.yaml:1: model.max_replicas: 0 is out of range (expected an integer >= 1 and <= 1000)"},
      {"model:\n  max_functions_per_node: -1\n" + node + chain,
       "p.yaml:2: model.max_functions_per_node: -1 is out of range (expected an integer >= 0)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(parse_error(c.text), HasSubstr(c.message));
  }
}

TEST(PlacementFileErrors, MissingAndEmpty) {
  EXPECT_THAT(parse_error(kOneChain), HasSubstr("p.yaml:1: nodes: missing (expected a non-empty list of nodes"));
  EXPECT_THAT(parse_error(kOneNode), HasSubstr("p.yaml:1: chains: missing (expected a non-empty list of chains"));
  EXPECT_THAT(parse_error(std::string("nodes: []\n") + kOneChain),
              HasSubstr("p.yaml:1: nodes: an empty list, with no node (expected a non-empty list of nodes"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + "chains: []\n"), HasSubstr("p.yaml:3: chains: an empty list"));
  // An empty chain.
  EXPECT_THAT(
      parse_error(std::string(kOneNode) + "chains:\n  - {id: 0, functions: []}\n"),
      HasSubstr(
          "p.yaml:4: chains[0].functions: an empty list, with no function (expected a non-empty list of functions"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + "chains:\n  - {id: 0}\n"),
              HasSubstr("p.yaml:4: chains[0].functions: missing (expected a non-empty list of functions"));
  EXPECT_THAT(parse_error(std::string("nodes:\n  - {id: 0}\n  - {speed_ips: 5}\n") + kOneChain),
              HasSubstr("p.yaml:3: nodes[1].id: missing (expected a node id: an integer >= 0, distinct in the list)"));
  EXPECT_THAT(parse_error(std::string(kOneNode) + "chains:\n  -\n    functions: [{}]\n"),
              HasSubstr("p.yaml:5: chains[0].id: missing (expected a chain id"));
}

TEST(PlacementFileErrors, DuplicateIds) {
  EXPECT_THAT(
      parse_error(std::string("nodes:\n  - {id: 4}\n  - {id: 1}\n  -\n    speed_ips: 5\n    id: 4\n") + kOneChain),
      HasSubstr("p.yaml:6: nodes[2].id: 4 is given twice (first at line 2) (expected distinct node ids)"));
  EXPECT_THAT(
      parse_error(std::string(kOneNode) + "chains:\n  - {id: 0, functions: [{}]}\n  - {id: 0, functions: [{}]}\n"),
      HasSubstr("p.yaml:5: chains[1].id: 0 is given twice (first at line 4) (expected distinct chain ids)"));
  EXPECT_THAT(parse_error("nodes:\n  - {id: 0, id: 1}\n" + std::string(kOneChain)),
              HasSubstr("p.yaml:2: nodes[0].id: given twice"));
}

TEST(PlacementFileErrors, PinnedToANodeThatDoesNotExist) {
  const std::string nodes = "nodes:\n  - {id: 0}\n  - {id: 2}\n";
  EXPECT_THAT(parse_error(nodes + "chains:\n  - id: 0\n    functions:\n      - {}\n      - {pinned: 1}\n"),
              HasSubstr("p.yaml:8: chains[0].functions[1].pinned: node 1 is not in nodes (expected one of 0, 2)"));
  EXPECT_THAT(parse_error("nodes: {count: 20}\nchains:\n  - {id: 0, functions: [{pinned: 20}]}\n"),
              HasSubstr("p.yaml:3: chains[0].functions[0].pinned: node 20 is not in nodes (expected the id of one of "
                        "the 20 nodes, 0 to 19)"));
  // Pinning to an avoided node is allowed: a pinned VF may stay where it is.
  EXPECT_NO_THROW(parse_placement_problem(
      "nodes:\n  - {id: 0, avoid: true}\nchains:\n  - {id: 0, functions: [{pinned: 0}]}\n", "p.yaml"));
}

TEST(PlacementFileErrors, BandwidthNeedsSpreadChain) {
  EXPECT_THAT(parse_error(std::string("model:\n  spread_chain: false\n  bandwidth: true\n") + kOneNode + kOneChain),
              HasSubstr("p.yaml:3: model.bandwidth: true needs model.spread_chain: true"));
  EXPECT_NO_THROW(parse_placement_problem(
      std::string("model: {spread_chain: false, bandwidth: false}\n") + kOneNode + kOneChain, "p.yaml"));
}

}  // namespace
}  // namespace vfo
