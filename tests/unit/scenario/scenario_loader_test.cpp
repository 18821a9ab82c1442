#include "vfo/scenario/scenario_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "support/input_error.hpp"
#include "support/scratch.hpp"

namespace vfo {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string write_file(const std::string& name, const std::string& text) {
  return test::write_file(name, text).string();
}

using test::input_error_of;

std::string parse_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return input_error_of([&] { parse_scenario(text, "x.yaml", overrides); });
}

const char* const kFullScenario = R"(# every key, none at its default
name: full
seed: 42
duration_s: 7200
environment:
  kind: dedicated
  nodes: 200
  link_mbps: {mean: 50, stddev: 3, min: 2}
  link_latency_ms: 7.5
  orchestrator_link_mbps: 500
  node_speed_ips: 2e5
  node_ram_mb:
    mean: 2048
    stddev: 16
  p_leave: 0.2
  p_overload: 0.3
  probability_window_s: 1800
  node_recovery_s: 60
  overload_duration_s: 30
chains:
  functions: {mean: 4, stddev: 1, min: 2}
  load_ipf: 5000
  output_bytes: {mean: 1000}
  ram_mb: {stddev: 1}
  state_mb: 8
  image_mb: 50
  dirty_mb_per_s: {mean: 1, stddev: 0.25, min: 0.5}
  fps: 25
demand:
  mode: custom
  rate_per_hour: 100
  lifetime_s: 900
control:
  probing_period_s: 10
  probe_timeout_s: 0.5
  live_migration: false
  k: 0.7
  utilisation_cap: 1
  placement_s: 0.1
  placer: best-fit
  predictor:
    kind: confusion
    true_positive_rate: 0.9
    false_positive_rate: 0.1
migration:
  max_rounds: 3
  stop_mb: 0.5
  start_s: 1
  switch_s: 0.01
  max_concurrent_per_node: 2
sweep:
  grid: {environment.nodes: [10, 20]}
)";

TEST(ScenarioLoader, FullScenarioParses) {
  const Scenario s = parse_scenario(kFullScenario, "full.yaml");
  EXPECT_EQ(s.name, "full");
  EXPECT_EQ(s.source_file, "full.yaml");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.duration_s, 7200);

  const EnvironmentSpec& e = s.environment;
  EXPECT_EQ(e.kind, "dedicated");
  EXPECT_EQ(e.nodes, 200);
  EXPECT_EQ(e.link_mbps.mean, 50);
  EXPECT_EQ(e.link_mbps.stddev, 3);
  EXPECT_EQ(e.link_mbps.min, 2);
  EXPECT_EQ(e.link_latency_ms, 7.5);
  EXPECT_EQ(e.orchestrator_link_mbps, 500);
  EXPECT_EQ(e.node_speed_ips.mean, 2e5);
  EXPECT_EQ(e.node_speed_ips.stddev, 0);
  EXPECT_EQ(e.node_speed_ips.min, 1);
  EXPECT_EQ(e.node_ram_mb.mean, 2048);
  EXPECT_EQ(e.node_ram_mb.stddev, 16);
  EXPECT_EQ(e.node_ram_mb.min, 1);
  EXPECT_EQ(e.p_leave, 0.2);
  EXPECT_EQ(e.p_overload, 0.3);
  EXPECT_EQ(e.probability_window_s, 1800);
  EXPECT_EQ(e.node_recovery_s, 60);
  EXPECT_EQ(e.overload_duration_s, 30);

  const ChainSpec& c = s.chains;
  EXPECT_EQ(c.functions.mean, 4);
  EXPECT_EQ(c.functions.stddev, 1);
  EXPECT_EQ(c.functions.min, 2);
  EXPECT_EQ(c.load_ipf.mean, 5000);
  EXPECT_EQ(c.load_ipf.stddev, 0);
  EXPECT_EQ(c.output_bytes.mean, 1000);
  EXPECT_EQ(c.output_bytes.stddev, 1e4);
  EXPECT_EQ(c.ram_mb.mean, 64);
  EXPECT_EQ(c.ram_mb.stddev, 1);
  EXPECT_EQ(c.state_mb.mean, 8);
  EXPECT_EQ(c.image_mb.mean, 50);
  EXPECT_EQ(c.dirty_mb_per_s.mean, 1);
  EXPECT_EQ(c.dirty_mb_per_s.stddev, 0.25);
  EXPECT_EQ(c.dirty_mb_per_s.min, 0.5);
  EXPECT_EQ(c.fps, 25);

  EXPECT_EQ(s.demand.mode, "custom");
  EXPECT_EQ(s.demand.rate_per_hour, 100);
  EXPECT_EQ(s.demand.lifetime_s, 900);

  const ControlSpec& k = s.control;
  EXPECT_EQ(k.probing_period_s, 10);
  EXPECT_EQ(k.probe_timeout_s, 0.5);
  EXPECT_FALSE(k.live_migration);
  EXPECT_EQ(k.k, 0.7);
  EXPECT_EQ(k.utilisation_cap, 1);
  EXPECT_EQ(k.placement_s, 0.1);
  EXPECT_EQ(k.placer, "best-fit");
  EXPECT_EQ(k.predictor.kind, "confusion");
  EXPECT_EQ(k.predictor.true_positive_rate, 0.9);
  EXPECT_EQ(k.predictor.false_positive_rate, 0.1);

  EXPECT_EQ(s.migration.max_rounds, 3);
  EXPECT_EQ(s.migration.stop_mb, 0.5);
  EXPECT_EQ(s.migration.start_s, 1);
  EXPECT_EQ(s.migration.switch_s, 0.01);
  EXPECT_EQ(s.migration.max_concurrent_per_node, 2);
}

TEST(ScenarioLoader, LoadsAFileAndRemembersItsPath) {
  const std::string path = write_file("full.yaml", kFullScenario);
  const Scenario s = load_scenario(path);
  EXPECT_EQ(s.source_file, path);
  EXPECT_EQ(s.environment.nodes, 200);
}

TEST(ScenarioLoader, QuickstartScenarioLoads) {
  const Scenario s = load_scenario(std::string(VFO_SOURCE_DIR) + "/scenarios/quickstart.yaml");
  EXPECT_EQ(s.name, "quickstart");
  EXPECT_EQ(s.environment.nodes, 500);
  EXPECT_EQ(s.demand.rate_per_hour, 83);
}

TEST(ScenarioLoader, DefaultsWhenKeysAreAbsent) {
  for (const char* text : {"", "# nothing\n", "environment:\ncontrol: {}\n", "name: only-a-name\n"}) {
    SCOPED_TRACE(text);
    const Scenario s = parse_scenario(text, "x.yaml");
    const Scenario d;
    EXPECT_EQ(s.seed, d.seed);
    EXPECT_EQ(s.duration_s, d.duration_s);
    EXPECT_EQ(s.environment.nodes, d.environment.nodes);
    EXPECT_EQ(s.environment.link_mbps.mean, 98);
    EXPECT_EQ(s.environment.link_mbps.stddev, 2.32);
    EXPECT_EQ(s.environment.link_mbps.min, 1);
    EXPECT_EQ(s.environment.p_leave, d.environment.p_leave);
    EXPECT_EQ(s.chains.functions.mean, d.chains.functions.mean);
    EXPECT_EQ(s.demand.mode, "normal");
    EXPECT_EQ(s.demand.rate_per_hour, 83);
    EXPECT_EQ(s.control.k, d.control.k);
    EXPECT_TRUE(s.control.live_migration);
    EXPECT_EQ(s.control.predictor.true_positive_rate, d.control.predictor.true_positive_rate);
    EXPECT_EQ(s.migration.max_rounds, d.migration.max_rounds);
  }
  EXPECT_EQ(parse_scenario("", "x.yaml").name, "unnamed");
}

TEST(ScenarioLoader, NormalSpecAsANumberIsAConstant) {
  const Scenario s = parse_scenario("environment:\n  link_mbps: 50\n", "x.yaml");
  EXPECT_EQ(s.environment.link_mbps.mean, 50);
  EXPECT_EQ(s.environment.link_mbps.stddev, 0);
  EXPECT_EQ(s.environment.link_mbps.min, 1);  // keeps its default
}

TEST(ScenarioLoader, NormalSpecAsAMapKeepsDefaultsForMissingKeys) {
  const Scenario s = parse_scenario("environment:\n  link_mbps: {mean: 50}\n  node_speed_ips: {min: 10}\n", "x.yaml");
  EXPECT_EQ(s.environment.link_mbps.mean, 50);
  EXPECT_EQ(s.environment.link_mbps.stddev, 2.32);
  EXPECT_EQ(s.environment.link_mbps.min, 1);
  EXPECT_EQ(s.environment.node_speed_ips.mean, 1e5);
  EXPECT_EQ(s.environment.node_speed_ips.stddev, 1e3);
  EXPECT_EQ(s.environment.node_speed_ips.min, 10);
}

TEST(ScenarioLoader, AcceptsNumberSpellings) {
  const Scenario s =
      parse_scenario("seed: 18446744073709551615\nduration_s: 1.5e3\nenvironment: {nodes: +7}\n", "x.yaml");
  EXPECT_EQ(s.seed, 18446744073709551615u);
  EXPECT_EQ(s.duration_s, 1500);
  EXPECT_EQ(s.environment.nodes, 7);
}

// --- errors in the file -----------------------------------------------------------------------------

TEST(ScenarioLoaderErrors, MissingFile) {
  const std::string path = (test::scratch_dir() / "no_such_scenario.yaml").string();
  EXPECT_EQ(input_error_of([&] { load_scenario(path); }),
            path + ": cannot read file (expected a readable YAML scenario)");
  EXPECT_THAT(input_error_of([&] { load_scenario(test::scratch_dir().string()); }), HasSubstr(": cannot read file"));
}

TEST(ScenarioLoaderErrors, YamlSyntaxErrorGivesItsLine) {
  const std::string path = write_file("syntax.yaml", "name: a\nseed: 1\nenvironment:\n  nodes: [1, 2\n");
  const std::string message = input_error_of([&] { load_scenario(path); });
  // The unclosed list runs to the end of the text: the last line is named.
  EXPECT_THAT(message, HasSubstr(path + ":4: invalid YAML at the end: end of sequence flow not found"));
  EXPECT_THAT(parse_error("name: a\nenvironment:\n  nodes: 1\n   p_leave: 0.1\n"),
              HasSubstr("x.yaml:4: invalid YAML at column 11"));
}

TEST(ScenarioLoaderErrors, WrongTypeGivesLineAndKey) {
  const std::string path = write_file("x.yaml", "name: a\nseed: 1\nenvironment:\n  nodes: abc\n");
  EXPECT_EQ(input_error_of([&] { load_scenario(path); }),
            path + ":4: environment.nodes: 'abc' is not an integer (expected an integer >= 1 and <= 1000000)");
  EXPECT_THAT(parse_error("environment:\n  nodes: 2.5\n"),
              HasSubstr("x.yaml:2: environment.nodes: '2.5' is not an integer"));
  EXPECT_THAT(parse_error("seed: 1\nduration_s: soon\n"), HasSubstr("x.yaml:2: duration_s: 'soon' is not a number"));
  EXPECT_THAT(parse_error("environment:\n  p_leave: [0.1]\n"),
              HasSubstr("x.yaml:2: environment.p_leave: a list is not a number"));
  EXPECT_THAT(parse_error("environment:\n  nodes:\n"), HasSubstr("x.yaml:2: environment.nodes: has no value"));
  EXPECT_THAT(parse_error("control:\n  live_migration: maybe\n"),
              HasSubstr("x.yaml:2: control.live_migration: 'maybe' is not a boolean (expected true or false)"));
  EXPECT_THAT(parse_error("chains:\n  fps: .inf\n"), HasSubstr("x.yaml:2: chains.fps: '.inf' is not a number"));
  EXPECT_THAT(parse_error("name: [a]\n"), HasSubstr("x.yaml:1: name: a list is not a string"));
}

TEST(ScenarioLoaderErrors, NormalSpecOfTheWrongShape) {
  EXPECT_THAT(
      parse_error("environment:\n  link_mbps: fast\n"),
      HasSubstr("x.yaml:2: environment.link_mbps: 'fast' is not a number (expected a number in (0, 1e6], or a map "
                "with keys mean, stddev, min)"));
  EXPECT_THAT(parse_error("environment:\n  link_mbps: [1, 2]\n"),
              HasSubstr("x.yaml:2: environment.link_mbps: a list is not a number or a map"));
  EXPECT_THAT(parse_error("chains:\n  ram_mb:\n    mean: 1\n    stddev: -2\n"),
              HasSubstr("x.yaml:4: chains.ram_mb.stddev: -2 is out of range (expected a number in [0, 1048576])"));
  EXPECT_THAT(parse_error("chains:\n  ram_mb: -5\n"), HasSubstr("x.yaml:2: chains.ram_mb: -5 is out of range"));
}

TEST(ScenarioLoaderErrors, OutOfRange) {
  struct Case {
    const char* text;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"environment:\n  nodes: -3\n", "x.yaml:2: environment.nodes: -3 is out of range (expected an integer >= 1"},
      {"environment:\n  nodes: 0\n", "x.yaml:2: environment.nodes: 0 is out of range"},
      {"environment:\n  nodes: 1000001\n", "x.yaml:2: environment.nodes: 1000001 is out of range"},
      {"environment:\n  nodes: 99999999999999999999\n", "x.yaml:2: environment.nodes: 99999999999999999999 is out"},
      {"\nenvironment:\n  p_leave: 1.5\n",
       "x.yaml:3: environment.p_leave: 1.5 is out of range (expected a number in [0, 1])"},
      {"environment:\n  p_overload: -0.1\n", "x.yaml:2: environment.p_overload: -0.1 is out of range"},
      {"environment:\n  probability_window_s: 0\n", "x.yaml:2: environment.probability_window_s: 0 is out of range"},
      {"environment:\n  node_recovery_s: -1\n", "x.yaml:2: environment.node_recovery_s: -1 is out of range"},
      {"environment:\n  overload_duration_s: -1\n", "x.yaml:2: environment.overload_duration_s: -1 is out of range"},
      {"duration_s: 0\n", "x.yaml:1: duration_s: 0 is out of range (expected a number in (0, 1e9])"},
      {"seed: -1\n", "x.yaml:1: seed: -1 is out of range (expected a non-negative integer)"},
      {"seed: 18446744073709551616\n", "x.yaml:1: seed: 18446744073709551616 is out of range"},
      {"seed: 1.5\n", "x.yaml:1: seed: '1.5' is not an integer (expected a non-negative integer)"},
      {"chains:\n  fps: 0\n", "x.yaml:2: chains.fps: 0 is out of range (expected a number in (0, 1000])"},
      {"demand:\n  lifetime_s: 0\n", "x.yaml:2: demand.lifetime_s: 0 is out of range"},
      {"control:\n  probing_period_s: 0\n", "x.yaml:2: control.probing_period_s: 0 is out of range"},
      {"control:\n  probe_timeout_s: -1\n", "x.yaml:2: control.probe_timeout_s: -1 is out of range"},
      {"control:\n  k: 2\n", "x.yaml:2: control.k: 2 is out of range (expected a number in [0, 1])"},
      {"control:\n  utilisation_cap: 0\n",
       "x.yaml:2: control.utilisation_cap: 0 is out of range (expected a number in (0, 1])"},
      {"control:\n  utilisation_cap: 1.01\n", "x.yaml:2: control.utilisation_cap: 1.01 is out of range"},
      {"control:\n  placement_s: -1\n", "x.yaml:2: control.placement_s: -1 is out of range"},
      {"control:\n  predictor:\n    true_positive_rate: 1.1\n",
       "x.yaml:3: control.predictor.true_positive_rate: 1.1 is out of range"},
      {"control:\n  predictor: {false_positive_rate: -1}\n",
       "x.yaml:2: control.predictor.false_positive_rate: -1 is out of range"},
      {"migration:\n  max_rounds: 0\n", "x.yaml:2: migration.max_rounds: 0 is out of range (expected an integer >= 1)"},
      {"migration:\n  stop_mb: -1\n", "x.yaml:2: migration.stop_mb: -1 is out of range"},
      {"migration:\n  start_s: -1\n", "x.yaml:2: migration.start_s: -1 is out of range"},
      {"migration:\n  switch_s: -1\n", "x.yaml:2: migration.switch_s: -1 is out of range"},
      {"migration:\n  max_concurrent_per_node: 0\n", "x.yaml:2: migration.max_concurrent_per_node: 0 is out of range"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(parse_error(c.text), HasSubstr(c.message));
  }
}

// Values that once crashed, hung or ran to garbage: each is refused at its line, at its key.
TEST(ScenarioLoaderErrors, EveryNumberHasAnUpperBoundAndNoneIsNotANumber) {
  struct Case {
    const char* text;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"chains:\n  functions: {mean: 1e308, stddev: 4}\n",
       "x.yaml:2: chains.functions.mean: 1e308 is out of range (expected a number in [0, 1000])"},
      {"chains:\n  functions: 1e9\n", "x.yaml:2: chains.functions: 1e9 is out of range"},
      {"chains:\n  functions: {mean: 8, stddev: 1e9}\n", "x.yaml:2: chains.functions.stddev: 1e9 is out of range"},
      {"environment:\n  link_mbps: {mean: 0, stddev: 0, min: 0}\n",
       "x.yaml:2: environment.link_mbps.mean: 0 is out of range (expected a number in (0, 1e6])"},
      {"environment:\n  link_mbps: {mean: 98, min: 0}\n", "x.yaml:2: environment.link_mbps.min: 0 is out of range"},
      {"environment:\n  node_speed_ips: {mean: 0, stddev: 0, min: 0}\n",
       "x.yaml:2: environment.node_speed_ips.mean: 0 is out of range"},
      {"duration_s: 1e300\n", "x.yaml:1: duration_s: 1e300 is out of range"},
      {"chains:\n  load_ipf: 1e300\n", "x.yaml:2: chains.load_ipf: 1e300 is out of range"},
      {"chains:\n  output_bytes: {mean: 1e300}\n", "x.yaml:2: chains.output_bytes.mean: 1e300 is out of range"},
      {"environment:\n  link_latency_ms: 1e300\n", "x.yaml:2: environment.link_latency_ms: 1e300 is out of range"},
      {"demand:\n  mode: custom\n  rate_per_hour: 1e12\n", "x.yaml:3: demand.rate_per_hour: 1e12 is out of range"},
      {"environment:\n  jobs: {initial_jobs: 1e9}\n", "x.yaml:2: environment.jobs.initial_jobs: 1e9 is out of range"},
      {"control:\n  predictor: {training_hours: 1e9}\n",
       "x.yaml:2: control.predictor.training_hours: 1e9 is out of range"},
      {"chains:\n  fps: 1e12\n", "x.yaml:2: chains.fps: 1e12 is out of range"},
      {"chains:\n  fps: .nan\n", "x.yaml:2: chains.fps: '.nan' is not a number"},
      {"environment:\n  link_mbps: {mean: .inf}\n", "x.yaml:2: environment.link_mbps.mean: '.inf' is not a number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(parse_error(c.text), HasSubstr(c.message));
  }
}

// A study too large for the machine is refused with its estimate, at the key that makes it large, before the
// simulator allocates it.
TEST(ScenarioLoaderErrors, AStudyLargerThanTheMachinesMemoryIsRefusedWithItsEstimate) {
  const std::string message =
      parse_error("environment:\n  nodes: 500\n  probability_window_s: 1e-300\nduration_s: 3600\n");
  EXPECT_THAT(message, HasSubstr("x.yaml:3: environment.probability_window_s: the study would hold about"));
  EXPECT_THAT(message, HasSubstr("node events"));
  EXPECT_THAT(message, HasSubstr("more than this machine's memory"));
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_THAT(parse_error("environment: {nodes: 1000000, kind: generic, jobs: {initial_jobs: 1000}}\n"
                          "duration_s: 1e9\n"),
              HasSubstr("the study would hold"));
}

TEST(ScenarioLoaderErrors, ProbeTimeoutMustBeShorterThanThePeriod) {
  EXPECT_THAT(parse_error("control:\n  probing_period_s: 5\n  probe_timeout_s: 5\n"),
              HasSubstr("x.yaml:3: control.probe_timeout_s: 5 is not less than control.probing_period_s = 5"));
  // Only the period is given: the default timeout (1) is too long for it, and the period's line is named.
  EXPECT_THAT(parse_error("name: a\ncontrol:\n  probing_period_s: 0.5\n"),
              HasSubstr("x.yaml:3: control.probe_timeout_s"));
  EXPECT_EQ(parse_scenario("control:\n  probe_timeout_s: 0\n", "x.yaml").control.probe_timeout_s, 0);
}

TEST(ScenarioLoaderErrors, ChoicesMustBeKnown) {
  EXPECT_THAT(
      parse_error("environment:\n  kind: shared\n"),
      HasSubstr("x.yaml:2: environment.kind: 'shared' is not a valid choice (expected one of dedicated, generic)"));
  EXPECT_THAT(parse_error("control:\n  placer: first-fit\n"),
              HasSubstr("x.yaml:2: control.placer: 'first-fit' is not a valid choice (expected one of best-fit, exact, "
                        "heuristic, auto)"));
  EXPECT_THAT(
      parse_error("control:\n  predictor:\n    kind: lstm\n"),
      HasSubstr(
          "x.yaml:3: control.predictor.kind: 'lstm' is not a valid choice (expected one of confusion, forecast)"));
  EXPECT_THAT(parse_error("demand:\n  mode: medium\n"),
              HasSubstr("x.yaml:2: demand.mode: 'medium' is not a valid choice (expected one of low, normal, high, "
                        "custom)"));
  EXPECT_THAT(parse_error("name: ''\n"), HasSubstr("x.yaml:1: name: an empty string"));
}

TEST(ScenarioLoaderErrors, UnknownKeyAtTopLevel) {
  const std::string message = parse_error("name: a\nseed: 1\nnodes: 5\n");
  EXPECT_THAT(message, HasSubstr("x.yaml:3: nodes: unknown key"));
  EXPECT_THAT(message, HasSubstr("(expected one of name, seed, duration_s, environment, chains, demand, control, "
                                 "migration, autoscaling, sweep)"));
}

TEST(ScenarioLoaderErrors, UnknownKeyNested) {
  const std::string message = parse_error("name: a\nenvironment:\n  nodes: 5\n  nodez: 6\n");
  EXPECT_THAT(message, HasSubstr("x.yaml:4: environment.nodez: unknown key, did you mean nodes?"));
  EXPECT_THAT(message, HasSubstr("(expected one of kind, nodes, link_mbps,"));
  EXPECT_THAT(parse_error("control:\n  predictor:\n    tpr: 0.5\n"),
              HasSubstr("x.yaml:3: control.predictor.tpr: unknown key (expected one of kind, true_positive_rate, "
                        "false_positive_rate, lead_periods, method, window, horizon_periods, cpu_threshold_pct, "
                        "training_nodes, "
                        "training_hours, model, guard, cascade_refresh_rounds, cascade_screen_p)"));
  EXPECT_THAT(parse_error("environment:\n  link_mbps: {mean: 1, sd: 2}\n"),
              HasSubstr("x.yaml:2: environment.link_mbps.sd: unknown key (expected one of mean, stddev, min)"));
}

TEST(ScenarioLoaderErrors, UnknownKeyListsEachAllowedKeyOnce) {
  EXPECT_THAT(parse_error("migration:\n  rounds: 3\n"),
              HasSubstr("x.yaml:2: migration.rounds: unknown key (expected one of max_rounds, stop_mb, start_s, "
                        "switch_s, max_concurrent_per_node, protocol, page_kb, working_set_fraction, "
                        "prepaging_fraction)"));
}

TEST(ScenarioLoaderErrors, SectionsMustBeMaps) {
  EXPECT_THAT(parse_error("name: a\ncontrol: 5\n"),
              HasSubstr("x.yaml:2: control: '5' is not a map (expected a map with keys probing_period_s,"));
  EXPECT_THAT(parse_error("- a\n- b\n"), HasSubstr("x.yaml:1: the scenario: a list is not a map"));
  EXPECT_THAT(parse_error("just text\n"), HasSubstr("x.yaml:1: the scenario: 'just text' is not a map"));
}

TEST(ScenarioLoaderErrors, SweepIsOnlyCheckedToBeAMap) {
  EXPECT_NO_THROW(parse_scenario("sweep:\n  anything: [1, 2]\n  goes: {here: true}\n", "x.yaml"));
  EXPECT_THAT(parse_error("name: a\nsweep: [1, 2]\n"), HasSubstr("x.yaml:2: sweep: a list is not a map"));
}

// yaml-cpp 0.7 loops for ever reading every document of these (found by the scenario fuzz target): the loader
// reads two at most and names the stray text.
TEST(ScenarioLoaderErrors, StrayTextAfterTheDocumentIsInvalidYamlNotAHang) {
  EXPECT_EQ(parse_error("{a: b}, c\n"),
            "x.yaml:1: invalid YAML at column 7: stray text outside the document (expected valid YAML syntax)");
  EXPECT_THAT(parse_error("name: x\n,\n"), HasSubstr("x.yaml:2: invalid YAML at column 1"));
  EXPECT_THAT(parse_error(","), HasSubstr("x.yaml:1: invalid YAML"));
}

TEST(ScenarioLoaderErrors, DuplicateKeyAndSecondDocument) {
  EXPECT_THAT(parse_error("name: a\nseed: 1\nseed: 2\n"), HasSubstr("x.yaml:3: seed: given twice"));
  EXPECT_THAT(parse_error("name: a\n---\nname: b\n"), HasSubstr("x.yaml:2: a second YAML document"));
}

// --- demand.mode and rate_per_hour --------------------------------------------------------------------

TEST(ScenarioLoaderDemand, ModeSetsTheRate) {
  EXPECT_EQ(parse_scenario("demand: {mode: low}\n", "x.yaml").demand.rate_per_hour, 54);
  EXPECT_EQ(parse_scenario("demand: {mode: normal}\n", "x.yaml").demand.rate_per_hour, 83);
  EXPECT_EQ(parse_scenario("demand: {mode: high}\n", "x.yaml").demand.rate_per_hour, 118);
  EXPECT_EQ(parse_scenario("demand: {mode: custom, rate_per_hour: 12.5}\n", "x.yaml").demand.rate_per_hour, 12.5);
}

TEST(ScenarioLoaderDemand, RateWithANamedModeIsAnError) {
  const std::string message = parse_error("demand:\n  mode: high\n  rate_per_hour: 100\n");
  EXPECT_THAT(message, HasSubstr("x.yaml:3: demand.rate_per_hour:"));
  EXPECT_THAT(message, HasSubstr("set mode: custom to give a rate"));
  // The default mode (normal) counts too.
  EXPECT_THAT(parse_error("demand:\n  rate_per_hour: 100\n"), HasSubstr("x.yaml:2: demand.rate_per_hour:"));
}

TEST(ScenarioLoaderDemand, CustomNeedsAPositiveRate) {
  EXPECT_THAT(parse_error("name: a\ndemand:\n  mode: custom\n"),
              HasSubstr("x.yaml:3: demand.rate_per_hour: missing, and demand.mode custom needs it"));
  EXPECT_THAT(parse_error("demand:\n  mode: custom\n  rate_per_hour: 0\n"),
              HasSubstr("x.yaml:3: demand.rate_per_hour: 0 is out of range (expected a number in (0, 1e6])"));
}

// --- overrides ------------------------------------------------------------------------------------------

TEST(ScenarioLoaderOverrides, SetValues) {
  const Scenario s = parse_scenario(
      "environment:\n  nodes: 5\ncontrol:\n", "x.yaml",
      {"environment.nodes=200", "control.live_migration=false", "name=over", " control.k = 0.25", "seed=7", "seed=8"});
  EXPECT_EQ(s.environment.nodes, 200);
  EXPECT_FALSE(s.control.live_migration);
  EXPECT_EQ(s.name, "over");
  EXPECT_EQ(s.control.k, 0.25);  // `control:` was not in the file: the map is made
  EXPECT_EQ(s.seed, 8u);         // the last one wins
}

TEST(ScenarioLoaderOverrides, ApplyToALoadedFile) {
  const std::string path = write_file("over.yaml", "name: a\ncontrol:\n  k: 0.5\n");
  const Scenario s = load_scenario(path, {"control.predictor.true_positive_rate=0.6"});
  EXPECT_EQ(s.control.predictor.true_positive_rate, 0.6);
  EXPECT_EQ(s.control.k, 0.5);
  EXPECT_EQ(s.source_file, path);
}

TEST(ScenarioLoaderOverrides, NestedNormalSpec) {
  Scenario s = parse_scenario("", "x.yaml", {"environment.link_mbps={mean: 50, stddev: 1}"});
  EXPECT_EQ(s.environment.link_mbps.mean, 50);
  EXPECT_EQ(s.environment.link_mbps.stddev, 1);
  EXPECT_EQ(s.environment.link_mbps.min, 1);

  s = parse_scenario("", "x.yaml", {"environment.link_mbps=20"});
  EXPECT_EQ(s.environment.link_mbps.mean, 20);
  EXPECT_EQ(s.environment.link_mbps.stddev, 0);

  s = parse_scenario("environment:\n  link_mbps: {mean: 10, stddev: 2}\n", "x.yaml", {"environment.link_mbps.min=3"});
  EXPECT_EQ(s.environment.link_mbps.mean, 10);
  EXPECT_EQ(s.environment.link_mbps.stddev, 2);
  EXPECT_EQ(s.environment.link_mbps.min, 3);

  // A sub-key over a constant in the file: the constant c becomes {mean: c, stddev: 0}.
  s = parse_scenario("environment:\n  link_mbps: 10\n", "x.yaml", {"environment.link_mbps.stddev=2"});
  EXPECT_EQ(s.environment.link_mbps.mean, 10);
  EXPECT_EQ(s.environment.link_mbps.stddev, 2);
}

TEST(ScenarioLoaderOverrides, BadKey) {
  EXPECT_EQ(parse_error("", {"environment.nodez=5"}),
            "--set environment.nodez=5: environment.nodez: unknown key, did you mean nodes? (expected one of kind, "
            "nodes, link_mbps, link_latency_ms, orchestrator_link_mbps, node_speed_ips, node_ram_mb, p_leave, "
            "p_overload, probability_window_s, node_recovery_s, overload_duration_s, p_leave_stddev, "
            "leave_probe_delay_s, jobs after environment.)");
  EXPECT_THAT(parse_error("", {"bogus=1"}), HasSubstr("--set bogus=1: bogus: unknown key (expected one of name,"));
  EXPECT_THAT(parse_error("", {"environment.nodes.x=1"}),
              HasSubstr("--set environment.nodes.x=1: environment.nodes.x: unknown key, environment.nodes has no "
                        "sub-keys"));
  EXPECT_THAT(parse_error("", {"environment.link_mbps.sd=1"}),
              HasSubstr("--set environment.link_mbps.sd=1: environment.link_mbps.sd: unknown key"));
  EXPECT_THAT(parse_error("", {"sweep.grid=1"}), HasSubstr("--set sweep.grid=1: sweep: not a scenario setting"));
  EXPECT_THAT(parse_error("", {"environment.nodes"}),
              HasSubstr("--set environment.nodes: no '=' in it (expected KEY=VALUE"));
  EXPECT_THAT(parse_error("", {"=5"}), HasSubstr("--set =5: no key before '='"));
}

TEST(ScenarioLoaderOverrides, BadValueNamesTheOverride) {
  EXPECT_EQ(parse_error("environment:\n  nodes: 5\n", {"environment.nodes=abc"}),
            "--set environment.nodes=abc: environment.nodes: 'abc' is not an integer (expected an integer >= 1 and "
            "<= 1000000)");
  EXPECT_THAT(parse_error("", {"control.k=1.5"}), HasSubstr("--set control.k=1.5: control.k: 1.5 is out of range"));
  EXPECT_THAT(parse_error("", {"environment.link_mbps={mean: 50, sd: 1}"}),
              HasSubstr("--set environment.link_mbps={mean: 50, sd: 1}: environment.link_mbps.sd: unknown key"));
  EXPECT_THAT(parse_error("", {"environment.link_mbps={mean: -1}"}),
              HasSubstr("--set environment.link_mbps={mean: -1}: environment.link_mbps.mean: -1 is out of range"));
  EXPECT_THAT(parse_error("", {"control.k="}), HasSubstr("--set control.k=: control.k: has no value"));
  EXPECT_THAT(parse_error("", {"environment.link_mbps={mean: 5"}),
              HasSubstr("--set environment.link_mbps={mean: 5: environment.link_mbps: the value is not valid YAML"));
  EXPECT_THAT(parse_error("", {"control={k: 3}"}), HasSubstr("--set control={k: 3}: control.k: 3 is out of range"));
}

TEST(ScenarioLoaderOverrides, FileErrorsStillPointAtTheFile) {
  const std::string message = parse_error("name: a\nenvironment:\n  nodes: abc\n", {"environment.p_leave=0.5"});
  EXPECT_THAT(message, HasSubstr("x.yaml:3: environment.nodes: 'abc' is not an integer"));
  EXPECT_THAT(message, Not(HasSubstr("--set")));
  EXPECT_THAT(parse_error("name: a\ncontrol: 5\n", {"control.k=0.5"}),
              HasSubstr("x.yaml:2: control: '5' is not a map"));
  // An override that replaces a bad file value hides it.
  EXPECT_EQ(parse_scenario("environment:\n  nodes: abc\n", "x.yaml", {"environment.nodes=3"}).environment.nodes, 3);
}

TEST(ScenarioLoaderOverrides, DemandRules) {
  Scenario s = parse_scenario("demand:\n  mode: high\n", "x.yaml", {"demand.mode=custom", "demand.rate_per_hour=10"});
  EXPECT_EQ(s.demand.rate_per_hour, 10);
  s = parse_scenario("", "x.yaml", {"demand.mode=low"});
  EXPECT_EQ(s.demand.rate_per_hour, 54);
  EXPECT_THAT(parse_error("", {"demand.rate_per_hour=10"}),
              HasSubstr("--set demand.rate_per_hour=10: demand.rate_per_hour:"));
  EXPECT_THAT(parse_error("", {"demand.mode=custom"}),
              HasSubstr("--set demand.mode=custom: demand.rate_per_hour: missing"));
}

}  // namespace
}  // namespace vfo
