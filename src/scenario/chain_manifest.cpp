#include "vfo/scenario/chain_manifest.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <map>

#include "scenario/value_ranges.hpp"
#include "scenario/yaml_schema.hpp"
#include "vfo/model/units.hpp"
#include "vfo/util/file_io.hpp"

// How it works: as scenario_loader.cpp, one walk with yaml_schema; `functions` is a custom list field whose
// items are read with function_fields.

namespace vfo {
namespace {

using yaml_schema::Context;
using yaml_schema::Field;
using yaml_schema::FieldVisitor;
using yaml_schema::for_each_item;
using yaml_schema::MapReader;
using yaml_schema::Range;
using yaml_schema::SchemaNode;

const std::vector<std::string> kKinds = {"source", "compute", "sink", "exec"};
const char* const kCommandExpected = "a list of strings: the program and its arguments, e.g. [python3, detect.py]";
const char* const kEnvExpected = "a map of NAME: value, NAME of letters, digits and '_'";
constexpr std::size_t kMaxCommandItems = 256;

bool env_name(const std::string& name) {
  return !name.empty() && std::isdigit(static_cast<unsigned char>(name[0])) == 0 &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

void read_command(const Field& field, std::vector<std::string>& out) {
  if (!field.value.IsSequence())
    field.fail(yaml_schema::describe_node(field.value) + " is not a list", kCommandExpected);
  if (field.value.size() == 0) field.fail("an empty list", kCommandExpected);
  if (field.value.size() > kMaxCommandItems) field.fail("more than 256 items", kCommandExpected);
  out.clear();
  for (std::size_t i = 0; i < field.value.size(); ++i) {
    const YAML::Node& item = field.value[i];
    if (!item.IsScalar() || item.Scalar().empty()) {
      field.fail("item " + std::to_string(i) + " is " + yaml_schema::describe_node(item) + ", not a string",
                 kCommandExpected);
    }
    out.push_back(item.Scalar());
  }
}

void read_env(const Field& field, std::map<std::string, std::string>& out) {
  if (!field.value.IsMap()) field.fail(yaml_schema::describe_node(field.value) + " is not a map", kEnvExpected);
  out.clear();
  for (const auto& entry : field.value) {
    const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (!env_name(name)) field.fail("'" + name + "' is not a variable name", kEnvExpected);
    if (!entry.second.IsScalar()) {
      field.fail(name + " is " + yaml_schema::describe_node(entry.second) + ", not a string", kEnvExpected);
    }
    out[name] = entry.second.Scalar();
  }
}
const char* const kFunctionsExpected =
    "a list of functions {name, kind, ...}: a source first, a sink last, compute between";

void function_fields(FieldVisitor& v, ManifestFunction& f) {
  v.text("name", f.name, {});
  v.text("kind", f.kind, kKinds);
  v.unsigned64("payload_bytes", f.payload_bytes, kManifestMaxPayloadBytes);
  v.unsigned64("instructions", f.instructions, 100'000'000'000ull);
  v.number("state_mb", f.state_mb, value_ranges::kStateMb);
  v.number("dirty_mb_per_s", f.dirty_mb_per_s, value_ranges::kDirtyMbPerS);
  v.number("ram_mb", f.ram_mb, value_ranges::kFunctionRamMb);
  v.number("image_mb", f.image_mb, value_ranges::kImageMb);
  v.custom("command", kCommandExpected, [&](const Field& field) { read_command(field, f.command); });
  v.custom("env", kEnvExpected, [&](const Field& field) { read_env(field, f.env); });
  v.number("cpus", f.cpus, Range::open_closed(0, 1024));
  v.number("memory_mb", f.memory_mb, Range::open_closed(0, 1048576));
}

void manifest_fields(FieldVisitor& v, ChainManifest& m, const std::function<void(const Field&)>& read_functions) {
  v.text("name", m.name, {});
  v.number("fps", m.fps, value_ranges::kFps);
  v.custom("functions", kFunctionsExpected, read_functions);
}

const SchemaNode& function_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    ManifestFunction scratch;
    function_fields(v, scratch);
  });
  return schema;
}

const SchemaNode& manifest_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    ChainManifest scratch;
    manifest_fields(v, scratch, [](const Field&) {});
  });
  return schema;
}

bool plain_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

ChainManifest parse(const std::string& text, const std::string& source) {
  Context context(source);
  const YAML::Node root = yaml_schema::load_document(context, text, manifest_schema());
  ChainManifest m;
  m.source_file = source;
  bool has_functions = false;
  int functions_line = 1;
  MapReader reader(context, manifest_schema(), root, "", 1);
  manifest_fields(reader, m, [&](const Field& field) {
    has_functions = true;
    functions_line = field.line;
    std::map<std::string, int> names;
    for_each_item(
        field, "functions", kFunctionsExpected, [&](const std::string& path, const YAML::Node& item, int line) {
          ManifestFunction f;
          f.name = "vf" + std::to_string(m.functions.size());
          MapReader function_reader(context, function_schema(), item, path, line);
          function_fields(function_reader, f);
          if (f.kind.empty()) {
            context.fail(path + ".kind", line, path + ".kind: missing", "source, compute, sink or exec");
          }
          if ((f.kind == "exec") != !f.command.empty()) {
            context.fail(path + ".command", line,
                         path + (f.kind == "exec" ? ".command: missing" : ".command: given for a " + f.kind),
                         "a command for kind exec, and only for it");
          }
          const bool exec_only = !f.env.empty() || f.cpus > 0 || f.memory_mb > 0;
          if (f.kind != "exec" && exec_only) {
            context.fail(path + ".kind", line, path + ": env, cpus or memory_mb given for a " + f.kind,
                         "env, cpus and memory_mb for kind exec only");
          }
          if (!plain_name(f.name)) {
            context.fail(path + ".name", line, path + ".name: '" + f.name + "' is not a plain name",
                         "letters, digits, '-' and '_'");
          }
          if (const auto [it, fresh] = names.emplace(f.name, line); !fresh) {
            context.fail(
                path + ".name", line,
                path + ".name: '" + f.name + "' is given twice (first at line " + std::to_string(it->second) + ")",
                "distinct function names");
          }
          const std::size_t index = m.functions.size();
          const std::size_t last = field.value.size() - 1;
          const std::string wanted = chain_role(index, last + 1);
          if (f.kind != wanted && f.kind != "exec") {
            context.fail(
                path + ".kind", line,
                path + ".kind: " + f.kind + " at position " + std::to_string(index) + " of " + std::to_string(last + 1),
                "a source first, a sink last, compute between (exec anywhere)");
          }
          m.functions.push_back(f);
        });
  });
  if (m.name.empty()) context.fail("name", 1, "name: missing", "name: a plain name such as pedestrian-detection");
  if (!plain_name(m.name)) {
    context.fail("name", 1, "name: '" + m.name + "' is not a plain name", "letters, digits, '-' and '_'");
  }
  if (!has_functions) context.fail("functions", 1, "functions: missing", kFunctionsExpected);
  if (m.functions.size() < 2) {
    context.fail("functions", functions_line, "functions: one function", "at least a source and a sink");
  }
  return m;
}

}  // namespace

std::string chain_role(std::size_t index, std::size_t count) {
  return index == 0 ? "source" : index + 1 == count ? "sink" : "compute";
}

ChainManifest load_chain_manifest(const std::string& path) {
  return parse(read_input_file(path, "a chain manifest in YAML"), path);
}

ChainManifest parse_chain_manifest(const std::string& yaml_text, const std::string& source_name) {
  return parse(yaml_text, source_name);
}

Chain manifest_chain(const ChainManifest& manifest, ChainId id) {
  Chain chain;
  chain.id = id;
  chain.fps = manifest.fps;
  // The built-in VFs pass the source's payload on unchanged; the sink sends nothing. An exec VF's output is taken
  // to be as large (its program alone knows).
  const double payload = manifest.functions.empty() ? 0.0 : static_cast<double>(manifest.functions[0].payload_bytes);
  for (std::size_t i = 0; i < manifest.functions.size(); ++i) {
    const ManifestFunction& mf = manifest.functions[i];
    const std::string role = chain_role(i, manifest.functions.size());
    Function f;
    f.name = mf.name;
    f.load_ipf = role == "compute" ? static_cast<double>(std::max<std::uint64_t>(mf.instructions, 1)) : 1.0;
    f.output_bytes_per_frame = role == "sink" ? 0.0 : payload;
    f.ram_bytes = units::megabytes(mf.ram_mb);
    f.state_bytes = units::megabytes(mf.state_mb);
    f.image_bytes = units::megabytes(mf.image_mb);
    f.dirty_rate_bps = units::megabytes(mf.dirty_mb_per_s);
    chain.functions.push_back(f);
  }
  return chain;
}

}  // namespace vfo
