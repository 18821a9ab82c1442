// One libFuzzer target: the input named by VFO_FUZZ_TARGET (fuzz_inputs.hpp), built once per target by
// tests/fuzz/CMakeLists.txt when VFO_FUZZ is on.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const vfo::fuzz::Target& target = vfo::fuzz::target(VFO_FUZZ_TARGET);
  target.run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
