#pragma once
// Small text helpers shared by the YAML readers and the CLI.
#include <string>
#include <string_view>
#include <vector>

namespace vfo {

// The items with `separator` between them ("a, b, c").
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// `text` with line breaks and tabs as spaces, so that a message quoting user input stays one line.
std::string one_line(std::string_view text);

// `text` without leading and trailing spaces and tabs.
std::string trim(std::string_view text);

}  // namespace vfo
