#pragma once
// Synthetic load on an emulated edge node: what a stress worker process (`vfo-agent stress ...`, a child of the
// agent, so governed with the node's other processes) runs. It loads the node's CPU to cpu_pct % of its cores
// and holds ram_pct % of its memory, both ramping up linearly, then exits.
//
//   vfo-agent stress --cpu PCT --ram PCT --ramp S --for S --node-cpus C --node-ram-bytes B
//   (--cpu, --ram and --ramp default to 0.) Exit 0 when done; bad flags: one line on stderr and exit code 2;
//   memory that cannot be mapped: one line on stderr and exit code 1.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vfo::runtime {

struct StressSpec {
  double cpu_pct = 0;     // of the node's cores, 0..100
  double ram_pct = 0;     // of the node's memory, 0..100
  double ramp_s = 0;      // linear rise from 0 to the targets; 0: at once
  double duration_s = 0;  // from the start to the exit (holding the targets after the ramp); >= ramp_s
  double node_cpus = 1;   // > 0
  std::uint64_t node_ram_bytes = 0;

  bool operator==(const StressSpec&) const = default;
};

// The share of the targets at T seconds after the start: T / ramp_s during the ramp (1 at once when ramp_s is
// 0), then 1 until duration_s, and 0 before 0 and from duration_s on. Always in [0, 1].
double stress_level(double t, double ramp_s, double duration_s);

// How a load of CORES cores is spread over busy threads: each thread's duty cycle in (0, 1], all 1 but the
// last, summing to CORES; empty for CORES <= 0. E.g. 2.5 -> {1, 1, 0.5}.
std::vector<double> stress_thread_duties(double cores);

// The flags of `vfo-agent stress` for SPEC (after the word "stress"), numbers printed so that they parse back
// to the same values.
std::vector<std::string> stress_flags(const StressSpec& spec);

// Parses ARGS, the flags after "stress"; nullopt, with ERROR set to one line saying what is wrong, when a flag
// is unknown, missing or out of range (0 <= pct <= 100, durations >= 0, ramp <= for, node cpus > 0).
std::optional<StressSpec> parse_stress_flags(const std::vector<std::string>& args, std::string& error);

// Runs the worker in this process: ceil(node_cpus x cpu_pct / 100) busy threads, each with its duty cycle
// (stress_thread_duties) scaled by stress_level, over 10 ms slices: each thread owes its share of every slice in
// CPU time and spins until it has caught up or the slice ends, then sleeps; what a busy machine or a governor
// kept it from doing stays owed (up to 1 s), as a real job's backlog, so under a node's CPU cap it competes
// with the node's VFs. Memory: node_ram_bytes x ram_pct / 100 bytes
// of anonymous memory, mapped at the start and touched page by page as the level rises (kept until the end).
// Returns 0 at duration_s after the start, 1 if the memory cannot be mapped (one line on stderr).
int run_stress_worker(const StressSpec& spec);

// `vfo-agent stress FLAGS`: ARGV[0] is the command's name (e.g. "stress"), the flags follow. Parses them
// (bad flags: one line on stderr, "vfo-agent stress: ...", and 2) and runs run_stress_worker.
int run_stress_command(int argc, char** argv);

}  // namespace vfo::runtime
