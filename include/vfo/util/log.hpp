#pragma once
// The log of a long-running process (the orchestrator's daemon, an agent): one line per event with its time
// (UTC, to the millisecond), level and the logger's name, "2026-12-05T12:00:00.123Z info  orchestrator: round:
// ...", written through spdlog's
// default logger. Each line is flushed as it is written, so a log file read while the process runs ends on a
// whole line.
#include <string>

namespace vfo {

// Makes spdlog's default logger write such lines to stdout (`to_stderr` false) or stderr. Call once, at start-up,
// before any other thread logs.
void start_log(const std::string& name, bool to_stderr);

}  // namespace vfo
