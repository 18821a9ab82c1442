#pragma once
// Scenario YAML -> Scenario, validated. Every error is an InputError whose message is one line:
//   FILE:LINE: what is wrong (what was expected)
// e.g. "scenarios/x.yaml:7: environment.nodes: -3 is out of range (expected an integer >= 1)".
// Unknown keys, wrong types, out-of-range values and a missing file are all errors; the top-level
// `sweep:` section is left for the sweep loader (sweep_spec.hpp) and only checked to be a map.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vfo/scenario/scenario.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo {

// Overrides are "dotted.key=value" strings (from `--set` or a sweep's grid) applied to the YAML tree
// before validation, so an overridden value is checked like one from the file; a bad override is
// reported as "--set KEY=VALUE: what is wrong (what was expected)".
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

// The same from text already in memory; `source_name` stands for the file in messages.
Scenario parse_scenario(const std::string& yaml_text, const std::string& source_name,
                        const std::vector<std::string>& overrides = {});

// Why dotted `key` names no scenario setting ("environment.nodez: unknown key, did you mean nodes?"), or
// nullopt when it names one (a value, a distribution or one of its fields, a section).
std::optional<std::string> unknown_scenario_key(const std::string& key);

// Every numeric key of a scenario with the values it takes, in the schema's order: {"environment.nodes", "an
// integer >= 1 and <= 1000000"}, {"environment.link_mbps.mean", "a number in (0, 1e6]"}, ... (docs/cli.md lists
// them all).
std::vector<std::pair<std::string, std::string>> scenario_numeric_keys();

}  // namespace vfo
