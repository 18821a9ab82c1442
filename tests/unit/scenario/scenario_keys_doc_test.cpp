// docs/cli.md lists every numeric key of a scenario with the values the loader takes: the table must be the
// loader's, row for row, so that the documented ranges are the checked ones.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "vfo/scenario/scenario_loader.hpp"

namespace vfo {
namespace {

TEST(ScenarioKeysDoc, TheDocsListEveryNumericKeyWithTheRangeTheLoaderChecks) {
  std::ifstream in(std::string(VFO_SOURCE_DIR) + "/docs/cli.md");
  ASSERT_TRUE(in) << "docs/cli.md";
  std::stringstream text;
  text << in.rdbuf();
  std::string table;
  for (const auto& [key, values] : scenario_numeric_keys()) table += "| `" + key + "` | " + values + " |\n";
  ASSERT_GT(table.size(), 0u);
  EXPECT_NE(text.str().find("| key | values |\n|---|---|\n" + table), std::string::npos)
      << "docs/cli.md should hold this table (the loader's ranges):\n| key | values |\n|---|---|\n"
      << table;
}

}  // namespace
}  // namespace vfo
