#pragma once
// What the orchestrator must not forget (issue 6), in SQLite: the desired chains (their manifests), where
// each VF runs (node, data and ack endpoints) and each chain's wiring epoch. Killed and restarted, the
// orchestrator reads it back and resumes without redeploying healthy VFs. Every change is one transaction;
// the file is in WAL mode, so a crash leaves the last committed state. Not thread-safe.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vfo::runtime {

struct VfPlacement {
  std::uint32_t index = 0;  // position in the chain
  std::string node;         // agent name
  std::string data_endpoint;
  std::string ack_endpoint;
};

struct StoredChain {
  std::uint32_t id = 0;
  std::string name;
  std::string manifest_yaml;
  std::uint64_t epoch = 0;
  std::vector<VfPlacement> placements;  // by index; a VF not placed yet is absent
  std::string note;                     // why the orchestrator could not place or start it lately ("" if none)
};

class ClusterStore {
 public:
  // Opens (creating if needed) the database at `path`. Throws std::runtime_error naming the file.
  explicit ClusterStore(const std::filesystem::path& path);
  ~ClusterStore();
  ClusterStore(const ClusterStore&) = delete;
  ClusterStore& operator=(const ClusterStore&) = delete;

  // A new chain (epoch 0, no placement); its id. Throws std::runtime_error when the name is taken.
  std::uint32_t add_chain(const std::string& name, const std::string& manifest_yaml);
  void remove_chain(std::uint32_t id);
  std::vector<StoredChain> chains() const;  // by id
  std::optional<StoredChain> chain(std::uint32_t id) const;

  // One rewiring, atomically: the chain's new epoch and the placements that changed.
  // Records why a chain could not be placed or started (the orchestrator's last attempt); "" clears it.
  void set_note(std::uint32_t chain, const std::string& note);
  void commit_wiring(std::uint32_t chain, std::uint64_t epoch, const std::vector<VfPlacement>& changed);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
