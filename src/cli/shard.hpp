#pragma once
// --shard I/N of `vfo sweep` and `vfo reproduce`: the I-th of N disjoint parts of a list of work, the items whose
// index % N == I - 1.
#include <string>
#include <utility>

namespace vfo::cli {

// --shard I/N as (I, N), 1 <= I <= N <= 100000. Throws InputError.
std::pair<int, int> parse_shard(const std::string& text);

}  // namespace vfo::cli
