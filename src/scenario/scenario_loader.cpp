#include "vfo/scenario/scenario_loader.hpp"
#include "vfo/scenario/study_size.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/text.hpp"

#include "vfo/migration/migration_protocol.hpp"
#include "vfo/placement/placer_factory.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/value_ranges.hpp"
#include "scenario/yaml_schema.hpp"

// How it works: the file is parsed into a YAML tree, `--set` overrides are written into that tree, and
// then one walk over the tree fills a Scenario, checking every key and value on the way. The list of
// keys exists once, in the *_fields functions below: they are run with yaml_schema::collect_schema to learn
// the key tree (for unknown-key messages and for checking override keys) and with a yaml_schema::MapReader
// to read (yaml_schema.hpp has the generic machinery; this file has what is particular to scenarios).

namespace vfo {
namespace {

using yaml_schema::Context;
using yaml_schema::describe_node;
using yaml_schema::expected_map;
using yaml_schema::FieldVisitor;
using yaml_schema::find_entry;
using yaml_schema::format_number;
using yaml_schema::IntRange;
using yaml_schema::join_path;
using yaml_schema::locate;
using yaml_schema::Located;
using yaml_schema::one_line;
using yaml_schema::Range;
using yaml_schema::SchemaNode;
using namespace value_ranges;  // NOLINT(google-build-using-namespace): the shared ranges, by name
using yaml_schema::suggestion;

const std::vector<std::string> kEnvironmentKinds = {"dedicated", "generic"};
const std::vector<std::string> kDemandModes = {"low", "normal", "high", "custom"};
const std::vector<std::string> kPlacers = placer_names();
const std::vector<std::pair<std::string, PlacementCost>> kPlacementCosts = {{"load", PlacementCost::load},
                                                                            {"speed", PlacementCost::speed}};
const std::vector<std::string> kPredictorKinds = {"confusion", "forecast"};
const std::vector<std::string> kForecastMethods = {"ar", "ewma", "ma", "persistence"};
const std::vector<std::string> kProtocols = protocol_names();
const std::vector<std::string> kKubernetesProfiles = {"default", "v1.32", "tuned"};

double rate_for_mode(const std::string& mode) {
  if (mode == "low") return 54;
  if (mode == "high") return 118;
  return 83;  // normal
}

// ---------------------------------------------------------------------------------------------------
// The fields of each struct, in one place

void jobs_fields(FieldVisitor& v, JobsSpec& j) {
  v.normal("initial_jobs", j.initial_jobs, Range::closed(0, 1000));
  v.normal("rate_per_hour", j.rate_per_hour, Range::closed(0, 10000));
  v.normal("cpu_ips", j.cpu_ips, kInstructions);
  v.normal("ram_mb", j.ram_mb, kFunctionRamMb);
  v.number("duration_mean_s", j.duration_mean_s, kPositiveSeconds);
  v.number("cpu_overcommit", j.cpu_overcommit, Range::open_closed(0, 1000));
}

void environment_fields(FieldVisitor& v, EnvironmentSpec& e) {
  v.text("kind", e.kind, kEnvironmentKinds);
  v.integer("nodes", e.nodes, IntRange{1, 1'000'000});
  v.normal("link_mbps", e.link_mbps, kLinkMbps);
  v.number("link_latency_ms", e.link_latency_ms, kLatencyMs);
  v.number("orchestrator_link_mbps", e.orchestrator_link_mbps, kLinkMbps);
  v.normal("node_speed_ips", e.node_speed_ips, kSpeedIps);
  v.normal("node_ram_mb", e.node_ram_mb, kNodeRamMb);
  v.number("p_leave", e.p_leave, Range::closed(0, 1));
  v.number("p_overload", e.p_overload, Range::closed(0, 1));
  v.number("probability_window_s", e.probability_window_s, kPositiveSeconds);
  v.number("node_recovery_s", e.node_recovery_s, kSeconds);
  v.number("overload_duration_s", e.overload_duration_s, kSeconds);
  v.number("p_leave_stddev", e.p_leave_stddev, Range::closed(0, 1));
  v.number("leave_probe_delay_s", e.leave_probe_delay_s, kSeconds);
  v.section("jobs", [&](FieldVisitor& sub) { jobs_fields(sub, e.jobs); });
}

void chain_fields(FieldVisitor& v, ChainSpec& c) {
  v.normal("functions", c.functions, kFunctionsPerChain);
  v.normal("load_ipf", c.load_ipf, kInstructions);
  v.normal("output_bytes", c.output_bytes, kFrameBytes);
  v.normal("ram_mb", c.ram_mb, kFunctionRamMb);
  v.normal("state_mb", c.state_mb, kStateMb);
  v.normal("image_mb", c.image_mb, kImageMb);
  v.normal("dirty_mb_per_s", c.dirty_mb_per_s, kDirtyMbPerS);
  v.number("fps", c.fps, kFps);
  v.number("functions_per_node", c.functions_per_node, Range::closed(0, 100));
}

void demand_fields(FieldVisitor& v, DemandSpec& d) {
  v.text("mode", d.mode, kDemandModes);
  v.number("rate_per_hour", d.rate_per_hour, Range::open_closed(0, 1e6));
  v.number("lifetime_s", d.lifetime_s, kPositiveSeconds);
  v.integer("max_services", d.max_services, IntRange{0, INT_MAX});
  v.number("patience_s", d.patience_s, kSeconds);
}

void predictor_fields(FieldVisitor& v, PredictorSpec& p) {
  v.text("kind", p.kind, kPredictorKinds);
  v.number("true_positive_rate", p.true_positive_rate, Range::closed(0, 1));
  v.number("false_positive_rate", p.false_positive_rate, Range::closed(0, 1));
  v.integer("lead_periods", p.lead_periods, IntRange{0, 1000});
  v.text("method", p.method, kForecastMethods);
  v.integer("window", p.window, IntRange{6, 1000});
  v.integer("horizon_periods", p.horizon_periods, IntRange{1, 1000});
  v.number("cpu_threshold_pct", p.cpu_threshold_pct, Range::open_closed(0, 100));
  v.integer("training_nodes", p.training_nodes, IntRange{2, 100'000});
  v.number("training_hours", p.training_hours, Range::open_closed(0, 8760));
  v.text("model", p.model, {});
  v.boolean("guard", p.guard);
  v.integer("cascade_refresh_rounds", p.cascade_refresh_rounds, IntRange{0, 1'000'000});
  v.number("cascade_screen_p", p.cascade_screen_p, Range::open_closed(0, 1));
}

void control_fields(FieldVisitor& v, ControlSpec& c) {
  v.number("probing_period_s", c.probing_period_s, kPositiveTimerS);
  v.number("probe_timeout_s", c.probe_timeout_s, kTimerS);  // and < probing_period_s: check_control
  v.boolean("live_migration", c.live_migration);
  v.number("k", c.k, Range::closed(0, 1));
  v.number("utilisation_cap", c.utilisation_cap, Range::open_closed(0, 1));
  v.number("placement_s", c.placement_s, kTimerS);
  v.text("placer", c.placer, kPlacers);
  v.integer("max_functions_per_node", c.max_functions_per_node, IntRange{0, 1'000'000});
  v.choice("placement_cost", c.placement_cost, kPlacementCosts);
  v.section("predictor", [&](FieldVisitor& sub) { predictor_fields(sub, c.predictor); });
  v.choice("recovery", c.recovery, recovery_names());
  v.text("kubernetes_profile", c.kubernetes_profile, kKubernetesProfiles);
  v.number("kubernetes_toleration_s", c.kubernetes_toleration_s, Range::closed(0, 10));
}

void migration_fields(FieldVisitor& v, MigrationSpec& m) {
  v.integer("max_rounds", m.max_rounds, IntRange{1, INT_MAX});
  v.number("stop_mb", m.stop_mb, kStateMb);
  v.number("start_s", m.start_s, kTimerS);
  v.number("switch_s", m.switch_s, kTimerS);
  v.integer("max_concurrent_per_node", m.max_concurrent_per_node, IntRange{1, INT_MAX});
  v.text("protocol", m.protocol, kProtocols);
  v.number("page_kb", m.page_kb, Range::open_closed(0, 1048576));
  v.number("working_set_fraction", m.working_set_fraction, Range::closed(0, 1));
  v.number("prepaging_fraction", m.prepaging_fraction, Range::closed(0, 1));
}

const std::vector<std::string> kAutoscalingPolicies = {"none", "vfo", "hpa"};

void hpa_fields(FieldVisitor& v, HpaSpec& h) {
  v.number("target_utilisation", h.target_utilisation, Range::open_closed(0, 10));
  v.number("tolerance", h.tolerance, Range::closed(0, 10));
  v.number("sync_period_s", h.sync_period_s, kPositiveTimerS);
  v.number("scale_down_window_s", h.scale_down_window_s, Range::closed(0, 3600));
  v.number("metrics_window_s", h.metrics_window_s, kPositiveTimerS);
  v.number("cpu_request_share", h.cpu_request_share, Range::open_closed(0, 1));
  v.integer("min_replicas", h.min_replicas, IntRange{1, 1000});
}

void autoscaling_fields(FieldVisitor& v, AutoscalingSpec& a) {
  v.text("policy", a.policy, kAutoscalingPolicies);
  v.custom("load_ipf", "a non-empty list of each VF's instructions per frame, each " + kInstructions.describe(),
           [&](const yaml_schema::Field& field) {
             a.load_ipf.clear();
             const std::string expected = kInstructions.describe() + " (instructions per frame)";
             yaml_schema::for_each_item(
                 field, "numbers", expected, [&](const std::string& path, const YAML::Node& item, int line) {
                   a.load_ipf.push_back(yaml_schema::number_item(field, path, item, line, kInstructions, expected));
                 });
           });
  v.number("fps_min", a.fps_min, Range::closed(0, 1000));
  v.number("fps_max", a.fps_max, Range::closed(0, 1000));  // and >= fps_min: check_autoscaling
  v.number("change_every_s", a.change_every_s, kPositiveSeconds);
  v.number("idle_first_s", a.idle_first_s, kSeconds);
  v.integer("max_replicas_per_vf", a.max_replicas_per_vf, IntRange{1, 1000});
  v.number("image_mb", a.image_mb, kImageMb);
  v.number("sample_every_s", a.sample_every_s, kPositiveSeconds);
  v.section("hpa", [&](FieldVisitor& sub) { hpa_fields(sub, a.hpa); });
}

void scenario_fields(FieldVisitor& v, Scenario& s) {
  v.text("name", s.name, {});
  v.unsigned64("seed", s.seed);
  v.number("duration_s", s.duration_s, kPositiveSeconds);
  v.section("environment", [&](FieldVisitor& sub) { environment_fields(sub, s.environment); });
  v.section("chains", [&](FieldVisitor& sub) { chain_fields(sub, s.chains); });
  v.section("demand", [&](FieldVisitor& sub) { demand_fields(sub, s.demand); });
  v.section("control", [&](FieldVisitor& sub) { control_fields(sub, s.control); });
  v.section("migration", [&](FieldVisitor& sub) { migration_fields(sub, s.migration); });
  v.section("autoscaling", [&](FieldVisitor& sub) { autoscaling_fields(sub, s.autoscaling); });
  v.foreign_map("sweep", "a map, read by the sweep loader");
}

const SchemaNode& scenario_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    Scenario scratch;
    scenario_fields(v, scratch);
  });
  return schema;
}

// Rules between fields, after every field is read.
void check_demand(const Context& context, const YAML::Node& root, DemandSpec& demand) {
  const Located rate = locate(root, "demand.rate_per_hour");
  if (demand.mode != "custom") {
    if (rate.found) {
      const bool mode_given = locate(root, "demand.mode").found;
      context.fail("demand.rate_per_hour", rate.line,
                   "demand.rate_per_hour: a rate is given but demand.mode is " + demand.mode +
                       (mode_given ? "" : " by default") + ", which sets it to " +
                       format_number(rate_for_mode(demand.mode)) + " per hour",
                   "no rate_per_hour with mode " + demand.mode + ": set mode: custom to give a rate");
    }
    demand.rate_per_hour = rate_for_mode(demand.mode);
  } else if (!rate.found) {
    const Located mode = locate(root, "demand.mode");
    context.fail("demand.mode", mode.line, "demand.rate_per_hour: missing, and demand.mode custom needs it",
                 "demand.rate_per_hour > 0 with mode: custom");
  }
}

void check_control(const Context& context, const YAML::Node& root, const ControlSpec& control) {
  if (!control.predictor.model.empty() && control.predictor.kind != "forecast") {
    const Located model = locate(root, "control.predictor.model");
    context.fail("control.predictor.model", model.line,
                 "control.predictor.model: a model is given but control.predictor.kind is " + control.predictor.kind,
                 "control.predictor.kind: forecast with a model");
  }
  if (control.probe_timeout_s < control.probing_period_s) return;
  const Located timeout = locate(root, "control.probe_timeout_s");
  const Located period = locate(root, "control.probing_period_s");
  const bool at_timeout = timeout.found || !period.found;
  context.fail(at_timeout ? "control.probe_timeout_s" : "control.probing_period_s",
               at_timeout ? timeout.line : period.line,
               "control.probe_timeout_s: " + format_number(control.probe_timeout_s) +
                   " is not less than control.probing_period_s = " + format_number(control.probing_period_s),
               "0 <= probe_timeout_s < probing_period_s");
}

void check_autoscaling(const Context& context, const YAML::Node& root, const AutoscalingSpec& a) {
  if (a.fps_max >= a.fps_min) return;
  const Located max = locate(root, "autoscaling.fps_max");
  const Located min = locate(root, "autoscaling.fps_min");
  const bool at_max = max.found || !min.found;
  context.fail(at_max ? "autoscaling.fps_max" : "autoscaling.fps_min", at_max ? max.line : min.line,
               "autoscaling.fps_max: " + format_number(a.fps_max) +
                   " is below autoscaling.fps_min = " + format_number(a.fps_min),
               "fps_min <= fps_max");
}

// The confusion predictor needs the truth of future overloads, which only the dedicated environment draws
// in advance; the generic environment's default is the forecaster.
void check_predictor(const Context& context, const YAML::Node& root, Scenario& scenario) {
  if (scenario.environment.kind != "generic" || scenario.control.predictor.kind != "confusion") return;
  const Located kind = locate(root, "control.predictor.kind");
  if (!kind.found) {
    scenario.control.predictor.kind = "forecast";
    return;
  }
  context.fail("control.predictor.kind", kind.line,
               "control.predictor.kind: confusion needs environment.kind dedicated (the generic environment's "
               "overloads are not known in advance)",
               "control.predictor.kind: forecast");
}

// A study whose estimated size exceeds the machine's memory is refused at the key that dominates it.
void check_size(const Context& context, const YAML::Node& root, const Scenario& scenario) {
  const StudySize size = estimate_study_size(scenario);
  const double memory = physical_memory_bytes();
  if (size.bytes <= memory) return;
  Located at = locate(root, size.dominant_key);
  std::string key = size.dominant_key;
  if (!at.found) {
    key = "duration_s";
    at = locate(root, key);
  }
  context.fail(key, at.line,
               key + ": the study would hold " + size.describe() + ", more than this machine's memory (" +
                   fmt::format("{:.3g}", memory / 1e9) + " GB)",
               "a study that fits: fewer nodes, events, chains or VFs, or a shorter duration_s");
}

// ---------------------------------------------------------------------------------------------------
// Loading and overriding

[[noreturn]] void fail_override(const std::string& text, const std::string& what, const std::string& expected) {
  throw InputError(one_line("--set " + text + ": " + what + " (expected " + expected + ")"));
}

void apply_override(Context& context, YAML::Node& root, const std::string& text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos) {
    fail_override(text, "no '=' in it", "KEY=VALUE, e.g. environment.nodes=200");
  }
  const std::string key = trim(std::string_view(text).substr(0, equals));
  if (key.empty()) fail_override(text, "no key before '='", "KEY=VALUE with a dotted key such as environment.nodes");

  // The key, against the key tree.
  std::vector<std::string> parts;
  std::vector<const SchemaNode*> schemas;
  const SchemaNode* schema = &scenario_schema();
  std::string path;
  for (std::size_t start = 0; start <= key.size();) {
    const std::size_t dot = std::min(key.find('.', start), key.size());
    const std::string part = key.substr(start, dot - start);
    const std::string here = join_path(path, part);
    if (schema->kind == SchemaNode::Kind::kValue) {
      fail_override(text, here + ": unknown key, " + path + " has no sub-keys", "a key that ends at " + path);
    }
    const SchemaNode* child = schema->child(part);
    if (child == nullptr) {
      fail_override(text, here + ": unknown key" + suggestion(part, schema->keys()),
                    "one of " + join(schema->keys()) + (path.empty() ? "" : " after " + path + "."));
    }
    if (child->kind == SchemaNode::Kind::kForeign) {
      fail_override(text, here + ": not a scenario setting",
                    "a key such as environment.nodes; " + here + " is read by the sweep loader");
    }
    parts.push_back(part);
    schemas.push_back(child);
    schema = child;
    path = here;
    start = dot + 1;
  }

  YAML::Node value;
  try {
    value = YAML::Load(text.substr(equals + 1));
  } catch (const YAML::Exception& e) {
    fail_override(text, key + ": the value is not valid YAML: " + e.msg,
                  "a YAML value such as 5, true, text or {mean: 50, stddev: 1}");
  }

  // Walk down the tree, making the maps that are missing.
  YAML::Node current = root;
  int line = 1;
  path.clear();
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    path = join_path(path, parts[i]);
    const auto entry = find_entry(current, parts[i], line);
    if (entry) line = entry->line;
    if (!entry || entry->value.IsNull()) {
      current[parts[i]] = YAML::Node(YAML::NodeType::Map);
    } else if (entry->value.IsScalar() && schemas[i]->kind == SchemaNode::Kind::kNormal) {
      YAML::Node spelled_out(YAML::NodeType::Map);  // a constant c is {mean: c, stddev: 0}
      spelled_out["mean"] = entry->value;
      spelled_out["stddev"] = 0;
      current[parts[i]] = spelled_out;
    } else if (!entry->value.IsMap()) {
      context.fail(path, line, path + ": " + describe_node(entry->value) + " is not a map", expected_map(*schemas[i]));
    }
    YAML::Node next = current[parts[i]];
    current.reset(next);
  }
  current[parts.back()] = value;
  context.add_override(key, text);
}

Scenario parse(const std::string& text, const std::string& source, const std::vector<std::string>& overrides) {
  Context context(source);
  YAML::Node root = yaml_schema::load_document(context, text, scenario_schema());
  for (const std::string& o : overrides) apply_override(context, root, o);

  Scenario scenario;
  yaml_schema::MapReader reader(context, scenario_schema(), root, "", 1);
  scenario_fields(reader, scenario);
  check_demand(context, root, scenario.demand);
  check_predictor(context, root, scenario);  // first: it settles the predictor's kind
  check_control(context, root, scenario.control);
  check_autoscaling(context, root, scenario.autoscaling);
  check_size(context, root, scenario);
  scenario.source_file = source;
  return scenario;
}

}  // namespace

std::optional<std::string> unknown_scenario_key(const std::string& key) {
  const SchemaNode* schema = &scenario_schema();
  std::string path;
  for (std::size_t start = 0; start <= key.size();) {
    const std::size_t dot = std::min(key.find('.', start), key.size());
    const std::string part = key.substr(start, dot - start);
    const std::string here = join_path(path, part);
    if (schema->kind == SchemaNode::Kind::kValue) return here + ": unknown key, " + path + " has no sub-keys";
    const SchemaNode* child = schema->child(part);
    if (child == nullptr || child->kind == SchemaNode::Kind::kForeign) {
      return here + ": unknown key" + suggestion(part, schema->keys());
    }
    schema = child;
    path = here;
    start = dot + 1;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> scenario_numeric_keys() {
  std::vector<std::pair<std::string, std::string>> keys;
  const std::function<void(const SchemaNode&, const std::string&)> walk = [&](const SchemaNode& node,
                                                                              const std::string& path) {
    for (const SchemaNode& child : node.children) {
      const std::string here = join_path(path, child.name);
      if (child.kind == SchemaNode::Kind::kValue && !child.expected.empty()) keys.emplace_back(here, child.expected);
      if (child.kind == SchemaNode::Kind::kMap || child.kind == SchemaNode::Kind::kNormal) walk(child, here);
    }
  };
  walk(scenario_schema(), "");
  return keys;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  return parse(read_input_file(path, "a readable YAML scenario"), path, overrides);
}

Scenario parse_scenario(const std::string& yaml_text, const std::string& source_name,
                        const std::vector<std::string>& overrides) {
  return parse(yaml_text, source_name, overrides);
}

}  // namespace vfo
