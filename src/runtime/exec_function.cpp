#include "vfo/runtime/exec_function.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace vfo::runtime {
namespace {

namespace fs = std::filesystem;

bool executable_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<fs::path> find_program(const std::string& program, const fs::path& root,
                                     const std::string& path_variable) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    const fs::path p = fs::path(program).is_absolute() ? fs::path(program) : root / program;
    if (executable_file(p)) return fs::absolute(p).lexically_normal();
    return std::nullopt;
  }
  std::istringstream folders(path_variable);
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    if (folder.empty()) continue;
    const fs::path p = fs::path(folder) / program;
    if (executable_file(p)) return p;
  }
  return std::nullopt;
}

ExecLaunch prepare_exec(const FunctionSpec& spec, const ExecSettings& settings, const std::string& id, bool incoming,
                        bool keys_from_stdin) {
  if (const std::string problem = exec_spec_problem(spec); !problem.empty()) throw std::invalid_argument(problem);
  if (settings.exec_root.empty()) {
    throw std::runtime_error("kind exec: node " + settings.node +
                             " runs no exec VF (its agent was started without --exec-root DIR)");
  }
  const char* path = std::getenv("PATH");
  const auto program = find_program(spec.command[0], settings.exec_root, path != nullptr ? path : "/usr/bin:/bin");
  if (!program) {
    throw std::runtime_error(fmt::format("spec.command: '{}' is not an executable file in {} nor on PATH (node {})",
                                         spec.command[0], settings.exec_root.string(), settings.node));
  }
  ExecLaunch launch;
  launch.program = program->string();
  launch.args.assign(spec.command.begin() + 1, spec.command.end());
  launch.setup.cwd = settings.exec_root;
  for (const auto& [name, value] : spec.env) {
    if (name.rfind("VFO_", 0) != 0 && name != "PYTHONPATH") launch.setup.env.push_back(name + "=" + value);
  }
  std::string python_path = settings.python_path.string();
  const auto user_path = spec.env.find("PYTHONPATH");
  const char* inherited = std::getenv("PYTHONPATH");
  for (const std::string& more : {user_path != spec.env.end() ? user_path->second : std::string(),
                                  inherited != nullptr ? std::string(inherited) : std::string()}) {
    if (!more.empty()) python_path += (python_path.empty() ? "" : ":") + more;
  }
  if (!python_path.empty()) launch.setup.env.push_back("PYTHONPATH=" + python_path);
  launch.setup.env.push_back("VFO_ROLE=" + spec.role);
  launch.setup.env.push_back(fmt::format("VFO_FPS={}", spec.fps));
  launch.setup.env.push_back("VFO_BIND=" + settings.bind_address);
  launch.setup.env.push_back(std::string("VFO_INCOMING=") + (incoming ? "1" : "0"));
  launch.setup.env.push_back(std::string("VFO_KEYS_FROM_STDIN=") + (keys_from_stdin ? "1" : "0"));
  if (spec.cpus > 0 || spec.memory_bytes > 0) {
    std::string leaf = id;
    for (char& c : leaf) c = (c == '/' ? '_' : c);
    if (incoming) leaf += "_in";
    launch.cgroup =
        FunctionCgroup::create(own_cgroup_places(), "vfo-" + settings.node + "/" + leaf, spec.cpus, spec.memory_bytes);
    launch.setup.cgroups = launch.cgroup->procs_files();
  }
  return launch;
}

}  // namespace vfo::runtime
