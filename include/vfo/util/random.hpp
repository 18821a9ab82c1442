#pragma once
// Seeded random streams. Every random draw in vfo comes from an Rng derived from the scenario's seed
// and a stream name, so that the same scenario gives the same bytes out on any machine: the
// generator (xoshiro256**) and the distributions are implemented here, not taken from <random>,
// whose distributions differ between standard libraries.
#include <cstdint>
#include <string_view>

namespace vfo {

// splitmix64: mixes one 64-bit value into another; used to seed and to hash.
std::uint64_t mix64(std::uint64_t x);

// A stable 64-bit hash of a stream name (FNV-1a), so streams are named, not numbered.
std::uint64_t hash_name(std::string_view name);

// Derives the seed of a named sub-stream (e.g. "failures", "node/17") from a parent seed.
std::uint64_t derive_seed(std::uint64_t parent, std::string_view stream);
std::uint64_t derive_seed(std::uint64_t parent, std::uint64_t stream);

// A deterministic uniform in [0, 1) that is a pure function of its key: for draws that must not
// depend on the order in which they are made (e.g. one draw per node and probing round).
double keyed_uniform(std::uint64_t seed, std::uint64_t a, std::uint64_t b);

// One random stream. Not thread-safe: give each thread or process its own.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  Rng(std::uint64_t parent_seed, std::string_view stream) : Rng(derive_seed(parent_seed, stream)) {}

  std::uint64_t next_u64();
  double uniform();                           // [0, 1)
  double uniform(double lo, double hi);       // [lo, hi)
  double normal(double mean, double stddev);  // Box-Muller
  double exponential(double rate);            // mean 1/rate; +inf when rate <= 0
  bool bernoulli(double p);

 private:
  std::uint64_t s_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

}  // namespace vfo
