#include "vfo/scenario/scenario_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

// How it works: the file is parsed into a YAML tree, `--set` overrides are written into that tree, and
// then one walk over the tree fills a Scenario, checking every key and value on the way. The list of
// keys exists once, in the *_fields functions below: they are run with a SchemaCollector to learn the
// key tree (for unknown-key messages and for checking override keys) and with a MapReader to read.

namespace vfo {
namespace {

// ---------------------------------------------------------------------------------------------------
// Text helpers

std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return text;
}

// A user's text echoed in a message: one line, at most 40 characters.
std::string shortened(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = one_line(std::string(text.substr(0, kMax)));
  if (text.size() > kMax) out += "...";
  return out;
}

std::string in_quotes(std::string_view text) {
  return "'" + shortened(text) + "'";
}

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string format_number(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 1e15) {
    return std::to_string(static_cast<long long>(x));
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, result.ptr);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// ", did you mean X?" when one allowed key is close to the unknown one, else "".
std::string suggestion(std::string_view unknown, const std::vector<std::string>& allowed) {
  const std::string* best = nullptr;
  std::size_t best_distance = 3;  // suggest only for up to two edits
  for (const std::string& key : allowed) {
    const std::size_t d = edit_distance(unknown, key);
    if (d < best_distance) {
      best_distance = d;
      best = &key;
    }
  }
  return best != nullptr ? ", did you mean " + *best + "?" : "";
}

// ---------------------------------------------------------------------------------------------------
// Scalars

bool is_integer_syntax(std::string_view text) {
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

enum class Parsed { kOk, kNotNumber, kOutOfRange };

template <typename T>
Parsed parse_integer(std::string_view text, T& out) {
  if (!is_integer_syntax(text)) return Parsed::kNotNumber;
  if (text.front() == '+') text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error == std::errc::result_out_of_range) return Parsed::kOutOfRange;
  return error == std::errc() && end == text.data() + text.size() ? Parsed::kOk : Parsed::kNotNumber;
}

Parsed parse_number(std::string_view text, double& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return Parsed::kNotNumber;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error == std::errc::result_out_of_range) return Parsed::kOutOfRange;
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(out)) return Parsed::kNotNumber;
  return Parsed::kOk;
}

std::optional<bool> parse_boolean(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

// An interval of allowed real values; an infinite bound is absent.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  bool lo_open = false;
  double hi = std::numeric_limits<double>::infinity();
  bool hi_open = false;

  static Range at_least(double lo) { return {lo, false}; }
  static Range above(double lo) { return {lo, true}; }
  static Range closed(double lo, double hi) { return {lo, false, hi, false}; }
  static Range open_closed(double lo, double hi) { return {lo, true, hi, false}; }

  bool contains(double x) const {
    const bool low_ok = lo_open ? x > lo : x >= lo;
    const bool high_ok = hi_open ? x < hi : x <= hi;
    return low_ok && high_ok;
  }

  std::string describe() const {
    const bool has_lo = std::isfinite(lo);
    const bool has_hi = std::isfinite(hi);
    if (has_lo && has_hi) {
      return std::string("a number in ") + (lo_open ? "(" : "[") + format_number(lo) + ", " + format_number(hi) +
             (hi_open ? ")" : "]");
    }
    if (has_lo) return std::string("a number ") + (lo_open ? "> " : ">= ") + format_number(lo);
    if (has_hi) return std::string("a number ") + (hi_open ? "< " : "<= ") + format_number(hi);
    return "a number";
  }
};

struct IntRange {
  std::int64_t lo = 0;
  std::int64_t hi = INT_MAX;

  // The upper bound is left out while it is only the int limit, unless the value broke it.
  std::string describe(bool show_int_limit = false) const {
    std::string out = "an integer >= " + std::to_string(lo);
    if (hi != INT_MAX || show_int_limit) out += " and <= " + std::to_string(hi);
    return out;
  }
};

const std::vector<std::string> kEnvironmentKinds = {"dedicated"};
const std::vector<std::string> kDemandModes = {"low", "normal", "high", "custom"};
const std::vector<std::string> kPlacers = {"best-fit"};
const std::vector<std::string> kPredictorKinds = {"confusion"};

double rate_for_mode(const std::string& mode) {
  if (mode == "low") return 54;
  if (mode == "high") return 118;
  return 83;  // normal
}

// ---------------------------------------------------------------------------------------------------
// The fields of each struct, in one place

class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  // A string; when `choices` is not empty it must be one of them.
  virtual void text(const char* key, std::string& out, const std::vector<std::string>& choices) = 0;
  virtual void integer(const char* key, int& out, IntRange range) = 0;
  virtual void unsigned64(const char* key, std::uint64_t& out) = 0;
  virtual void number(const char* key, double& out, Range range) = 0;
  virtual void boolean(const char* key, bool& out) = 0;
  // A NormalSpec: a map {mean, stddev, min} or a plain number (a constant).
  virtual void normal(const char* key, NormalSpec& out) = 0;
  virtual void section(const char* key, const std::function<void(FieldVisitor&)>& body) = 0;
  // A map read by someone else (the sweep loader): only checked to be a map.
  virtual void foreign_map(const char* key) = 0;
};

void normal_fields(FieldVisitor& v, NormalSpec& n) {
  v.number("mean", n.mean, Range::at_least(0));
  v.number("stddev", n.stddev, Range::at_least(0));
  v.number("min", n.min, Range::at_least(0));
}

void environment_fields(FieldVisitor& v, EnvironmentSpec& e) {
  v.text("kind", e.kind, kEnvironmentKinds);
  v.integer("nodes", e.nodes, IntRange{1, 1'000'000});
  v.normal("link_mbps", e.link_mbps);
  v.number("link_latency_ms", e.link_latency_ms, Range::at_least(0));
  v.number("orchestrator_link_mbps", e.orchestrator_link_mbps, Range::above(0));
  v.normal("node_speed_ips", e.node_speed_ips);
  v.normal("node_ram_mb", e.node_ram_mb);
  v.number("p_leave", e.p_leave, Range::closed(0, 1));
  v.number("p_overload", e.p_overload, Range::closed(0, 1));
  v.number("probability_window_s", e.probability_window_s, Range::above(0));
  v.number("node_recovery_s", e.node_recovery_s, Range::at_least(0));
  v.number("overload_duration_s", e.overload_duration_s, Range::at_least(0));
}

void chain_fields(FieldVisitor& v, ChainSpec& c) {
  v.normal("functions", c.functions);
  v.normal("load_ipf", c.load_ipf);
  v.normal("output_bytes", c.output_bytes);
  v.normal("ram_mb", c.ram_mb);
  v.normal("state_mb", c.state_mb);
  v.normal("image_mb", c.image_mb);
  v.normal("dirty_mb_per_s", c.dirty_mb_per_s);
  v.number("fps", c.fps, Range::above(0));
}

void demand_fields(FieldVisitor& v, DemandSpec& d) {
  v.text("mode", d.mode, kDemandModes);
  v.number("rate_per_hour", d.rate_per_hour, Range::above(0));
  v.number("lifetime_s", d.lifetime_s, Range::above(0));
}

void predictor_fields(FieldVisitor& v, PredictorSpec& p) {
  v.text("kind", p.kind, kPredictorKinds);
  v.number("true_positive_rate", p.true_positive_rate, Range::closed(0, 1));
  v.number("false_positive_rate", p.false_positive_rate, Range::closed(0, 1));
}

void control_fields(FieldVisitor& v, ControlSpec& c) {
  v.number("probing_period_s", c.probing_period_s, Range::above(0));
  v.number("probe_timeout_s", c.probe_timeout_s, Range::at_least(0));  // and < probing_period_s: check_control
  v.boolean("live_migration", c.live_migration);
  v.number("k", c.k, Range::closed(0, 1));
  v.number("utilisation_cap", c.utilisation_cap, Range::open_closed(0, 1));
  v.number("placement_s", c.placement_s, Range::at_least(0));
  v.text("placer", c.placer, kPlacers);
  v.section("predictor", [&](FieldVisitor& sub) { predictor_fields(sub, c.predictor); });
}

void migration_fields(FieldVisitor& v, MigrationSpec& m) {
  v.integer("max_rounds", m.max_rounds, IntRange{1, INT_MAX});
  v.number("stop_mb", m.stop_mb, Range::at_least(0));
  v.number("start_s", m.start_s, Range::at_least(0));
  v.number("switch_s", m.switch_s, Range::at_least(0));
  v.integer("max_concurrent_per_node", m.max_concurrent_per_node, IntRange{1, INT_MAX});
}

void scenario_fields(FieldVisitor& v, Scenario& s) {
  v.text("name", s.name, {});
  v.unsigned64("seed", s.seed);
  v.number("duration_s", s.duration_s, Range::above(0));
  v.section("environment", [&](FieldVisitor& sub) { environment_fields(sub, s.environment); });
  v.section("chains", [&](FieldVisitor& sub) { chain_fields(sub, s.chains); });
  v.section("demand", [&](FieldVisitor& sub) { demand_fields(sub, s.demand); });
  v.section("control", [&](FieldVisitor& sub) { control_fields(sub, s.control); });
  v.section("migration", [&](FieldVisitor& sub) { migration_fields(sub, s.migration); });
  v.foreign_map("sweep");
}

// ---------------------------------------------------------------------------------------------------
// The key tree

struct SchemaNode {
  enum class Kind { kValue, kNormal, kMap, kForeign };

  std::string name;
  Kind kind = Kind::kMap;
  std::vector<SchemaNode> children;  // in declaration order

  const SchemaNode* child(std::string_view key) const {
    for (const SchemaNode& c : children) {
      if (c.name == key) return &c;
    }
    return nullptr;
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const SchemaNode& c : children) out.push_back(c.name);
    return out;
  }
};

class SchemaCollector final : public FieldVisitor {
 public:
  explicit SchemaCollector(SchemaNode& node) : node_(node) {}

  void text(const char* key, std::string&, const std::vector<std::string>&) override { add(key, Kind::kValue); }
  void integer(const char* key, int&, IntRange) override { add(key, Kind::kValue); }
  void unsigned64(const char* key, std::uint64_t&) override { add(key, Kind::kValue); }
  void number(const char* key, double&, Range) override { add(key, Kind::kValue); }
  void boolean(const char* key, bool&) override { add(key, Kind::kValue); }
  void normal(const char* key, NormalSpec& out) override {
    SchemaCollector sub(add(key, Kind::kNormal));
    normal_fields(sub, out);
  }
  void section(const char* key, const std::function<void(FieldVisitor&)>& body) override {
    SchemaCollector sub(add(key, Kind::kMap));
    body(sub);
  }
  void foreign_map(const char* key) override { add(key, Kind::kForeign); }

 private:
  using Kind = SchemaNode::Kind;

  SchemaNode& add(const char* key, Kind kind) {
    node_.children.push_back(SchemaNode{key, kind, {}});
    return node_.children.back();
  }

  SchemaNode& node_;
};

const SchemaNode& scenario_schema() {
  static const SchemaNode schema = [] {
    SchemaNode root;
    Scenario scratch;
    SchemaCollector collector(root);
    scenario_fields(collector, scratch);
    return root;
  }();
  return schema;
}

// ---------------------------------------------------------------------------------------------------
// Where errors point

struct Override {
  std::string key;   // dotted key, e.g. environment.link_mbps
  std::string text;  // as given, e.g. environment.link_mbps={mean: 50}
};

class Context {
 public:
  explicit Context(std::string source) : source_(std::move(source)) {}

  void add_override(std::string key, std::string text) { overrides_.push_back({std::move(key), std::move(text)}); }

  // Throws "PLACE: WHAT (expected EXPECTED)". PLACE is the last override that set `origin_path` or one of
  // its parents ("--set KEY=VALUE"), else "SOURCE:LINE".
  [[noreturn]] void fail(const std::string& origin_path, int line, const std::string& what,
                         const std::string& expected) const {
    std::string place;
    for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
      if (origin_path == it->key || origin_path.starts_with(it->key + ".")) {
        place = "--set " + it->text;
        break;
      }
    }
    if (place.empty()) place = source_ + ":" + std::to_string(std::max(line, 1));
    throw InputError(one_line(place + ": " + what + " (expected " + expected + ")"));
  }

  [[noreturn]] void fail_at_line(int line, const std::string& what, const std::string& expected) const {
    throw InputError(
        one_line(source_ + ":" + std::to_string(std::max(line, 1)) + ": " + what + " (expected " + expected + ")"));
  }

 private:
  std::string source_;
  std::vector<Override> overrides_;
};

// 1-based line of a map entry: its key's, else its value's, else `fallback` (nodes made by overrides have no
// position).
int line_of(const YAML::Node& key, const YAML::Node& value, int fallback) {
  if (key.IsDefined() && key.Mark().line >= 0) return key.Mark().line + 1;
  if (value.IsDefined() && value.Mark().line >= 0) return value.Mark().line + 1;
  return fallback;
}

// What a node is, for "X is not a Y": the text of a scalar, else its kind.
std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return in_quotes(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "an empty value";
  }
}

std::string subject(const std::string& path) {
  return path.empty() ? "the scenario" : path;
}

std::string expected_map(const SchemaNode& schema) {
  if (schema.kind == SchemaNode::Kind::kForeign) return "a map, read by the sweep loader";
  return "a map with keys " + join(schema.keys());
}

struct MapEntry {
  std::string name;
  YAML::Node key;
  YAML::Node value;
  int line = 1;
};

// The entry `name` of `map`, if `map` is a map that has it.
std::optional<MapEntry> find_entry(const YAML::Node& map, std::string_view name, int parent_line) {
  if (!map.IsMap()) return std::nullopt;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == name) {
      return MapEntry{std::string(name), it->first, it->second, line_of(it->first, it->second, parent_line)};
    }
  }
  return std::nullopt;
}

struct Located {
  bool found = false;
  int line = 1;  // of the key, or of the deepest parent found
};

Located locate(const YAML::Node& root, const std::string& dotted) {
  Located out;
  YAML::Node current = root;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const std::size_t dot = std::min(dotted.find('.', start), dotted.size());
    const auto entry = find_entry(current, std::string_view(dotted).substr(start, dot - start), out.line);
    if (!entry) return out;
    out.line = entry->line;
    current.reset(entry->value);
    start = dot + 1;
  }
  out.found = true;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Reading and checking

class MapReader final : public FieldVisitor {
 public:
  // `node` must be a map (or empty); `line` is where it starts, for errors about it.
  MapReader(const Context& context, const SchemaNode& schema, const YAML::Node& node, std::string path, int line)
      : context_(context), schema_(schema), path_(std::move(path)) {
    if (node.IsNull()) return;
    if (!node.IsMap()) {
      context_.fail(path_, line, subject(path_) + ": " + describe_node(node) + " is not a map", expected_map(schema_));
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      const int entry_line = line_of(it->first, it->second, line);
      if (!it->first.IsScalar()) {
        context_.fail(path_, entry_line, subject(path_) + ": " + describe_node(it->first) + " as a key",
                      "one of " + join(schema_.keys()));
      }
      const std::string name = it->first.Scalar();
      const std::string key_path = join_path(path_, name);
      if (schema_.child(name) == nullptr) {
        context_.fail(key_path, entry_line, key_path + ": unknown key" + suggestion(name, schema_.keys()),
                      "one of " + join(schema_.keys()));
      }
      if (find(name.c_str()) != nullptr) {
        context_.fail(key_path, entry_line, key_path + ": given twice", "each key once");
      }
      entries_.push_back({name, it->first, it->second, entry_line});
    }
  }

  void text(const char* key, std::string& out, const std::vector<std::string>& choices) override {
    const MapEntry* e = find(key);
    if (e == nullptr) return;
    const std::string expected = choices.empty()       ? "a non-empty string"
                                 : choices.size() == 1 ? choices.front()
                                                       : "one of " + join(choices);
    const std::string& value = scalar(*e, "a string", expected);
    if (choices.empty() && value.empty()) fail(*e, "an empty string", expected);
    if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
      fail(*e, in_quotes(value) + " is not a valid choice", expected);
    }
    out = value;
  }

  void integer(const char* key, int& out, IntRange range) override {
    const MapEntry* e = find(key);
    if (e == nullptr) return;
    const std::string& value = scalar(*e, "an integer", range.describe());
    std::int64_t parsed = 0;
    const Parsed result = parse_integer(value, parsed);
    if (result == Parsed::kNotNumber) fail(*e, in_quotes(value) + " is not an integer", range.describe());
    if (result == Parsed::kOutOfRange || parsed < range.lo || parsed > range.hi) {
      fail(*e, shortened(value) + " is out of range",
           range.describe(result == Parsed::kOutOfRange || parsed > range.hi));
    }
    out = static_cast<int>(parsed);
  }

  void unsigned64(const char* key, std::uint64_t& out) override {
    const MapEntry* e = find(key);
    if (e == nullptr) return;
    const std::string expected = "a non-negative integer";
    const std::string& value = scalar(*e, "an integer", expected);
    if (!is_integer_syntax(value)) fail(*e, in_quotes(value) + " is not an integer", expected);
    if (value.front() == '-') {
      std::int64_t negative = 0;
      if (parse_integer(value, negative) != Parsed::kOk || negative != 0) {
        fail(*e, shortened(value) + " is out of range", expected);
      }
      out = 0;
      return;
    }
    std::uint64_t parsed = 0;
    if (parse_integer(value, parsed) != Parsed::kOk) {
      fail(*e, shortened(value) + " is out of range",
           expected + " <= " + std::to_string(std::numeric_limits<std::uint64_t>::max()));
    }
    out = parsed;
  }

  void number(const char* key, double& out, Range range) override {
    const MapEntry* e = find(key);
    if (e == nullptr) return;
    out = read_number(*e, range, range.describe());
  }

  void boolean(const char* key, bool& out) override {
    const MapEntry* e = find(key);
    if (e == nullptr) return;
    const std::string& value = scalar(*e, "a boolean", "true or false");
    const auto parsed = parse_boolean(value);
    if (!parsed) fail(*e, in_quotes(value) + " is not a boolean", "true or false");
    out = *parsed;
  }

  void normal(const char* key, NormalSpec& out) override {
    const MapEntry* e = find(key);
    if (e == nullptr) return;
    const Range mean_range = Range::at_least(0);
    const std::string expected = mean_range.describe() + ", or a map with keys mean, stddev, min";
    if (e->value.IsScalar()) {
      out.mean = read_number(*e, mean_range, expected);
      out.stddev = 0;
      return;
    }
    if (!e->value.IsMap()) {
      fail(*e, e->value.IsNull() ? "has no value" : describe_node(e->value) + " is not a number or a map", expected);
    }
    MapReader sub(context_, *schema_.child(key), e->value, join_path(path_, key), e->line);
    normal_fields(sub, out);
  }

  void section(const char* key, const std::function<void(FieldVisitor&)>& body) override {
    const MapEntry* e = find(key);
    if (e == nullptr) return;
    MapReader sub(context_, *schema_.child(key), e->value, join_path(path_, key), e->line);
    body(sub);
  }

  void foreign_map(const char* key) override {
    const MapEntry* e = find(key);
    if (e == nullptr || e->value.IsNull() || e->value.IsMap()) return;
    fail(*e, describe_node(e->value) + " is not a map", expected_map(*schema_.child(key)));
  }

 private:
  const MapEntry* find(const char* key) const {
    for (const MapEntry& e : entries_) {
      if (e.name == key) return &e;
    }
    return nullptr;
  }

  [[noreturn]] void fail(const MapEntry& e, const std::string& what, const std::string& expected) const {
    const std::string path = join_path(path_, e.name);
    context_.fail(path, e.line, path + ": " + what, expected);
  }

  // The entry's scalar text, or an error naming what it is instead of `noun`.
  const std::string& scalar(const MapEntry& e, const std::string& noun, const std::string& expected) const {
    if (e.value.IsNull()) fail(e, "has no value", expected);
    if (!e.value.IsScalar()) fail(e, describe_node(e.value) + " is not " + noun, expected);
    return e.value.Scalar();
  }

  double read_number(const MapEntry& e, const Range& range, const std::string& expected) const {
    const std::string& value = scalar(e, "a number", expected);
    double parsed = 0;
    const Parsed result = parse_number(value, parsed);
    if (result == Parsed::kNotNumber) fail(e, in_quotes(value) + " is not a number", expected);
    if (result == Parsed::kOutOfRange || !range.contains(parsed))
      fail(e, shortened(value) + " is out of range", expected);
    return parsed;
  }

  const Context& context_;
  const SchemaNode& schema_;
  std::string path_;
  std::vector<MapEntry> entries_;
};

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

// ---------------------------------------------------------------------------------------------------
// Loading and overriding

YAML::Node load_document(const Context& context, const std::string& text) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    // At the end of the text yaml-cpp points past the last line; name the last line instead.
    const int lines =
        static_cast<int>(std::count(text.begin(), text.end(), '\n')) + (!text.empty() && text.back() != '\n' ? 1 : 0);
    const bool past_end = e.mark.line + 1 > lines;
    const std::string column =
        e.mark.column >= 0 && !past_end ? " at column " + std::to_string(e.mark.column + 1) : " at the end";
    context.fail_at_line(past_end ? lines : e.mark.line + 1, "invalid YAML" + column + ": " + e.msg,
                         "valid YAML syntax");
  }
  if (documents.size() > 1) {
    context.fail_at_line(line_of(YAML::Node(), documents[1], 1), "a second YAML document", "one scenario per file");
  }
  YAML::Node root = documents.empty() ? YAML::Node() : documents.front();
  if (root.IsNull()) return YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    context.fail_at_line(line_of(YAML::Node(), root, 1), "the scenario: " + describe_node(root) + " is not a map",
                         expected_map(scenario_schema()));
  }
  return root;
}

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
  YAML::Node root = load_document(context, text);
  for (const std::string& o : overrides) apply_override(context, root, o);

  Scenario scenario;
  MapReader reader(context, scenario_schema(), root, "", 1);
  scenario_fields(reader, scenario);
  check_demand(context, root, scenario.demand);
  check_control(context, root, scenario.control);
  scenario.source_file = source;
  return scenario;
}

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  std::error_code error;
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, error)) {
    throw InputError(one_line(path + ": cannot read file (expected a readable YAML scenario)"));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(one_line(path + ": cannot read file (expected a readable YAML scenario)"));
  return parse(text, path, overrides);
}

Scenario parse_scenario(const std::string& yaml_text, const std::string& source_name,
                        const std::vector<std::string>& overrides) {
  return parse(yaml_text, source_name, overrides);
}

}  // namespace vfo
