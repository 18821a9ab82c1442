#pragma once
// The ranges of the quantities that several input files share (scenarios, placement files, chain manifests),
// so that a speed or a frame size means the same bounds wherever it is read. The upper bounds are far beyond
// any edge device or study (docs/cli.md lists them): they refuse a typo (1e308, an exponent too many) before it
// overflows a computation or allocates without end, not a large study.
#include "yaml_schema.hpp"

namespace vfo::value_ranges {

using yaml_schema::Range;

inline constexpr Range kSpeedIps = Range::open_closed(0, 1e12);      // instructions per second of a node
inline constexpr Range kNodeRamMb = Range::open_closed(0, 1e8);      // a node's RAM (100 TB)
inline constexpr Range kLinkMbps = Range::open_closed(0, 1e6);       // an access link (1 Tbit/s)
inline constexpr Range kLatencyMs = Range::closed(0, 1e5);           // one way (100 s)
inline constexpr Range kInstructions = Range::closed(0, 1e12);       // a VF's instructions per frame
inline constexpr Range kFrameBytes = Range::closed(0, 1e9);          // what a VF sends per frame (1 GB)
inline constexpr Range kFunctionRamMb = Range::closed(0, 1048576);   // a VF's RAM (1 TB)
inline constexpr Range kStateMb = Range::closed(0, 16384);           // a VF's state, moved by live migration
inline constexpr Range kImageMb = Range::closed(0, 1048576);         // a VF's image, pulled when it starts
inline constexpr Range kDirtyMbPerS = Range::closed(0, 10000);       // how fast a VF dirties its state
inline constexpr Range kFps = Range::open_closed(0, 1000);           // a chain's frame rate
inline constexpr Range kFunctionsPerChain = Range::closed(0, 1000);  // a chain's VFs (drawn: at least 1)
inline constexpr Range kSeconds = Range::closed(0, 1e9);             // a span of simulated time (31 years)
inline constexpr Range kPositiveSeconds = Range::open_closed(0, 1e9);
// The control plane's timers (a probing period, a start, a sync period): at most a day.
inline constexpr Range kTimerS = Range::closed(0, 86400);
inline constexpr Range kPositiveTimerS = Range::open_closed(0, 86400);

}  // namespace vfo::value_ranges
