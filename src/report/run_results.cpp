#include "vfo/report/run_results.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "vfo/util/file_io.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo::report {

namespace {

using Json = nlohmann::ordered_json;  // keeps the file's key order

void flatten(const Json& node, const std::string& name, std::vector<Metric>& out) {
  switch (node.type()) {
    case Json::value_t::object:
      for (const auto& [key, child] : node.items()) flatten(child, name.empty() ? key : name + "_" + key, out);
      break;
    case Json::value_t::array:
      for (std::size_t i = 0; i < node.size(); ++i) flatten(node[i], fmt::format("{}_{}", name, i), out);
      break;
    case Json::value_t::number_integer:
      out.emplace_back(name, std::to_string(node.get<std::int64_t>()));
      break;
    case Json::value_t::number_unsigned:
      out.emplace_back(name, std::to_string(node.get<std::uint64_t>()));
      break;
    case Json::value_t::number_float:
      out.emplace_back(name, format_number(node.get<double>()));
      break;
    case Json::value_t::boolean:
      out.emplace_back(name, node.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::string:
      out.emplace_back(name, node.get<std::string>());
      break;
    default:  // null, binary, discarded
      out.emplace_back(name, "");
      break;
  }
}

}  // namespace

std::vector<Metric> flatten_summary(std::string_view json_text, const std::string& source_name) {
  Json json;
  try {
    json = Json::parse(json_text.begin(), json_text.end());
  } catch (const Json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON ({})", source_name, e.what()));
  }
  if (!json.is_object()) throw InputError(fmt::format("{}: expected a JSON object at the top level", source_name));
  std::vector<Metric> out;
  flatten(json, "", out);
  return out;
}

std::vector<Metric> read_summary(const std::string& path) {
  return flatten_summary(read_input_file(path, "the summary.json of a finished run"), path);
}

CsvTable make_results_table(const std::vector<std::string>& key_columns, const std::vector<RunRecord>& runs) {
  std::vector<std::string> columns = key_columns;
  columns.emplace_back("replication");
  columns.emplace_back("seed");
  std::unordered_set<std::string> fixed(columns.begin(), columns.end());
  std::unordered_map<std::string, std::size_t> metric_column;  // metric name -> column index
  for (const auto& run : runs) {
    for (const auto& [name, value] : run.metrics) {
      if (fixed.count(name) || metric_column.count(name)) continue;
      metric_column.emplace(name, columns.size());
      columns.push_back(name);
    }
  }
  CsvTable table(columns);
  for (const auto& run : runs) {
    if (run.key_values.size() != key_columns.size()) {
      throw std::invalid_argument(fmt::format("make_results_table: {} key values for {} key columns",
                                              run.key_values.size(), key_columns.size()));
    }
    std::vector<std::string> row(columns.size());
    std::copy(run.key_values.begin(), run.key_values.end(), row.begin());
    row[key_columns.size()] = std::to_string(run.replication);
    row[key_columns.size() + 1] = std::to_string(run.seed);
    std::vector<bool> filled(columns.size(), false);  // a name repeated within one summary: the first wins
    for (const auto& [name, value] : run.metrics) {
      const auto it = metric_column.find(name);
      if (it == metric_column.end() || filled[it->second]) continue;
      row[it->second] = value;
      filled[it->second] = true;
    }
    table.add_row(std::move(row));
  }
  return table;
}

}  // namespace vfo::report
