#pragma once
// The inputs vfo reads from outside, each given the bytes of one case: scenario, sweep, manifest and placement
// YAML, the four trace formats, and the data plane's wire formats (frames, acks, live migration's state
// messages and host state). A parser may refuse a case with an InputError whose message is one non-empty line;
// a decoder with nullopt and a one-line reason; what a decoder accepts must encode to bytes that decode and
// encode to themselves. Anything else (another exception, a crash, a hang, a sanitizer report, a broken property) is a
// defect: the case aborts. The libFuzzer targets (fuzz_target.cpp, built with -DVFO_FUZZ=ON) and the test that replays
// every case found (tests/unit/fuzz_cases_test.cpp) share these.
#include <string>
#include <string_view>
#include <vector>

namespace vfo::fuzz {

struct Target {
  std::string name;  // "scenario", "trace-alibaba", "frame", ...
  void (*run)(std::string_view bytes);
};

// Every target, by name.
const std::vector<Target>& targets();
// The target named `name`; aborts when there is none.
const Target& target(std::string_view name);

}  // namespace vfo::fuzz
