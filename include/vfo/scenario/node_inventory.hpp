#pragma once
// The nodes of a cluster whose agents were started by hand (`vfo up --inventory FILE`), one YAML file:
//
//   nodes:
//     - {name: pi-1, address: "192.168.1.21:7000"}
//     - {name: pi-2, address: "192.168.1.22:7000"}
//
// `name` is the name the node's certificate carries (vfo certs DIR --issue NAME): letters, digits and '-', at
// most 63, not "orchestrator", each once; `address` is HOST:PORT where its agent serves (its --listen).
#include <string>
#include <vector>

namespace vfo {

struct InventoryNode {
  std::string name;
  std::string address;
};

// Reads the inventory in `yaml_text` (from `source_name`, named in errors). Throws vfo::InputError, one line
// "FILE:LINE: what is wrong (expected ...)".
std::vector<InventoryNode> parse_node_inventory(const std::string& yaml_text, const std::string& source_name);

// Whether `name` can name a node: 1 to 63 letters, digits and '-', starting with a letter or digit, and not
// "orchestrator" (the controller's certificate).
bool valid_node_name(const std::string& name);

}  // namespace vfo
