#include "vfo/runtime/stress_load.hpp"

#include <fmt/format.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>

namespace vfo::runtime {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSlice = std::chrono::milliseconds(10);

// The command's flags, bound to SPEC's fields.
void add_flags(CLI::App& app, StressSpec& spec) {
  app.add_option("--cpu", spec.cpu_pct, "CPU load, % of the node's cores")->check(CLI::Range(0.0, 100.0));
  app.add_option("--ram", spec.ram_pct, "memory held, % of the node's RAM")->check(CLI::Range(0.0, 100.0));
  app.add_option("--ramp", spec.ramp_s, "seconds of linear rise to the targets (0: at once)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--for", spec.duration_s, "seconds from the start to the exit")
      ->required()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--node-cpus", spec.node_cpus, "the node's cores")->required()->check(CLI::PositiveNumber);
  app.add_option("--node-ram-bytes", spec.node_ram_bytes, "the node's memory in bytes")
      ->required()
      ->check(CLI::NonNegativeNumber);
}

// What CLI11's checks let through (NaN passes a range check, infinity a sign check); empty when SPEC is fine.
std::string range_error(const StressSpec& spec) {
  if (!std::isfinite(spec.cpu_pct) || !std::isfinite(spec.ram_pct)) return "--cpu and --ram must be numbers in 0..100";
  if (!std::isfinite(spec.ramp_s) || !std::isfinite(spec.duration_s)) return "--ramp and --for must be finite";
  if (!std::isfinite(spec.node_cpus)) return "--node-cpus must be finite";
  if (spec.ramp_s > spec.duration_s) {
    return fmt::format("--ramp {} is longer than --for {} (expected ramp <= for)", spec.ramp_s, spec.duration_s);
  }
  return "";
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time this thread has used.
std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

// One busy thread, a job with duty x level CPU-seconds of work per second of wall time: it spins while its CPU
// time is behind the work owed so far, in steps of about a millisecond, and sleeps a millisecond when it is not.
// Work it could not do (preempted, or stopped by a governor) stays owed, up to kMaxOwed, like the backlog of a
// real job: under a node's CPU cap it competes with the node's VFs instead of giving way to them.
void burn(double duty, const StressSpec& spec, Clock::time_point start) {
  constexpr double kMaxOwedS = 1.0;
  constexpr auto kStep = std::chrono::milliseconds(1);
  volatile std::uint64_t sink = 0;
  double owed_s = 0;
  auto last = start;
  auto used_before = thread_cpu_time();
  for (;;) {
    const auto now = Clock::now();
    const double t = std::chrono::duration<double>(now - start).count();
    if (t >= spec.duration_s) return;
    owed_s += duty * stress_level(t, spec.ramp_s, spec.duration_s) * std::chrono::duration<double>(now - last).count();
    last = now;
    const auto used_now = thread_cpu_time();
    owed_s = std::min(kMaxOwedS, owed_s - std::chrono::duration<double>(used_now - used_before).count());
    used_before = used_now;
    if (owed_s <= 0) {
      owed_s = std::max(owed_s, -0.01);  // a little ahead is fine; never bank idle time
      std::this_thread::sleep_for(kStep);
      continue;
    }
    const auto until = Clock::now() + kStep;
    while (Clock::now() < until) {
      for (int i = 0; i < 1000; ++i) sink = sink + static_cast<std::uint64_t>(i);
    }
  }
}

}  // namespace

double stress_level(double t, double ramp_s, double duration_s) {
  if (!(t >= 0) || !(t < duration_s)) return 0;
  if (!(ramp_s > 0) || t >= ramp_s) return 1;
  return std::clamp(t / ramp_s, 0.0, 1.0);
}

std::vector<double> stress_thread_duties(double cores) {
  std::vector<double> duties;
  if (!(cores > 0) || !std::isfinite(cores)) return duties;
  for (double left = cores; left > 1e-6; left -= 1) duties.push_back(std::min(1.0, left));
  return duties;
}

std::vector<std::string> stress_flags(const StressSpec& spec) {
  return {"--cpu",
          fmt::format("{}", spec.cpu_pct),
          "--ram",
          fmt::format("{}", spec.ram_pct),
          "--ramp",
          fmt::format("{}", spec.ramp_s),
          "--for",
          fmt::format("{}", spec.duration_s),
          "--node-cpus",
          fmt::format("{}", spec.node_cpus),
          "--node-ram-bytes",
          std::to_string(spec.node_ram_bytes)};
}

std::optional<StressSpec> parse_stress_flags(const std::vector<std::string>& args, std::string& error) {
  StressSpec spec;
  CLI::App app{"vfo-agent stress"};
  add_flags(app, spec);
  std::vector<const char*> argv{"stress"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::Error& e) {
    error = e.what();
    return std::nullopt;
  }
  error = range_error(spec);
  if (!error.empty()) return std::nullopt;
  return spec;
}

int run_stress_worker(const StressSpec& spec) {
  const auto start = Clock::now();
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const double ram_target = static_cast<double>(spec.node_ram_bytes) * spec.ram_pct / 100.0;
  const std::size_t pages = static_cast<std::size_t>(ram_target / static_cast<double>(page));
  char* memory = nullptr;
  if (pages > 0) {
    void* mapped =
        ::mmap(nullptr, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped == MAP_FAILED) {
      std::fprintf(stderr, "vfo-agent stress: cannot map %zu bytes: %s\n", pages * page, std::strerror(errno));
      return 1;
    }
    memory = static_cast<char*>(mapped);
  }

  std::vector<std::thread> threads;
  for (const double duty : stress_thread_duties(spec.node_cpus * spec.cpu_pct / 100.0)) {
    threads.emplace_back(burn, duty, std::cref(spec), start);
  }
  std::size_t touched = 0;
  for (;;) {
    const double t = seconds_since(start);
    if (t >= spec.duration_s) break;
    const double level = stress_level(t, spec.ramp_s, spec.duration_s);
    const auto want = std::min(pages, static_cast<std::size_t>(level * static_cast<double>(pages)));
    for (; touched < want; ++touched)
      static_cast<volatile char*>(memory)[touched * page] = 1;  // a write makes the page resident and private
    const auto left = std::chrono::duration<double>(spec.duration_s - t);
    std::this_thread::sleep_for(std::min<std::chrono::duration<double>>(kSlice, left));
  }
  for (std::thread& thread : threads) thread.join();
  if (memory != nullptr) ::munmap(memory, pages * page);
  return 0;
}

int run_stress_command(int argc, char** argv) {
  StressSpec spec;
  CLI::App app{"vfo-agent stress: load the emulated node's CPU and memory, then exit"};
  add_flags(app, spec);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "vfo-agent stress: %s\n", e.what());
    return 2;
  }
  if (const std::string error = range_error(spec); !error.empty()) {
    std::fprintf(stderr, "vfo-agent stress: %s\n", error.c_str());
    return 2;
  }
  return run_stress_worker(spec);
}

}  // namespace vfo::runtime
