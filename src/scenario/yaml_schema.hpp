#pragma once
// Schema-driven reading of YAML files into structs, with one-line errors; private to src/scenario (used by
// scenario_loader.cpp and placement_file.cpp).
//
// The keys of a struct are listed once, in a "fields" function that makes one FieldVisitor call per key:
//   void migration_fields(FieldVisitor& v, MigrationSpec& m) { v.integer("max_rounds", m.max_rounds, ...); ... }
// Run with a SchemaCollector (collect_schema) it gives the key tree: for "unknown key, did you mean X?" and
// for checking dotted keys. Run with a MapReader it reads one YAML map into the struct, checking every key
// (known, given once) and every value (type, range, choice); keys that are absent keep the struct's values.
//
// Every error is a vfo::InputError whose message is one line "PLACE: what is wrong (expected what is right)";
// PLACE is "FILE:LINE", or "--set KEY=VALUE" for a value that an override put into the tree (Context).
// Nothing here is thread-safe beyond being free of global mutable state.
#include <yaml-cpp/yaml.h>

#include <climits>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfo/scenario/scenario.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/text.hpp"

namespace vfo::yaml_schema {

// ---------------------------------------------------------------------------------------------------
// Text helpers for messages

using vfo::one_line;  // vfo/util/text.hpp

// A user's text echoed in a message: one line, at most 40 characters (then "...").
std::string shortened(std::string_view text);

// shortened(text) in single quotes.
std::string in_quotes(std::string_view text);

// "parent.key", or "key" when parent is empty.
std::string join_path(const std::string& parent, std::string_view key);

// A number as short as it reads exactly: integers without a decimal point, else the shortest round trip.
std::string format_number(double x);

// ", did you mean X?" when one of `allowed` is within two edits of `unknown` (the closest, first on ties),
// else "".
std::string suggestion(std::string_view unknown, const std::vector<std::string>& allowed);

// ---------------------------------------------------------------------------------------------------
// Value ranges

// An interval of allowed real values; an infinite bound is absent.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  bool lo_open = false;
  double hi = std::numeric_limits<double>::infinity();
  bool hi_open = false;

  static constexpr Range at_least(double lo) { return {lo, false}; }
  static constexpr Range above(double lo) { return {lo, true}; }
  static constexpr Range closed(double lo, double hi) { return {lo, false, hi, false}; }
  static constexpr Range open_closed(double lo, double hi) { return {lo, true, hi, false}; }

  bool contains(double x) const;
  // "a number >= 0", "a number in (0, 1]", ...
  std::string describe() const;
};

// An interval of allowed integers (read into an int, so hi is at most INT_MAX).
struct IntRange {
  std::int64_t lo = 0;
  std::int64_t hi = INT_MAX;

  // "an integer >= LO[ and <= HI]": the upper bound is left out while it is only the int limit, unless the
  // value broke it (`show_int_limit`).
  std::string describe(bool show_int_limit = false) const;
};

// ---------------------------------------------------------------------------------------------------
// Where errors point

// The file being read, and the overrides applied to its tree; every error goes through it.
class Context {
 public:
  // `source` names the file in messages; `document` names what the whole file is ("scenario").
  explicit Context(std::string source, std::string document = "scenario")
      : source_(std::move(source)), document_(std::move(document)) {}

  const std::string& source() const { return source_; }
  const std::string& document() const { return document_; }

  // Records that override `text` ("a.b=VALUE") set dotted key `key`; errors under `key` then point at it.
  void add_override(std::string key, std::string text) { overrides_.push_back({std::move(key), std::move(text)}); }

  // Throws "PLACE: WHAT (expected EXPECTED)". PLACE is the last override that set `origin_path` or one of
  // its parents ("--set KEY=VALUE"), else "SOURCE:LINE" (line at least 1).
  [[noreturn]] void fail(const std::string& origin_path, int line, const std::string& what,
                         const std::string& expected) const;

  // Throws "SOURCE:LINE: WHAT (expected EXPECTED)", whatever the overrides.
  [[noreturn]] void fail_at_line(int line, const std::string& what, const std::string& expected) const;

  // What a path is called in messages: the path, or "the DOCUMENT" for the root.
  std::string subject(const std::string& path) const { return path.empty() ? "the " + document_ : path; }

 private:
  struct Override {
    std::string key;   // dotted key, e.g. environment.link_mbps
    std::string text;  // as given, e.g. environment.link_mbps={mean: 50}
  };

  std::string source_;
  std::string document_;
  std::vector<Override> overrides_;
};

// 1-based line of a map entry: its key's, else its value's, else `fallback` (nodes made by overrides, and
// empty values, have no position). Pass an undefined YAML::Node() as `key` for a list item.
int line_of(const YAML::Node& key, const YAML::Node& value, int fallback);

// What a node is, for "X is not a Y": the quoted text of a scalar, else "a list", "a map", "an empty value".
std::string describe_node(const YAML::Node& node);

// ---------------------------------------------------------------------------------------------------
// The fields of a struct

// One value of a map, handed to a FieldVisitor::custom reader.
struct Field {
  const Context* context = nullptr;
  std::string path;  // dotted, e.g. "chains" or "chains[2].functions"
  YAML::Node value;
  int line = 1;  // of its key

  // Throws "PLACE: PATH: WHAT (expected EXPECTED)".
  [[noreturn]] void fail(const std::string& what, const std::string& expected) const {
    context->fail(path, line, path + ": " + what, expected);
  }
};

// Calls `read(path, item, line)` for each item of the list `field`, whose items are `noun`s (path
// "FIELD[i]", line of the item); fails when the value is empty, not a list, or an empty list.
void for_each_item(const Field& field, const std::string& noun, const std::string& expected,
                   const std::function<void(const std::string&, const YAML::Node&, int)>& read);

// A list item that must be a number in `range`: returns it, or fails at the item's path and line.
double number_item(const Field& list, const std::string& path, const YAML::Node& item, int line, const Range& range,
                   const std::string& expected);

class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  // A string; when `choices` is not empty it must be one of them.
  virtual void text(const char* key, std::string& out, const std::vector<std::string>& choices) = 0;
  virtual void integer(const char* key, int& out, IntRange range) = 0;
  // A non-negative integer, at most `max`.
  virtual void unsigned64(const char* key, std::uint64_t& out,
                          std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) = 0;
  virtual void number(const char* key, double& out, Range range) = 0;
  virtual void boolean(const char* key, bool& out) = 0;
  // A NormalSpec: a map {mean, stddev, min} or a plain number (a constant: {mean: x, stddev: 0}); its mean and
  // min lie in `range`, its stddev in [0, range.hi] (normal_fields).
  virtual void normal(const char* key, NormalSpec& out, Range range) = 0;
  // A nested map whose fields `body` visits.
  virtual void section(const char* key, const std::function<void(FieldVisitor&)>& body) = 0;
  // A map read by someone else (e.g. the sweep loader): only checked to be a map. `expected` says what it
  // should be ("a map, read by the sweep loader").
  virtual void foreign_map(const char* key, const std::string& expected) = 0;
  // A value of any shape (a list, a list or a map, ...) that `read` checks and reads itself, when the key is
  // given; `expected` says what it should be, for messages that describe the map around it.
  virtual void custom(const char* key, const std::string& expected, const std::function<void(const Field&)>& read) = 0;

  // A string that names one value of an enum, read into the value: `names` lists each name with its value (the
  // field's choices, in that order). What is read is never a name outside the list.
  template <typename Enum>
  void choice(const char* key, Enum& out, const std::vector<std::pair<std::string, Enum>>& names) {
    std::string name;
    std::vector<std::string> choices;
    for (const auto& [n, value] : names) {
      choices.push_back(n);
      if (value == out) name = n;
    }
    text(key, name, choices);
    for (const auto& [n, value] : names) {
      if (n == name) out = value;
    }
  }
};

// The fields of a NormalSpec whose values lie in `range`: mean and min in it, stddev in [0, range.hi].
void normal_fields(FieldVisitor& v, NormalSpec& n, const Range& range);

// ---------------------------------------------------------------------------------------------------
// The key tree

struct SchemaNode {
  enum class Kind { kValue, kNormal, kMap, kForeign, kCustom };

  std::string name;
  Kind kind = Kind::kMap;
  std::string expected;              // kForeign, kCustom and a numeric kValue: what the value should be
  std::vector<SchemaNode> children;  // kMap and kNormal: in declaration order

  // The child named `key`, or nullptr.
  const SchemaNode* child(std::string_view key) const;
  // The children's names, in declaration order.
  std::vector<std::string> keys() const;
};

// The key tree of the map whose fields `fields` visits. `fields` is run once with a visitor that writes
// nothing; its custom readers are not run.
SchemaNode collect_schema(const std::function<void(FieldVisitor&)>& fields);

// "a map with keys K1, K2, ..." (or the `expected` of a foreign or custom node).
std::string expected_map(const SchemaNode& schema);

// ---------------------------------------------------------------------------------------------------
// Finding things in a tree

struct MapEntry {
  std::string name;
  YAML::Node key;
  YAML::Node value;
  int line = 1;
};

// The entry `name` of `map`, if `map` is a map that has it; `parent_line` is the fallback line.
std::optional<MapEntry> find_entry(const YAML::Node& map, std::string_view name, int parent_line);

struct Located {
  bool found = false;
  int line = 1;  // of the key, or of the deepest parent found
};

// Where dotted key `dotted` ("control.probe_timeout_s") is in the tree `root`.
Located locate(const YAML::Node& root, const std::string& dotted);

// ---------------------------------------------------------------------------------------------------
// Reading

// Reads one map at `path` with a fields function: `fields(reader)`. The constructor checks that the node is
// a map (or empty: then every key keeps its value) and that each of its keys is in `schema` and given once;
// each visit then reads and checks the value of that key, if given. `context` and `schema` must outlive it.
class MapReader final : public FieldVisitor {
 public:
  // `line` is where the map starts, for errors about the map itself.
  MapReader(const Context& context, const SchemaNode& schema, const YAML::Node& node, std::string path, int line);

  void text(const char* key, std::string& out, const std::vector<std::string>& choices) override;
  void integer(const char* key, int& out, IntRange range) override;
  void unsigned64(const char* key, std::uint64_t& out,
                  std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) override;
  void number(const char* key, double& out, Range range) override;
  void boolean(const char* key, bool& out) override;
  void normal(const char* key, NormalSpec& out, Range range) override;
  void section(const char* key, const std::function<void(FieldVisitor&)>& body) override;
  void foreign_map(const char* key, const std::string& expected) override;
  void custom(const char* key, const std::string& expected, const std::function<void(const Field&)>& read) override;

  // The entry `key` of the map, or nullptr when it is not given.
  const MapEntry* find(const char* key) const;

 private:
  [[noreturn]] void fail(const MapEntry& e, const std::string& what, const std::string& expected) const;
  // The entry's scalar text, or an error naming what it is instead of `noun`.
  const std::string& scalar(const MapEntry& e, const std::string& noun, const std::string& expected) const;
  double read_number(const MapEntry& e, const Range& range, const std::string& expected) const;

  const Context& context_;
  const SchemaNode& schema_;
  std::string path_;
  std::vector<MapEntry> entries_;
};

// The one YAML document of `text`, as a map (an empty document is an empty map). Errors: invalid YAML (at
// its line and column), a second document, a root that is not a map (described with `root_schema`).
YAML::Node load_document(const Context& context, const std::string& text, const SchemaNode& root_schema);

}  // namespace vfo::yaml_schema
