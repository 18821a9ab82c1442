// docs/cli.md against every command's --help: each command has a section, and each option it takes is named there.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/processes.hpp"
#include "vfo_process.hpp"

namespace vfo::test {
namespace {

// The names listed under "Subcommands:" in a --help text.
std::vector<std::string> subcommands(const std::string& help) {
  std::vector<std::string> out;
  std::istringstream in(help);
  std::string line;
  bool listing = false;
  static const std::regex kEntry(R"(^  ([a-z][a-z0-9-]*)(\s|$))");
  while (std::getline(in, line)) {
    if (line.rfind("Subcommands:", 0) == 0) {
      listing = true;
      continue;
    }
    std::smatch m;
    if (listing && std::regex_search(line, m, kEntry)) out.push_back(m[1]);
    if (listing && line.empty()) listing = false;
  }
  return out;
}

// The long options ("--seed") listed under "Options:" in a --help text, --help and --version left out.
std::vector<std::string> long_options(const std::string& help) {
  std::vector<std::string> out;
  std::istringstream in(help);
  std::string line;
  static const std::regex kOption(R"(^\s+(?:-[a-zA-Z],)?(--[a-z0-9-]+))");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kOption) && m[1] != "--help" && m[1] != "--version") out.push_back(m[1]);
  }
  return out;
}

// The text of the section of cli.md whose "## " heading names `vfo COMMAND`, or else its first word's; empty if none.
std::string section_of(const std::string& doc, const std::string& command) {
  std::vector<std::pair<std::string, std::string>> sections;  // heading, text
  std::istringstream in(doc);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      sections.emplace_back(line, "");
    } else if (!sections.empty()) {
      sections.back().second += line + "\n";
    }
  }
  for (const std::string& name : {command, command.substr(0, command.find(' '))}) {
    for (const auto& [heading, text] : sections) {
      if (heading.find("`vfo " + name + "`") != std::string::npos) return text;
    }
  }
  return "";
}

TEST(HelpDoc, EveryCommandAndEveryOptionOfItsHelpIsInTheCliReference) {
  const std::string doc = slurp(std::filesystem::path(VFO_SOURCE_DIR) / "docs" / "cli.md");
  ASSERT_FALSE(doc.empty());
  std::vector<std::string> pending = {""};
  int commands = 0;
  while (!pending.empty()) {
    const std::string command = pending.back();
    pending.pop_back();
    const Outcome help = run_vfo(command + " --help");
    ASSERT_EQ(help.exit_code, 0) << "vfo " << command << " --help: " << help.all();
    const std::vector<std::string> children = subcommands(help.out);
    for (const std::string& child : children) pending.push_back(command.empty() ? child : command + " " + child);
    // The top level and a group of subcommands with no option of its own (vfo chaos, vfo experiment) need no section.
    if (command.empty() || (!children.empty() && long_options(help.out).empty())) continue;
    ++commands;
    const std::string section = section_of(doc, command);
    if (section.empty()) {
      ADD_FAILURE() << "vfo " << command << " has no section in docs/cli.md";
      continue;
    }
    for (const std::string& option : long_options(help.out)) {
      EXPECT_NE(section.find(option), std::string::npos)
          << "vfo " << command << " " << option << " is not in its section of docs/cli.md";
    }
  }
  EXPECT_GE(commands, 20);  // the walk found the commands (sim, sweep, ..., chaos soak, forecast train)
}

}  // namespace
}  // namespace vfo::test
