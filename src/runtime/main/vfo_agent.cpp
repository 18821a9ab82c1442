// The vfo-agent binary: one edge node's agent (vfo/runtime/agent.hpp). Links neither SimGrid nor LibTorch.
//   vfo-agent --name NODE --certs DIR [--listen ADDRESS:PORT] [--function-binary PATH] [--log-dir DIR]
//             [--node-cpus C] [--node-ram-mb M] [--record FILE] [--start-delay S] [--exec-root DIR]
//             [--join ORCHESTRATOR_HOST:PORT]
//   vfo-agent stress ...   the stress worker it starts for `vfo chaos stress` (vfo/runtime/stress_load.hpp)
// Its VFs bind on the host part of --listen.
// Prints {"ready":true,"name":NODE,"address":"127.0.0.1:PORT","pid":P} once it serves, then serves until
// SIGTERM or SIGINT, logging what it does on stderr (vfo/util/log.hpp). Bad flags or certificates: one line on
// stderr and exit code 2. With --join, it asks the orchestrator daemon there to take it as a node
// (vfo/runtime/membership.hpp), every 2 s until it is taken, logging each new refusal.
//
// An emulated node (--node-cpus) runs at nice kEmulatedNodeNice, it and every process it starts (they inherit it),
// when it may (root, or CAP_SYS_NICE; else it logs why and keeps its nice). A node of C cores on a shared machine
// must get C cores when its VFs and stress want them, as a device of its own would, whatever else the machine runs:
// otherwise a busy machine caps the node below C, and its CPU reading (its share of C) never reaches what its load
// would reach on the device. As Kubernetes gives a container's CPU request a weight, the priority guarantees the
// node its share; the governor still caps it at C cores (vfo/runtime/node_governor.hpp).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "vfo/runtime/agent.hpp"
#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/runtime/membership.hpp"
#include "vfo/runtime/stress_load.hpp"
#include "vfo/util/log.hpp"

namespace {

constexpr int kEmulatedNodeNice = -10;  // a weight about 9 times a nice-0 process's under Linux's scheduler

// Sets this thread's nice (the threads and processes started after it inherit it); "" when done, else why not.
std::string raise_priority(int nice) {
  if (::setpriority(PRIO_PROCESS, 0, nice) == 0) return "";
  return std::strerror(errno);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "stress") return vfo::runtime::run_stress_command(argc - 1, argv + 1);
  std::string name, certs, listen = "127.0.0.1:0", function_binary, log_dir, record, exec_root, join;
  double node_cpus = 0, node_ram_mb = 0, start_delay_s = 0;
  CLI::App app{"vfo-agent: an edge node's agent (probes, starts and rewires its VFs), over gRPC with mutual TLS"};
  app.add_option("--name", name, "the node's name; its certificate is CERTS/<name>.pem")->required();
  app.add_option("--certs", certs, "the cluster's certificate folder (vfo certs)")->required();
  app.add_option("--listen", listen, "address:port to serve on (port 0: any free one)");
  app.add_option("--function-binary", function_binary, "vfo-function (default: beside this binary)");
  app.add_option("--log-dir", log_dir, "where the VFs' stderr go (made if missing)");
  app.add_option("--node-cpus", node_cpus,
                 "emulate a node of this many cores: its VFs and stress together get at most that, and probes "
                 "report their share of it (default: the machine's CPU, unshared)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--node-ram-mb", node_ram_mb, "the emulated node's RAM (default: the machine's)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--record", record, "append the node's trace (time,node,cpu,ram) to this CSV every 5 s");
  app.add_option("--start-delay", start_delay_s,
                 "seconds every VF start waits before its process starts (pulling and starting a container image)")
      ->check(CLI::Range(0.0, 60.0));
  app.add_option("--exec-root", exec_root,
                 "run exec VFs (the users' programs on the VF SDK) in this folder; without it, none runs here")
      ->check(CLI::ExistingDirectory);
  app.add_option("--join", join,
                 "join the cluster whose orchestrator takes joins at HOST:PORT (vfo up --join-listen); --listen must "
                 "then be this node's address on the network the orchestrator and the other nodes reach it by");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "vfo-agent: %s\n", e.what());
    return 2;
  }
  const std::string listen_host = listen.substr(0, listen.rfind(':'));
  if (!join.empty() && (listen_host == "0.0.0.0" || listen_host == "[::]" || listen_host.empty())) {
    std::fprintf(stderr,
                 "vfo-agent: --listen %s: with --join, give this node's own address (its VFs bind there and the "
                 "other nodes send to it)\n",
                 listen.c_str());
    return 2;
  }
  if (!log_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(log_dir, error);
    if (error) {
      std::fprintf(stderr, "vfo-agent: --log-dir %s: %s\n", log_dir.c_str(), error.message().c_str());
      return 2;
    }
  }
  if (function_binary.empty()) {
    function_binary = (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "vfo-function").string();
  }
  signal(SIGPIPE, SIG_IGN);  // a VF's host that died must not take the agent with it
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before gRPC starts its threads
  const std::string not_raised = node_cpus > 0 ? raise_priority(kEmulatedNodeNice) : "";  // before any thread, too

  vfo::start_log("vfo-agent " + name, /*to_stderr=*/true);  // stdout is the ready line's
  if (node_cpus > 0) {
    if (not_raised.empty()) {
      spdlog::info("an emulated node of {} cores: runs at nice {}", node_cpus, kEmulatedNodeNice);
    } else {
      spdlog::warn(
          "an emulated node of {} cores: cannot run at nice {} ({}): other work on this machine can take "
          "its cores",
          node_cpus, kEmulatedNodeNice, not_raised);
    }
  }

  vfo::runtime::AgentOptions options;
  options.name = name;
  options.listen = listen;
  options.function_binary = function_binary;
  options.log_dir = log_dir;
  options.agent_binary = std::filesystem::read_symlink("/proc/self/exe");
  options.bind_address = listen.substr(0, listen.rfind(':'));
  options.node_cpus = node_cpus;
  options.node_ram_bytes = static_cast<std::uint64_t>(node_ram_mb * 1e6);
  options.record = record;
  options.start_delay_s = start_delay_s;
  if (!exec_root.empty()) {
    options.exec_root = std::filesystem::absolute(exec_root).lexically_normal();
    if (!options.exec_root.has_filename()) options.exec_root = options.exec_root.parent_path();  // "dir/" -> "dir"
  }
  options.python_path = options.agent_binary.parent_path() / "python";
  try {
    options.identity = vfo::runtime::Identity::from_dir(certs, name);
    options.data_plane_key = vfo::runtime::read_curve_key_pair(std::filesystem::path(certs) / "data-plane.key");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vfo-agent: %s\n", e.what());
    return 2;
  }
  try {
    vfo::runtime::AgentServer server(options);
    const std::string host = listen.substr(0, listen.rfind(':'));
    std::cout << nlohmann::json{{"ready", true},
                                {"name", name},
                                {"address", host + ":" + std::to_string(server.port())},
                                {"pid", static_cast<long>(getpid())}}
                     .dump()
              << std::endl;
    spdlog::info("serving at {}:{} (pid {})", host, server.port(), getpid());
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::thread joiner;
    if (!join.empty()) {
      joiner = std::thread([&, address = host + ":" + std::to_string(server.port())] {
        std::string last_error;
        std::unique_lock lock(mutex);
        while (!stopping) {
          lock.unlock();
          std::string error;
          const bool joined =
              vfo::runtime::join_orchestrator(join, options.identity, address, std::chrono::seconds(5), &error);
          lock.lock();
          if (joined) {
            spdlog::info("joined the cluster of the orchestrator at {} as {} ({})", join, name, address);
            return;
          }
          if (error != last_error)
            spdlog::warn("join at {} refused or failed: {}; trying again every 2 s", join, error);
          last_error = error;
          wake.wait_for(lock, std::chrono::seconds(2), [&] { return stopping; });
        }
      });
    }
    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("{}: stopping its VFs and shutting down", strsignal(received));
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    if (joiner.joinable()) joiner.join();
    server.shutdown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vfo-agent: %s\n", e.what());
    return 1;
  }
  return 0;
}
