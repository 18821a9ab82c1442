#include "vfo/scenario/node_inventory.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "scenario/yaml_schema.hpp"

namespace vfo {
namespace {

using yaml_schema::Context;
using yaml_schema::Field;
using yaml_schema::FieldVisitor;
using yaml_schema::MapReader;
using yaml_schema::SchemaNode;

const char* const kNodesExpected = "a list of nodes, each {name: NAME, address: HOST:PORT}";

void node_fields(FieldVisitor& v, InventoryNode& n) {
  v.text("name", n.name, {});
  v.text("address", n.address, {});
}

void inventory_fields(FieldVisitor& v, const std::function<void(const Field&)>& read_nodes) {
  v.custom("nodes", kNodesExpected, read_nodes);
}

const SchemaNode& node_schema() {
  static const SchemaNode schema = yaml_schema::collect_schema([](FieldVisitor& v) {
    InventoryNode scratch;
    node_fields(v, scratch);
  });
  return schema;
}

const SchemaNode& inventory_schema() {
  static const SchemaNode schema =
      yaml_schema::collect_schema([](FieldVisitor& v) { inventory_fields(v, [](const Field&) {}); });
  return schema;
}

bool host_and_port(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
  const std::string port = address.substr(colon + 1);
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(c) != 0; })) {
    return false;
  }
  const int number = std::stoi(port);
  const std::string host = address.substr(0, colon);
  return number > 0 && number <= 65535 && host != "0.0.0.0" && host.find_first_of(" \t") == std::string::npos;
}

}  // namespace

bool valid_node_name(const std::string& name) {
  return !name.empty() && name.size() <= 63 && name != "orchestrator" && name.front() != '-' &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-'; });
}

std::vector<InventoryNode> parse_node_inventory(const std::string& yaml_text, const std::string& source_name) {
  Context context(source_name);
  const YAML::Node root = yaml_schema::load_document(context, yaml_text, inventory_schema());
  std::vector<InventoryNode> nodes;
  bool has_nodes = false;
  int nodes_line = 1;
  MapReader reader(context, inventory_schema(), root, "", 1);
  inventory_fields(reader, [&](const Field& field) {
    has_nodes = true;
    nodes_line = field.line;
    std::map<std::string, int> names;
    yaml_schema::for_each_item(
        field, "nodes", kNodesExpected, [&](const std::string& path, const YAML::Node& item, int line) {
          InventoryNode n;
          MapReader node_reader(context, node_schema(), item, path, line);
          node_fields(node_reader, n);
          if (!valid_node_name(n.name)) {
            context.fail(path + ".name", line, path + ".name: '" + yaml_schema::shortened(n.name) + "'",
                         "the name of the node's certificate: 1 to 63 letters, digits and '-', not orchestrator");
          }
          if (!host_and_port(n.address)) {
            context.fail(path + ".address", line, path + ".address: '" + yaml_schema::shortened(n.address) + "'",
                         "HOST:PORT where the node's agent serves, e.g. 192.168.1.21:7000");
          }
          if (const auto [it, fresh] = names.emplace(n.name, line); !fresh) {
            context.fail(
                path + ".name", line,
                path + ".name: '" + n.name + "' is given twice (first at line " + std::to_string(it->second) + ")",
                "distinct node names");
          }
          nodes.push_back(n);
        });
  });
  if (!has_nodes) context.fail("nodes", 1, "nodes: missing", kNodesExpected);
  if (nodes.empty()) context.fail("nodes", nodes_line, "nodes: none", "at least one node");
  return nodes;
}

}  // namespace vfo
