#include "cli/shard.hpp"

#include <algorithm>
#include <optional>

#include "vfo/util/input_error.hpp"

namespace vfo::cli {

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto number = [](const std::string& t) -> std::optional<int> {
    if (t.empty() || t.size() > 6 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return std::stoi(t);
  };
  const auto i = slash == std::string::npos ? std::nullopt : number(text.substr(0, slash));
  const auto n = slash == std::string::npos ? std::nullopt : number(text.substr(slash + 1));
  if (!i || !n || *n < 1 || *n > 100000 || *i < 1 || *i > *n) {
    throw InputError("--shard: '" + text + "' (expected I/N with 1 <= I <= N <= 100000, e.g. 3/8)");
  }
  return {*i, *n};
}

}  // namespace vfo::cli
