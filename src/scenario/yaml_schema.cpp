#include "scenario/yaml_schema.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include "vfo/util/text.hpp"

namespace vfo::yaml_schema {

// ---------------------------------------------------------------------------------------------------
// Text helpers

std::string shortened(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = one_line(std::string(text.substr(0, kMax)));
  if (text.size() > kMax) out += "...";
  return out;
}

std::string in_quotes(std::string_view text) {
  return "'" + shortened(text) + "'";
}

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string format_number(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 1e15) {
    return std::to_string(static_cast<long long>(x));
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, result.ptr);
}

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Value ranges

bool Range::contains(double x) const {
  const bool low_ok = lo_open ? x > lo : x >= lo;
  const bool high_ok = hi_open ? x < hi : x <= hi;
  return low_ok && high_ok;
}

namespace {

// A bound as a reader writes it: 1e12 rather than 1000000000000; 86400 and 1048576 as they are (below 1e5, or
// where the exponent form is not shorter).
std::string bound_text(double x) {
  std::string plain = format_number(x);
  if (std::fabs(x) < 1e5) return plain;
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::scientific);
  std::string scientific(buffer, result.ptr);  // "1e+09"
  std::erase(scientific, '+');
  const std::size_t digits = scientific.find_first_not_of('-', scientific.find('e') + 1);
  while (scientific.size() > digits + 1 && scientific[digits] == '0') scientific.erase(digits, 1);
  return scientific.size() < plain.size() ? scientific : plain;
}

}  // namespace

std::string Range::describe() const {
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  if (has_lo && has_hi) {
    return std::string("a number in ") + (lo_open ? "(" : "[") + bound_text(lo) + ", " + bound_text(hi) +
           (hi_open ? ")" : "]");
  }
  if (has_lo) return std::string("a number ") + (lo_open ? "> " : ">= ") + bound_text(lo);
  if (has_hi) return std::string("a number ") + (hi_open ? "< " : "<= ") + bound_text(hi);
  return "a number";
}

std::string IntRange::describe(bool show_int_limit) const {
  std::string out = "an integer >= " + std::to_string(lo);
  if (hi != INT_MAX || show_int_limit) out += " and <= " + std::to_string(hi);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Where errors point

void Context::fail(const std::string& origin_path, int line, const std::string& what,
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

void Context::fail_at_line(int line, const std::string& what, const std::string& expected) const {
  throw InputError(
      one_line(source_ + ":" + std::to_string(std::max(line, 1)) + ": " + what + " (expected " + expected + ")"));
}

int line_of(const YAML::Node& key, const YAML::Node& value, int fallback) {
  if (key.IsDefined() && key.Mark().line >= 0) return key.Mark().line + 1;
  if (value.IsDefined() && value.Mark().line >= 0) return value.Mark().line + 1;
  return fallback;
}

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

// ---------------------------------------------------------------------------------------------------
// The fields of a struct

void normal_fields(FieldVisitor& v, NormalSpec& n, const Range& range) {
  v.number("mean", n.mean, range);
  v.number("stddev", n.stddev, Range{0, false, range.hi, range.hi_open});
  v.number("min", n.min, range);
}

// ---------------------------------------------------------------------------------------------------
// The key tree

const SchemaNode* SchemaNode::child(std::string_view key) const {
  for (const SchemaNode& c : children) {
    if (c.name == key) return &c;
  }
  return nullptr;
}

std::vector<std::string> SchemaNode::keys() const {
  std::vector<std::string> out;
  for (const SchemaNode& c : children) out.push_back(c.name);
  return out;
}

namespace {

class SchemaCollector final : public FieldVisitor {
 public:
  explicit SchemaCollector(SchemaNode& node) : node_(node) {}

  void text(const char* key, std::string&, const std::vector<std::string>&) override { add(key, Kind::kValue); }
  void integer(const char* key, int&, IntRange range) override { add(key, Kind::kValue).expected = range.describe(); }
  void unsigned64(const char* key, std::uint64_t&, std::uint64_t) override {
    add(key, Kind::kValue).expected = "a non-negative integer";
  }
  void number(const char* key, double&, Range range) override { add(key, Kind::kValue).expected = range.describe(); }
  void boolean(const char* key, bool&) override { add(key, Kind::kValue); }
  void normal(const char* key, NormalSpec&, Range range) override {
    SchemaCollector sub(add(key, Kind::kNormal));
    NormalSpec scratch;
    normal_fields(sub, scratch, range);
  }
  void section(const char* key, const std::function<void(FieldVisitor&)>& body) override {
    SchemaCollector sub(add(key, Kind::kMap));
    body(sub);
  }
  void foreign_map(const char* key, const std::string& expected) override {
    add(key, Kind::kForeign).expected = expected;
  }
  void custom(const char* key, const std::string& expected, const std::function<void(const Field&)>&) override {
    add(key, Kind::kCustom).expected = expected;
  }

 private:
  using Kind = SchemaNode::Kind;

  SchemaNode& add(const char* key, Kind kind) {
    node_.children.push_back(SchemaNode{key, kind, {}, {}});
    return node_.children.back();
  }

  SchemaNode& node_;
};

}  // namespace

SchemaNode collect_schema(const std::function<void(FieldVisitor&)>& fields) {
  SchemaNode root;
  SchemaCollector collector(root);
  fields(collector);
  return root;
}

std::string expected_map(const SchemaNode& schema) {
  if (schema.kind == SchemaNode::Kind::kForeign || schema.kind == SchemaNode::Kind::kCustom) return schema.expected;
  return "a map with keys " + join(schema.keys());
}

// ---------------------------------------------------------------------------------------------------
// Finding things in a tree

std::optional<MapEntry> find_entry(const YAML::Node& map, std::string_view name, int parent_line) {
  if (!map.IsMap()) return std::nullopt;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == name) {
      return MapEntry{std::string(name), it->first, it->second, line_of(it->first, it->second, parent_line)};
    }
  }
  return std::nullopt;
}

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
// Reading

MapReader::MapReader(const Context& context, const SchemaNode& schema, const YAML::Node& node, std::string path,
                     int line)
    : context_(context), schema_(schema), path_(std::move(path)) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    context_.fail(path_, line, context_.subject(path_) + ": " + describe_node(node) + " is not a map",
                  expected_map(schema_));
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const int entry_line = line_of(it->first, it->second, line);
    if (!it->first.IsScalar()) {
      context_.fail(path_, entry_line, context_.subject(path_) + ": " + describe_node(it->first) + " as a key",
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

void MapReader::text(const char* key, std::string& out, const std::vector<std::string>& choices) {
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

void MapReader::integer(const char* key, int& out, IntRange range) {
  const MapEntry* e = find(key);
  if (e == nullptr) return;
  const std::string& value = scalar(*e, "an integer", range.describe());
  std::int64_t parsed = 0;
  const Parsed result = parse_integer(value, parsed);
  if (result == Parsed::kNotNumber) fail(*e, in_quotes(value) + " is not an integer", range.describe());
  if (result == Parsed::kOutOfRange || parsed < range.lo || parsed > range.hi) {
    fail(*e, shortened(value) + " is out of range", range.describe(result == Parsed::kOutOfRange || parsed > range.hi));
  }
  out = static_cast<int>(parsed);
}

void MapReader::unsigned64(const char* key, std::uint64_t& out, std::uint64_t max) {
  const MapEntry* e = find(key);
  if (e == nullptr) return;
  const std::string expected = max == std::numeric_limits<std::uint64_t>::max()
                                   ? "a non-negative integer"
                                   : "an integer from 0 to " + std::to_string(max);
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
  if (parse_integer(value, parsed) != Parsed::kOk || parsed > max) {
    const bool bounded = max != std::numeric_limits<std::uint64_t>::max();
    fail(*e, shortened(value) + " is out of range", bounded ? expected : expected + " <= " + std::to_string(max));
  }
  out = parsed;
}

void MapReader::number(const char* key, double& out, Range range) {
  const MapEntry* e = find(key);
  if (e == nullptr) return;
  out = read_number(*e, range, range.describe());
}

void MapReader::boolean(const char* key, bool& out) {
  const MapEntry* e = find(key);
  if (e == nullptr) return;
  const std::string& value = scalar(*e, "a boolean", "true or false");
  const auto parsed = parse_boolean(value);
  if (!parsed) fail(*e, in_quotes(value) + " is not a boolean", "true or false");
  out = *parsed;
}

void MapReader::normal(const char* key, NormalSpec& out, Range range) {
  const MapEntry* e = find(key);
  if (e == nullptr) return;
  const std::string expected = range.describe() + ", or a map with keys mean, stddev, min";
  if (e->value.IsScalar()) {
    out.mean = read_number(*e, range, expected);
    out.stddev = 0;
    return;
  }
  if (!e->value.IsMap()) {
    fail(*e, e->value.IsNull() ? "has no value" : describe_node(e->value) + " is not a number or a map", expected);
  }
  MapReader sub(context_, *schema_.child(key), e->value, join_path(path_, key), e->line);
  normal_fields(sub, out, range);
}

void MapReader::section(const char* key, const std::function<void(FieldVisitor&)>& body) {
  const MapEntry* e = find(key);
  if (e == nullptr) return;
  MapReader sub(context_, *schema_.child(key), e->value, join_path(path_, key), e->line);
  body(sub);
}

void MapReader::foreign_map(const char* key, const std::string& expected) {
  const MapEntry* e = find(key);
  if (e == nullptr || e->value.IsNull() || e->value.IsMap()) return;
  fail(*e, describe_node(e->value) + " is not a map", expected);
}

void MapReader::custom(const char* key, const std::string&, const std::function<void(const Field&)>& read) {
  const MapEntry* e = find(key);
  if (e == nullptr) return;
  read(Field{&context_, join_path(path_, key), e->value, e->line});
}

const MapEntry* MapReader::find(const char* key) const {
  for (const MapEntry& e : entries_) {
    if (e.name == key) return &e;
  }
  return nullptr;
}

void MapReader::fail(const MapEntry& e, const std::string& what, const std::string& expected) const {
  const std::string path = join_path(path_, e.name);
  context_.fail(path, e.line, path + ": " + what, expected);
}

const std::string& MapReader::scalar(const MapEntry& e, const std::string& noun, const std::string& expected) const {
  if (e.value.IsNull()) fail(e, "has no value", expected);
  if (!e.value.IsScalar()) fail(e, describe_node(e.value) + " is not " + noun, expected);
  return e.value.Scalar();
}

double MapReader::read_number(const MapEntry& e, const Range& range, const std::string& expected) const {
  const std::string& value = scalar(e, "a number", expected);
  double parsed = 0;
  const Parsed result = parse_number(value, parsed);
  if (result == Parsed::kNotNumber) fail(e, in_quotes(value) + " is not a number", expected);
  if (result == Parsed::kOutOfRange || !range.contains(parsed))
    fail(e, shortened(value) + " is out of range", expected);
  return parsed;
}

double number_item(const Field& list, const std::string& path, const YAML::Node& item, int line, const Range& range,
                   const std::string& expected) {
  double parsed = 0;
  if (!item.IsScalar())
    list.context->fail(path, line, path + ": " + describe_node(item) + " is not a number", expected);
  const Parsed result = parse_number(item.Scalar(), parsed);
  if (result == Parsed::kNotNumber)
    list.context->fail(path, line, path + ": " + in_quotes(item.Scalar()) + " is not a number", expected);
  if (result == Parsed::kOutOfRange || !range.contains(parsed))
    list.context->fail(path, line, path + ": " + shortened(item.Scalar()) + " is out of range", expected);
  return parsed;
}

// ---------------------------------------------------------------------------------------------------
// Files and documents

namespace {

// The parser's events, for where a document starts; no node is built.
class DocumentStart final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { mark_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  const YAML::Mark& mark() const { return mark_; }

 private:
  YAML::Mark mark_;
};

// Where a second document of `text` starts, if it has one. The documents are walked one call at a time, two at
// most: yaml-cpp 0.7's LoadAll loops for ever on a stray token after a document ("{a: b}, c", which its parser
// hands back as an empty document without consuming it). Throws YAML::Exception.
std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStart start;
  if (!parser.HandleNextDocument(start) || !parser.HandleNextDocument(start)) return std::nullopt;
  return start.mark();
}

// Line `index` (0-based) of `text`, without its end.
std::string_view line_at(std::string_view text, int index) {
  for (int i = 0; i < index && !text.empty(); ++i) {
    const std::size_t end = text.find('\n');
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return text.substr(0, text.find('\n'));
}

}  // namespace

YAML::Node load_document(const Context& context, const std::string& text, const SchemaNode& root_schema) {
  YAML::Node root;
  std::optional<YAML::Mark> second;
  try {
    root = YAML::Load(text);
    second = second_document(text);
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
  if (second) {
    const int line = std::max(second->line, 0);
    if (line_at(text, line).starts_with("---")) {
      context.fail_at_line(line + 1, "a second YAML document", "one " + context.document() + " per file");
    }
    context.fail_at_line(line + 1,
                         "invalid YAML at column " + std::to_string(std::max(second->column, 0) + 1) +
                             ": stray text outside the document",
                         "valid YAML syntax");
  }
  if (root.IsNull()) return YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    context.fail_at_line(line_of(YAML::Node(), root, 1),
                         context.subject("") + ": " + describe_node(root) + " is not a map", expected_map(root_schema));
  }
  return root;
}

void for_each_item(const Field& field, const std::string& noun, const std::string& expected,
                   const std::function<void(const std::string&, const YAML::Node&, int)>& read) {
  if (field.value.IsNull()) field.fail("has no value", expected);
  if (!field.value.IsSequence()) field.fail(describe_node(field.value) + " is not a list", expected);
  if (field.value.size() == 0) field.fail("an empty list, with no " + noun, expected);
  std::size_t index = 0;
  for (const YAML::Node& item : field.value) {
    read(field.path + "[" + std::to_string(index) + "]", item, line_of(YAML::Node(), item, field.line));
    ++index;
  }
}

}  // namespace vfo::yaml_schema
