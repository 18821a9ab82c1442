#include "vfo/scenario/placement_file.hpp"
#include "vfo/util/file_io.hpp"
#include "vfo/util/text.hpp"

#include <yaml-cpp/yaml.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scenario/value_ranges.hpp"
#include "scenario/yaml_schema.hpp"
#include "vfo/model/units.hpp"
#include "vfo/scenario/generators.hpp"
#include "vfo/util/random.hpp"

// How it works: the file is read in one walk with yaml_schema (the keys of each part are listed once, in the
// *_fields functions below). `nodes` and `chains` are custom fields: a list is read item by item, a map is a
// generator spec. Rules that span parts (pinned nodes exist, bandwidth needs spread_chain) are checked after
// the walk, at the line of the key that breaks them.

namespace vfo {
namespace {

using yaml_schema::Context;
using yaml_schema::Field;
using yaml_schema::FieldVisitor;
using namespace value_ranges;  // NOLINT(google-build-using-namespace): the shared ranges, by name
using yaml_schema::for_each_item;
using yaml_schema::IntRange;
using yaml_schema::MapReader;
using yaml_schema::Range;
using yaml_schema::SchemaNode;

constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();

// A node as the file gives it (units of the file).
struct NodeEntry {
  int id = -1;  // required
  double speed_ips = 1e5;
  double ram_mb = 4096;
  double cpu_capacity_ips = kUnset;  // unset: speed_ips
  double used_cpu_ips = 0;
  double used_ram_mb = 0;
  int functions = 0;
  double link_mbps = 98;
  double latency_ms = 5;
  bool avoid = false;
};

struct FunctionEntry {
  double load_ipf = 1e4;
  double ram_mb = 64;
  double output_bytes = 1e5;
  int pinned = -1;  // unset: free
};

struct ChainEntry {
  int id = -1;  // required
  double fps = 1;
};

// What generates nodes: EnvironmentSpec's fields that placement uses.
struct NodeGenerator {
  int count = 100;
  EnvironmentSpec spec;
};

struct ChainGenerator {
  int count = 1;
  ChainSpec spec;
};

// A pinned VF, for the check that its node exists.
struct Pin {
  std::string path;  // of the `pinned` key
  int line = 1;
  NodeId node;
};

struct Reading {
  std::uint64_t seed = 1;
  PlacementProblem problem;
  bool has_nodes = false;
  bool has_chains = false;
  std::vector<Pin> pins;
};

// ---------------------------------------------------------------------------------------------------
// The fields of each part, in one place

void model_fields(FieldVisitor& v, PlacementModel& m) {
  v.integer("max_functions_per_node", m.max_functions_per_node, IntRange{0, INT_MAX});
  v.boolean("qos_time", m.qos_time);
  v.boolean("capacity", m.capacity);
  v.boolean("bandwidth", m.bandwidth);
  v.boolean("spread_chain", m.spread_chain);
  v.boolean("replication", m.replication);
  v.integer("max_replicas", m.max_replicas, IntRange{1, 1000});
}

void node_fields(FieldVisitor& v, NodeEntry& n) {
  v.integer("id", n.id, IntRange{0, INT_MAX});
  v.number("speed_ips", n.speed_ips, kSpeedIps);
  v.number("ram_mb", n.ram_mb, Range::closed(0, kNodeRamMb.hi));
  v.number("cpu_capacity_ips", n.cpu_capacity_ips, Range::closed(0, kSpeedIps.hi));
  v.number("used_cpu_ips", n.used_cpu_ips, Range::closed(0, kSpeedIps.hi));
  v.number("used_ram_mb", n.used_ram_mb, Range::closed(0, kNodeRamMb.hi));
  v.integer("functions", n.functions, IntRange{0, 1'000'000});
  v.number("link_mbps", n.link_mbps, Range::closed(0, kLinkMbps.hi));
  v.number("latency_ms", n.latency_ms, kLatencyMs);
  v.boolean("avoid", n.avoid);
}

void node_generator_fields(FieldVisitor& v, NodeGenerator& g) {
  v.integer("count", g.count, IntRange{1, 1'000'000});
  v.normal("speed_ips", g.spec.node_speed_ips, kSpeedIps);
  v.normal("ram_mb", g.spec.node_ram_mb, kNodeRamMb);
  v.normal("link_mbps", g.spec.link_mbps, kLinkMbps);
  v.number("latency_ms", g.spec.link_latency_ms, kLatencyMs);
}

void function_fields(FieldVisitor& v, FunctionEntry& f) {
  v.number("load_ipf", f.load_ipf, Range::open_closed(0, kInstructions.hi));
  v.number("ram_mb", f.ram_mb, kFunctionRamMb);
  v.number("output_bytes", f.output_bytes, kFrameBytes);
  v.integer("pinned", f.pinned, IntRange{0, INT_MAX});
}

const char* const kFunctionsExpected =
    "a non-empty list of functions {load_ipf, ram_mb, output_bytes, pinned}, in chain order";

// `read_functions` reads the `functions` list; it is not run when the key is absent.
void chain_fields(FieldVisitor& v, ChainEntry& c, const std::function<void(const Field&)>& read_functions) {
  v.integer("id", c.id, IntRange{0, INT_MAX});
  v.number("fps", c.fps, kFps);
  v.custom("functions", kFunctionsExpected, read_functions);
}

void chain_generator_fields(FieldVisitor& v, ChainGenerator& g) {
  v.integer("count", g.count, IntRange{1, 1'000'000});
  v.normal("functions", g.spec.functions, kFunctionsPerChain);
  v.normal("load_ipf", g.spec.load_ipf, kInstructions);
  v.normal("output_bytes", g.spec.output_bytes, kFrameBytes);
  v.normal("ram_mb", g.spec.ram_mb, kFunctionRamMb);
  v.number("fps", g.spec.fps, kFps);
}

const char* const kNodesExpected =
    "a non-empty list of nodes {id, speed_ips, ram_mb, ...}, or a map {count, speed_ips, ram_mb, link_mbps, "
    "latency_ms} to generate them";
const char* const kChainsExpected =
    "a non-empty list of chains {id, fps, functions}, or a map {count, functions, load_ipf, output_bytes, ram_mb, "
    "fps} to generate them";

void problem_fields(FieldVisitor& v, std::uint64_t& seed, PlacementModel& model,
                    const std::function<void(const Field&)>& read_nodes,
                    const std::function<void(const Field&)>& read_chains) {
  v.unsigned64("seed", seed);
  v.section("model", [&](FieldVisitor& sub) { model_fields(sub, model); });
  v.custom("nodes", kNodesExpected, read_nodes);
  v.custom("chains", kChainsExpected, read_chains);
}

// The key trees, collected once.

const SchemaNode& problem_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    std::uint64_t seed = 0;
    PlacementModel model;
    problem_fields(v, seed, model, {}, {});
  });
  return schema;
}

const SchemaNode& node_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    NodeEntry scratch;
    node_fields(v, scratch);
  });
  return schema;
}

const SchemaNode& node_generator_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    NodeGenerator scratch;
    node_generator_fields(v, scratch);
  });
  return schema;
}

const SchemaNode& function_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    FunctionEntry scratch;
    function_fields(v, scratch);
  });
  return schema;
}

const SchemaNode& chain_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    ChainEntry scratch;
    chain_fields(v, scratch, {});
  });
  return schema;
}

const SchemaNode& chain_generator_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    ChainGenerator scratch;
    chain_generator_fields(v, scratch);
  });
  return schema;
}

// ---------------------------------------------------------------------------------------------------
// Lists

// Line of the key `key` of the list item `item` (which starts at `item_line`).
int key_line(const YAML::Node& item, const char* key, int item_line) {
  const auto entry = yaml_schema::find_entry(item, key, item_line);
  return entry ? entry->line : item_line;
}

// Fails unless `id` (read from `path`.id) is given and not seen before in the list; remembers it.
void check_id(const Context& context, const std::string& path, const YAML::Node& item, int item_line, int id,
              const char* noun, std::map<int, int>& seen_lines) {
  if (id < 0) {
    context.fail(path + ".id", item_line, path + ".id: missing",
                 std::string("a ") + noun + " id: an integer >= 0, distinct in the list");
  }
  const int line = key_line(item, "id", item_line);
  const auto [it, inserted] = seen_lines.emplace(id, line);
  if (!inserted) {
    context.fail(
        path + ".id", line,
        path + ".id: " + std::to_string(id) + " is given twice (first at line " + std::to_string(it->second) + ")",
        std::string("distinct ") + noun + " ids");
  }
}

// ---------------------------------------------------------------------------------------------------
// Nodes

PlacementNode to_placement_node(const NodeEntry& n) {
  PlacementNode out;
  out.id = NodeId(static_cast<std::uint32_t>(n.id));
  out.speed_ips = n.speed_ips;
  out.capacity.cpu_ips = std::isnan(n.cpu_capacity_ips) ? n.speed_ips : n.cpu_capacity_ips;
  out.capacity.ram_bytes = units::megabytes(n.ram_mb);
  out.used.cpu_ips = n.used_cpu_ips;
  out.used.ram_bytes = units::megabytes(n.used_ram_mb);
  out.functions = n.functions;
  out.link_free_bps = units::mbps_to_bytes_per_second(n.link_mbps);
  out.latency_s = units::milliseconds(n.latency_ms);
  out.avoid = n.avoid;
  return out;
}

void read_nodes(const Field& field, Reading& r) {
  r.has_nodes = true;
  const Context& context = *field.context;
  if (field.value.IsMap()) {
    NodeGenerator generator;
    MapReader reader(context, node_generator_schema(), field.value, field.path, field.line);
    node_generator_fields(reader, generator);
    generator.spec.nodes = generator.count;
    Rng rng(r.seed, "topology");
    const Topology topology = generate_topology(generator.spec, rng);
    for (const Node& node : topology.nodes) {
      PlacementNode n;
      n.id = node.id;
      n.speed_ips = node.capacity.cpu_ips;
      n.capacity = node.capacity;
      n.link_free_bps = node.uplink.bandwidth_bps;
      n.latency_s = node.uplink.latency_s;
      r.problem.nodes.push_back(n);
    }
    return;
  }
  if (!field.value.IsSequence() && !field.value.IsNull()) {
    field.fail(yaml_schema::describe_node(field.value) + " is not a list or a map", kNodesExpected);
  }
  std::map<int, int> seen;
  for_each_item(field, "node", kNodesExpected, [&](const std::string& path, const YAML::Node& item, int line) {
    NodeEntry entry;
    MapReader reader(context, node_schema(), item, path, line);
    node_fields(reader, entry);
    check_id(context, path, item, line, entry.id, "node", seen);
    r.problem.nodes.push_back(to_placement_node(entry));
  });
}

// ---------------------------------------------------------------------------------------------------
// Chains

void read_functions(const Field& field, PlacementChain& chain, std::vector<Pin>& pins) {
  const Context& context = *field.context;
  for_each_item(field, "function", kFunctionsExpected, [&](const std::string& path, const YAML::Node& item, int line) {
    FunctionEntry entry;
    MapReader reader(context, function_schema(), item, path, line);
    function_fields(reader, entry);
    PlacementFunction f;
    f.load_ipf = entry.load_ipf;
    f.ram_bytes = units::megabytes(entry.ram_mb);
    f.output_bytes_per_frame = entry.output_bytes;
    if (entry.pinned >= 0) {
      f.pinned = NodeId(static_cast<std::uint32_t>(entry.pinned));
      pins.push_back({path + ".pinned", key_line(item, "pinned", line), *f.pinned});
    }
    chain.functions.push_back(f);
  });
}

void read_chains(const Field& field, Reading& r) {
  r.has_chains = true;
  const Context& context = *field.context;
  if (field.value.IsMap()) {
    ChainGenerator generator;
    MapReader reader(context, chain_generator_schema(), field.value, field.path, field.line);
    chain_generator_fields(reader, generator);
    Rng rng(r.seed, "chains");
    for (int i = 0; i < generator.count; ++i) {
      const Chain chain = generate_chain(ChainId(static_cast<std::uint32_t>(i)), generator.spec, rng);
      PlacementChain c;
      c.id = chain.id;
      c.fps = chain.fps;
      for (const Function& f : chain.functions) {
        c.functions.push_back({f.load_ipf, f.ram_bytes, f.output_bytes_per_frame, std::nullopt});
      }
      r.problem.chains.push_back(std::move(c));
    }
    return;
  }
  if (!field.value.IsSequence() && !field.value.IsNull()) {
    field.fail(yaml_schema::describe_node(field.value) + " is not a list or a map", kChainsExpected);
  }
  std::map<int, int> seen;
  for_each_item(field, "chain", kChainsExpected, [&](const std::string& path, const YAML::Node& item, int line) {
    ChainEntry entry;
    PlacementChain chain;
    bool has_functions = false;
    MapReader reader(context, chain_schema(), item, path, line);
    chain_fields(reader, entry, [&](const Field& functions) {
      has_functions = true;
      read_functions(functions, chain, r.pins);
    });
    check_id(context, path, item, line, entry.id, "chain", seen);
    if (!has_functions) context.fail(path + ".functions", line, path + ".functions: missing", kFunctionsExpected);
    chain.id = ChainId(static_cast<std::uint32_t>(entry.id));
    chain.fps = entry.fps;
    r.problem.chains.push_back(std::move(chain));
  });
}

// ---------------------------------------------------------------------------------------------------
// Rules between parts

void check_pins(const Context& context, const Reading& r) {
  std::map<std::uint32_t, bool> ids;
  for (const PlacementNode& n : r.problem.nodes) ids[n.id.value] = true;
  for (const Pin& pin : r.pins) {
    if (ids.contains(pin.node.value)) continue;
    std::string expected;
    if (ids.size() <= 10) {
      std::vector<std::string> names;
      for (const auto& [id, _] : ids) names.push_back(std::to_string(id));
      expected = ids.size() == 1 ? "node " + names.front() : "one of " + join(names);
    } else {
      expected = "the id of one of the " + std::to_string(ids.size()) + " nodes, " +
                 std::to_string(ids.begin()->first) + " to " + std::to_string(ids.rbegin()->first);
    }
    context.fail(pin.path, pin.line, pin.path + ": node " + std::to_string(pin.node.value) + " is not in nodes",
                 expected);
  }
}

void check_model(const Context& context, const YAML::Node& root, const PlacementModel& model) {
  if (!model.bandwidth || model.spread_chain) return;
  const auto at = yaml_schema::locate(root, "model.bandwidth");
  context.fail("model.bandwidth", at.line,
               "model.bandwidth: true needs model.spread_chain: true (every hop between VFs crosses the network)",
               "bandwidth: false, or spread_chain: true");
}

PlacementProblem parse(const std::string& text, const std::string& source) {
  const Context context(source, "placement problem");
  const YAML::Node root = yaml_schema::load_document(context, text, problem_schema());

  Reading r;
  MapReader reader(context, problem_schema(), root, "", 1);
  problem_fields(
      reader, r.seed, r.problem.model, [&](const Field& f) { read_nodes(f, r); },
      [&](const Field& f) { read_chains(f, r); });
  if (!r.has_nodes) context.fail_at_line(1, "nodes: missing", kNodesExpected);
  if (!r.has_chains) context.fail_at_line(1, "chains: missing", kChainsExpected);
  check_model(context, root, r.problem.model);
  check_pins(context, r);
  return std::move(r.problem);
}

}  // namespace

PlacementProblem load_placement_problem(const std::string& path) {
  return parse(read_input_file(path, "a readable YAML placement problem"), path);
}

PlacementProblem parse_placement_problem(const std::string& yaml_text, const std::string& source_name) {
  return parse(yaml_text, source_name);
}

}  // namespace vfo
