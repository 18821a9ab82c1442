#pragma once
// What the orchestrator must not forget, in SQLite: the desired chains (their manifests), where each VF runs
// (node, data and ack endpoints) and each chain's wiring epoch. Killed and restarted, the orchestrator reads
// it back and resumes without redeploying healthy VFs. Every change is one transaction; the file is in WAL
// mode, so a crash leaves the last committed state. Thread-safe: each call is atomic against the others on
// the same object (two objects on one file rely on SQLite's own locking).
//
// Reading trusts nothing: a value of the wrong type (an epoch that is not a number), a number out of range,
// or a file that is not a database throws StoreDamaged naming the file and the row.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
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

// The store cannot be read as a store (not a database, truncated, a row of the wrong type or range).
class StoreDamaged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ClusterStore {
 public:
  // Opens (creating if needed) the database at `path`. Throws std::runtime_error naming the file.
  explicit ClusterStore(const std::filesystem::path& path);
  ~ClusterStore();
  ClusterStore(const ClusterStore&) = delete;
  ClusterStore& operator=(const ClusterStore&) = delete;

  // A new chain (epoch 0, no placement); its id, above every id this store ever gave (a removed chain's
  // included). Throws std::runtime_error when the name is taken.
  std::uint32_t add_chain(const std::string& name, const std::string& manifest_yaml);
  // The highest chain id this store ever gave (0: none): a VF of a higher chain id comes from another store.
  std::uint32_t last_chain_id() const;
  // Whether the file at the path it opened is still the one it opened (not deleted, not replaced).
  bool same_file() const;
  const std::filesystem::path& path() const;
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
