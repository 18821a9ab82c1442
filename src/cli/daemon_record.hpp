#pragma once
// A daemon that vfo up started, as the cluster folder records it (cluster.json's agents and orchestrators, the
// leader's file): {"pid": P, "started": T}, T being the process's start time after boot in clock ticks (the 22nd
// field of /proc/P/stat). A pid alone names whatever process has it now: once a daemon has ended (a node killed by
// vfo chaos kill, an orchestrator that crashed), the system gives its pid to a later process, and a signal sent by
// pid alone (vfo down's SIGTERM and SIGKILL, vfo chaos kill's) would reach that stranger. With its start time, a
// record names its own process and no other.
#include <sys/types.h>

#include <nlohmann/json.hpp>

namespace vfo::cli {

// The record of PID, a process that runs now or a child of this process not yet waited for: {"pid", "started"}
// ("started" is 0, which names no process, when PID is not there to read).
nlohmann::json daemon_record(pid_t pid);

// Whether the process that RECORD names runs (a zombie does not). A record without "started" (written by hand, or
// by a vfo that did not record it) is judged by its pid alone; one without a pid above 1, or whose "started" is
// not a count of ticks, names no process.
bool daemon_runs(const nlohmann::json& record);

// Sends SIGNAL to the process that RECORD names, if it runs; whether it was sent.
bool signal_daemon(const nlohmann::json& record, int signal);

}  // namespace vfo::cli
