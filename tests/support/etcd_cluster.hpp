// An etcd cluster of one or more members on loopback (Debian's etcd-server), each in the test's scratch folder,
// killed with the test process however it ends.
#pragma once
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/scratch.hpp"
#include "vfo/runtime/agent_port.hpp"
#include "vfo/runtime/child_process.hpp"
#include "vfo/runtime/etcd_store.hpp"

namespace vfo::test {

class EtcdCluster {
 public:
  // Starts `members` members and waits until the cluster answers (throws std::runtime_error after 30 s, with the
  // members' logs).
  explicit EtcdCluster(int members, const std::string& name = "etcd") : dir_(scratch_dir() / name) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string initial;
    for (int i = 0; i < members; ++i) {
      clients_.push_back(runtime::free_agent_address("127.0.0.1"));
      peers_.push_back(runtime::free_agent_address("127.0.0.1"));
      initial += (i == 0 ? "" : ",") + member(i) + "=http://" + peers_.back();
    }
    for (int i = 0; i < members; ++i) {
      const auto at = static_cast<std::size_t>(i);
      processes_.push_back(std::make_unique<runtime::ChildProcess>(
          "/usr/bin/etcd",
          std::vector<std::string>{"--name", member(i), "--data-dir", (dir_ / member(i)).string(),
                                   "--listen-client-urls", "http://" + clients_[at], "--advertise-client-urls",
                                   "http://" + clients_[at], "--listen-peer-urls", "http://" + peers_[at],
                                   "--initial-advertise-peer-urls", "http://" + peers_[at], "--initial-cluster",
                                   initial, "--initial-cluster-token", name, "--initial-cluster-state", "new"},
          log(i).string(), /*kill_with_parent_thread=*/true));
    }
    wait_ready();
  }

  // etcd://MEMBER,MEMBER,.../PREFIX
  std::string url(const std::string& prefix = "vfo") const {
    std::string u = "etcd://";
    for (std::size_t i = 0; i < clients_.size(); ++i) u += (i == 0 ? "" : ",") + clients_[i];
    return u + "/" + prefix;
  }
  // HOST:PORT of member i's client URL.
  const std::string& client(int i) const { return clients_[static_cast<std::size_t>(i)]; }
  void kill(int i) { processes_[static_cast<std::size_t>(i)]->kill(SIGKILL); }
  std::filesystem::path log(int i) const { return dir_ / (member(i) + ".log"); }
  std::string logs() const {
    std::string all;
    for (std::size_t i = 0; i < processes_.size(); ++i) {
      all += member(static_cast<int>(i)) + ":\n" + slurp(log(static_cast<int>(i)));
    }
    return all;
  }

 private:
  static std::string member(int i) { return "m" + std::to_string(i + 1); }
  void wait_ready() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      try {
        runtime::EtcdStore probe(runtime::parse_etcd_url(url("ready")), std::nullopt, std::chrono::milliseconds(2000));
        probe.chains();
        return;
      } catch (const std::runtime_error& e) {
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error(std::string("etcd did not answer within 30 s: ") + e.what() + "\n" + logs());
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  std::filesystem::path dir_;
  std::vector<std::string> clients_;
  std::vector<std::string> peers_;
  std::vector<std::unique_ptr<runtime::ChildProcess>> processes_;
};

}  // namespace vfo::test
