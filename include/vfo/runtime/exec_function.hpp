#pragma once
// How an agent runs an exec VF: the user's program on the VF SDK (vfo/sdk/vfo_sdk.h), in the agent's exec root,
// with the environment the SDK reads (VFO_ROLE, VFO_FPS, VFO_BIND, VFO_INCOMING, VFO_KEYS_FROM_STDIN), the
// SDK's Python module on its PYTHONPATH, and a cgroup of its own when the manifest gives it limits.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/function_cgroup.hpp"
#include "vfo/runtime/function_spec.hpp"

namespace vfo::runtime {

struct ExecSettings {
  std::string node;                   // the agent's node name (its VFs' cgroups are under "vfo-<node>")
  std::filesystem::path exec_root;    // empty: this agent runs no exec VF
  std::filesystem::path python_path;  // put first on an exec VF's PYTHONPATH (empty: none)
  std::string bind_address = "127.0.0.1";
};

struct ExecLaunch {
  std::string program;  // an absolute path
  std::vector<std::string> args;
  ChildSetup setup;
  std::unique_ptr<FunctionCgroup> cgroup;  // null without limits; must outlive the process
};

// What to start for VF `id` of `spec` (kind exec). Throws std::invalid_argument for a spec no agent could run
// (exec_spec_problem), std::runtime_error for one this agent cannot: exec VFs not allowed here (no exec root),
// a program that is not found or not executable, limits that cannot be set. Each is one line.
ExecLaunch prepare_exec(const FunctionSpec& spec, const ExecSettings& settings, const std::string& id, bool incoming,
                        bool keys_from_stdin);

// `program` as exec runs it: a name without '/' searched on `path_variable` (PATH's syntax), a relative path
// taken from `root`. nullopt when no executable file is found.
std::optional<std::filesystem::path> find_program(const std::string& program, const std::filesystem::path& root,
                                                  const std::string& path_variable);

}  // namespace vfo::runtime
