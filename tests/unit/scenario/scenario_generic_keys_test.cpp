// The scenario keys of the generic environment (Results B), the forecast predictor and the migration
// protocols: parsing, defaults, errors and --set overrides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/input_error.hpp"
#include "vfo/scenario/generators.hpp"
#include "vfo/scenario/scenario_loader.hpp"

namespace vfo {
namespace {

using test::input_error_of;
using ::testing::HasSubstr;

std::string parse_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return input_error_of([&] { parse_scenario(text, "x.yaml", overrides); });
}

const char* const kGenericScenario = R"(# every new key, none at its default
environment:
  kind: generic
  p_leave_stddev: 0.02
  leave_probe_delay_s: 15
  jobs:
    initial_jobs: {mean: 4, stddev: 1.5, min: 1}
    rate_per_hour: {mean: 7, stddev: 3, min: 0.5}
    cpu_ips: {mean: 5000, stddev: 2500, min: 500}
    ram_mb: {mean: 128, stddev: 64, min: 8}
    duration_mean_s: 1800
    cpu_overcommit: 1.5
chains:
  functions_per_node: 0.5
demand:
  max_services: 25
control:
  predictor:
    kind: forecast
    method: ewma
    window: 24
    horizon_periods: 5
    cpu_threshold_pct: 90
    training_nodes: 50
    training_hours: 2.5
migration:
  protocol: post-copy-prepaging
  page_kb: 8
  working_set_fraction: 0.4
  prepaging_fraction: 0.75
)";

TEST(ScenarioGenericKeys, EveryNewKeyParses) {
  const Scenario s = parse_scenario(kGenericScenario, "generic.yaml");
  const EnvironmentSpec& e = s.environment;
  EXPECT_EQ(e.kind, "generic");
  EXPECT_EQ(e.p_leave_stddev, 0.02);
  EXPECT_EQ(e.leave_probe_delay_s, 15);
  const JobsSpec& j = e.jobs;
  EXPECT_EQ(j.initial_jobs.mean, 4);
  EXPECT_EQ(j.initial_jobs.stddev, 1.5);
  EXPECT_EQ(j.initial_jobs.min, 1);
  EXPECT_EQ(j.rate_per_hour.mean, 7);
  EXPECT_EQ(j.rate_per_hour.stddev, 3);
  EXPECT_EQ(j.rate_per_hour.min, 0.5);
  EXPECT_EQ(j.cpu_ips.mean, 5000);
  EXPECT_EQ(j.cpu_ips.stddev, 2500);
  EXPECT_EQ(j.cpu_ips.min, 500);
  EXPECT_EQ(j.ram_mb.mean, 128);
  EXPECT_EQ(j.ram_mb.stddev, 64);
  EXPECT_EQ(j.ram_mb.min, 8);
  EXPECT_EQ(j.duration_mean_s, 1800);
  EXPECT_EQ(j.cpu_overcommit, 1.5);

  EXPECT_EQ(s.chains.functions_per_node, 0.5);
  EXPECT_EQ(s.demand.max_services, 25);

  const PredictorSpec& p = s.control.predictor;
  EXPECT_EQ(p.kind, "forecast");
  EXPECT_EQ(p.method, "ewma");
  EXPECT_EQ(p.window, 24);
  EXPECT_EQ(p.horizon_periods, 5);
  EXPECT_EQ(p.cpu_threshold_pct, 90);
  EXPECT_EQ(p.training_nodes, 50);
  EXPECT_EQ(p.training_hours, 2.5);

  const MigrationSpec& m = s.migration;
  EXPECT_EQ(m.protocol, "post-copy-prepaging");
  EXPECT_EQ(m.page_kb, 8);
  EXPECT_EQ(m.working_set_fraction, 0.4);
  EXPECT_EQ(m.prepaging_fraction, 0.75);
}

TEST(ScenarioGenericKeys, DefaultsWhenAbsent) {
  const Scenario s = parse_scenario("environment:\n  jobs: {}\ncontrol:\n  predictor: {}\n", "x.yaml");
  const EnvironmentSpec& e = s.environment;
  EXPECT_EQ(e.kind, "dedicated");
  EXPECT_EQ(e.p_leave_stddev, 0.005);
  EXPECT_EQ(e.leave_probe_delay_s, 10);
  EXPECT_EQ(e.jobs.initial_jobs.mean, 8);
  EXPECT_EQ(e.jobs.initial_jobs.stddev, 5);
  EXPECT_EQ(e.jobs.initial_jobs.min, 0);
  EXPECT_EQ(e.jobs.rate_per_hour.mean, 5);
  EXPECT_EQ(e.jobs.rate_per_hour.stddev, 2);
  EXPECT_EQ(e.jobs.rate_per_hour.min, 0.1);
  EXPECT_EQ(e.jobs.cpu_ips.mean, 6e3);
  EXPECT_EQ(e.jobs.cpu_ips.stddev, 3e3);
  EXPECT_EQ(e.jobs.cpu_ips.min, 1e3);
  EXPECT_EQ(e.jobs.ram_mb.mean, 256);
  EXPECT_EQ(e.jobs.ram_mb.stddev, 128);
  EXPECT_EQ(e.jobs.ram_mb.min, 16);
  EXPECT_EQ(e.jobs.duration_mean_s, 5760);
  EXPECT_EQ(e.jobs.cpu_overcommit, 2);
  EXPECT_EQ(s.chains.functions_per_node, 0);
  EXPECT_EQ(s.demand.max_services, 0);
  const PredictorSpec& p = s.control.predictor;
  EXPECT_EQ(p.kind, "confusion");
  EXPECT_EQ(p.method, "ar");
  EXPECT_EQ(p.window, 12);
  EXPECT_EQ(p.horizon_periods, 10);
  EXPECT_EQ(p.cpu_threshold_pct, 100);
  EXPECT_EQ(p.training_nodes, 200);
  EXPECT_EQ(p.training_hours, 6);
  EXPECT_EQ(s.migration.protocol, "pre-copy");
  EXPECT_EQ(s.migration.page_kb, 4);
  EXPECT_EQ(s.migration.working_set_fraction, 0.25);
  EXPECT_EQ(s.migration.prepaging_fraction, 0.5);
}

TEST(ScenarioGenericKeys, JobsNormalsTakeAConstantOrAPartialMap) {
  const Scenario s =
      parse_scenario("environment:\n  jobs:\n    initial_jobs: 3\n    cpu_ips: {mean: 9000}\n", "x.yaml");
  EXPECT_EQ(s.environment.jobs.initial_jobs.mean, 3);
  EXPECT_EQ(s.environment.jobs.initial_jobs.stddev, 0);
  EXPECT_EQ(s.environment.jobs.initial_jobs.min, 0);
  EXPECT_EQ(s.environment.jobs.cpu_ips.mean, 9000);
  EXPECT_EQ(s.environment.jobs.cpu_ips.stddev, 3e3);
  EXPECT_EQ(s.environment.jobs.cpu_ips.min, 1e3);
}

TEST(ScenarioGenericKeys, EveryProtocolAndMethodIsAccepted) {
  for (const char* protocol :
       {"stop-and-copy", "pre-copy", "post-copy-demand", "post-copy-push", "post-copy-prepaging"}) {
    EXPECT_EQ(parse_scenario(std::string("migration: {protocol: ") + protocol + "}\n", "x.yaml").migration.protocol,
              protocol);
  }
  for (const char* method : {"ar", "ewma", "ma", "persistence"}) {
    EXPECT_EQ(parse_scenario(std::string("control: {predictor: {method: ") + method + "}}\n", "x.yaml")
                  .control.predictor.method,
              method);
  }
}

TEST(ScenarioGenericKeys, BadChoicesListTheAcceptedNames) {
  EXPECT_EQ(parse_error("name: a\nmigration:\n  protocol: bogus\n"),
            "x.yaml:3: migration.protocol: 'bogus' is not a valid choice (expected one of stop-and-copy, pre-copy, "
            "post-copy-demand, post-copy-push, post-copy-prepaging)");
  EXPECT_EQ(parse_error("environment:\n  kind: x\n"),
            "x.yaml:2: environment.kind: 'x' is not a valid choice (expected one of dedicated, generic)");
  EXPECT_EQ(parse_error("control:\n  predictor:\n    kind: forecast\n    method: lstm\n"),
            "x.yaml:4: control.predictor.method: 'lstm' is not a valid choice (expected one of ar, ewma, ma, "
            "persistence)");
}

TEST(ScenarioGenericKeys, OutOfRangeValuesNameTheLineAndKey) {
  struct Case {
    const char* text;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"migration:\n  working_set_fraction: 2\n",
       "x.yaml:2: migration.working_set_fraction: 2 is out of range (expected a number in [0, 1])"},
      {"migration:\n  prepaging_fraction: -0.1\n",
       "x.yaml:2: migration.prepaging_fraction: -0.1 is out of range (expected a number in [0, 1])"},
      {"migration:\n  page_kb: 0\n",
       "x.yaml:2: migration.page_kb: 0 is out of range (expected a number in (0, 1048576])"},
      {"demand:\n  max_services: -1\n", "x.yaml:2: demand.max_services: -1 is out of range (expected an integer >= 0)"},
      {"demand:\n  max_services: 2.5\n", "x.yaml:2: demand.max_services: '2.5' is not an integer"},
      {"environment:\n  p_leave_stddev: -0.01\n",
       "x.yaml:2: environment.p_leave_stddev: -0.01 is out of range (expected a number in [0, 1])"},
      {"environment:\n  leave_probe_delay_s: -1\n",
       "x.yaml:2: environment.leave_probe_delay_s: -1 is out of range (expected a number in [0, 1e9])"},
      {"environment:\n  jobs:\n    duration_mean_s: 0\n",
       "x.yaml:3: environment.jobs.duration_mean_s: 0 is out of range (expected a number in (0, 1e9])"},
      {"environment:\n  jobs:\n    cpu_overcommit: 0\n",
       "x.yaml:3: environment.jobs.cpu_overcommit: 0 is out of range (expected a number in (0, 1000])"},
      {"environment:\n  jobs:\n    cpu_ips: {mean: 1, stddev: -2}\n",
       "x.yaml:3: environment.jobs.cpu_ips.stddev: -2 is out of range (expected a number in [0, 1e12])"},
      {"environment:\n  jobs:\n    ram_mb: lots\n", "x.yaml:3: environment.jobs.ram_mb: 'lots' is not a number"},
      {"chains:\n  functions_per_node: -0.5\n",
       "x.yaml:2: chains.functions_per_node: -0.5 is out of range (expected a number in [0, 100])"},
      {"control:\n  predictor:\n    window: 5\n",
       "x.yaml:3: control.predictor.window: 5 is out of range (expected an integer >= 6 and <= 1000)"},
      {"control:\n  predictor:\n    horizon_periods: 0\n",
       "x.yaml:3: control.predictor.horizon_periods: 0 is out of range (expected an integer >= 1 and <= 1000)"},
      {"control:\n  predictor:\n    cpu_threshold_pct: 0\n",
       "x.yaml:3: control.predictor.cpu_threshold_pct: 0 is out of range (expected a number in (0, 100])"},
      {"control:\n  predictor:\n    training_nodes: 0\n",
       "x.yaml:3: control.predictor.training_nodes: 0 is out of range (expected an integer >= 2"},
      {"control:\n  predictor:\n    training_hours: 0\n",
       "x.yaml:3: control.predictor.training_hours: 0 is out of range (expected a number in (0, 8760])"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(parse_error(c.text), HasSubstr(c.message));
  }
}

TEST(ScenarioGenericKeys, UnknownJobsKeyListsTheJobsKeys) {
  EXPECT_EQ(parse_error("environment:\n  jobs:\n    initial_job: 3\n"),
            "x.yaml:3: environment.jobs.initial_job: unknown key, did you mean initial_jobs? (expected one of "
            "initial_jobs, rate_per_hour, cpu_ips, ram_mb, duration_mean_s, cpu_overcommit)");
  EXPECT_THAT(parse_error("environment:\n  jobs: 5\n"),
              HasSubstr("x.yaml:2: environment.jobs: '5' is not a map (expected a map with keys initial_jobs,"));
}

TEST(ScenarioGenericKeys, OverridesReachNestedKeys) {
  const Scenario s = parse_scenario(
      "environment:\n  kind: generic\n  jobs:\n    cpu_overcommit: 1.5\n", "x.yaml",
      {"environment.jobs.cpu_overcommit=3", "environment.jobs.ram_mb.stddev=10", "environment.jobs.initial_jobs=4",
       "environment.p_leave_stddev=0.01", "control.predictor.kind=forecast", "control.predictor.method=ma",
       "control.predictor.window=30", "migration.protocol=post-copy-push", "migration.working_set_fraction=0.1",
       "chains.functions_per_node=0.25", "demand.max_services=7"});
  EXPECT_EQ(s.environment.kind, "generic");
  EXPECT_EQ(s.environment.jobs.cpu_overcommit, 3);
  EXPECT_EQ(s.environment.jobs.ram_mb.mean, 256);  // the other sub-keys keep their defaults
  EXPECT_EQ(s.environment.jobs.ram_mb.stddev, 10);
  EXPECT_EQ(s.environment.jobs.ram_mb.min, 16);
  EXPECT_EQ(s.environment.jobs.initial_jobs.mean, 4);
  EXPECT_EQ(s.environment.jobs.initial_jobs.stddev, 0);
  EXPECT_EQ(s.environment.p_leave_stddev, 0.01);
  EXPECT_EQ(s.control.predictor.kind, "forecast");
  EXPECT_EQ(s.control.predictor.method, "ma");
  EXPECT_EQ(s.control.predictor.window, 30);
  EXPECT_EQ(s.migration.protocol, "post-copy-push");
  EXPECT_EQ(s.migration.working_set_fraction, 0.1);
  EXPECT_EQ(s.chains.functions_per_node, 0.25);
  EXPECT_EQ(s.demand.max_services, 7);
}

TEST(ScenarioGenericKeys, BadOverridesNameTheOverride) {
  EXPECT_THAT(parse_error("", {"migration.protocol=bogus"}),
              HasSubstr("--set migration.protocol=bogus: migration.protocol: 'bogus' is not a valid choice (expected "
                        "one of stop-and-copy, pre-copy,"));
  EXPECT_EQ(parse_error("", {"environment.jobs.cpu_overcommit=0"}),
            "--set environment.jobs.cpu_overcommit=0: environment.jobs.cpu_overcommit: 0 is out of range (expected a "
            "number in (0, 1000])");
  EXPECT_THAT(parse_error("", {"environment.jobs.overcommit=2"}),
              HasSubstr("--set environment.jobs.overcommit=2: environment.jobs.overcommit: unknown key"));
  EXPECT_THAT(parse_error("", {"control.predictor.method=lstm"}),
              HasSubstr("--set control.predictor.method=lstm: control.predictor.method: 'lstm' is not a valid choice"));
  // A file error elsewhere still points at the file.
  EXPECT_THAT(parse_error("demand:\n  max_services: -1\n", {"environment.jobs.cpu_overcommit=3"}),
              HasSubstr("x.yaml:2: demand.max_services: -1 is out of range"));
}

TEST(ScenarioGenericKeys, FunctionsPerNodeSetsTheChainLength) {
  ChainSpec spec;
  spec.functions_per_node = 0.5;
  Rng rng(3);
  EXPECT_EQ(generate_chain(ChainId(0), spec, rng, 40).functions.size(), 20u);
  EXPECT_EQ(generate_chain(ChainId(1), spec, rng, 40).functions.size(), 20u);  // no draw: every chain alike
  EXPECT_EQ(generate_chain(ChainId(2), spec, rng, 7).functions.size(), 4u);    // round(3.5) = 4
  spec.functions_per_node = 0.01;
  EXPECT_EQ(generate_chain(ChainId(3), spec, rng, 40).functions.size(), 1u);  // at least one VF
  spec.functions_per_node = 0.5;
  spec.functions = NormalSpec{100, 0, 1};  // ignored when functions_per_node is set
  EXPECT_EQ(generate_chain(ChainId(4), spec, rng, 40).functions.size(), 20u);
  spec.functions_per_node = 0;  // 0: drawn from `functions` again
  EXPECT_EQ(generate_chain(ChainId(5), spec, rng, 40).functions.size(), 100u);
}

}  // namespace
}  // namespace vfo

namespace vfo {
namespace {

TEST(ScenarioGenericKeys, GenericEnvironmentAssessesWithTheForecaster) {
  // By default the generic environment's predictor is the forecaster; the confusion predictor, which needs
  // the overloads known in advance, is refused there, and a model needs kind forecast.
  EXPECT_EQ(parse_scenario("environment:\n  kind: generic\n", "x.yaml").control.predictor.kind, "forecast");
  EXPECT_EQ(parse_scenario("name: a\n", "x.yaml").control.predictor.kind, "confusion");
  EXPECT_EQ(parse_error("environment:\n  kind: generic\ncontrol:\n  predictor:\n    kind: confusion\n"),
            "x.yaml:5: control.predictor.kind: confusion needs environment.kind dedicated (the generic "
            "environment's overloads are not known in advance) (expected control.predictor.kind: forecast)");
  EXPECT_THAT(parse_error("control:\n  predictor:\n    model: m\n"),
              HasSubstr("x.yaml:3: control.predictor.model: a model is given but control.predictor.kind is confusion"));
}

}  // namespace
}  // namespace vfo
