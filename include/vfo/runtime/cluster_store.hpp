#pragma once
// What the orchestrator must not forget: the desired chains (their manifests), where each VF runs (node, data
// and ack endpoints) and each chain's wiring epoch. Killed and restarted, the orchestrator reads it back and
// resumes without redeploying healthy VFs. Two implementations: SQLite on the orchestrator's machine
// (sqlite_store.hpp, the default) and etcd (etcd_store.hpp), which outlives that machine.
//
// Contract of every implementation: each change is atomic (a crash leaves the last committed state, never half
// a change); each call is atomic against the others, from any thread and any process on the same store.
// Reading trusts nothing: a value of the wrong type (an epoch that is not a number), a number out of range, or
// a store that is not one throws StoreDamaged naming the store and the row.
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
  virtual ~ClusterStore() = default;

  // A new chain (epoch 0, no placement); its id, above every id this store ever gave (a removed chain's
  // included). Throws std::runtime_error when the name is taken.
  virtual std::uint32_t add_chain(const std::string& name, const std::string& manifest_yaml) = 0;
  // The highest chain id this store ever gave (0: none): a VF of a higher chain id comes from another store.
  virtual std::uint32_t last_chain_id() const = 0;
  // Whether the store is still the one opened (not deleted, not replaced by another, not wiped).
  virtual bool same_store() const = 0;
  // The store, for messages: a file's path or a URL.
  virtual std::string where() const = 0;
  virtual void remove_chain(std::uint32_t id) = 0;
  virtual std::vector<StoredChain> chains() const = 0;  // by id
  virtual std::optional<StoredChain> chain(std::uint32_t id) const;

  // Records why a chain could not be placed or started (the orchestrator's last attempt); "" clears it.
  virtual void set_note(std::uint32_t chain, const std::string& note) = 0;
  // One rewiring, atomically: the chain's new epoch and the placements that changed. Throws std::runtime_error
  // when the chain is not stored (removed meanwhile).
  virtual void commit_wiring(std::uint32_t chain, std::uint64_t epoch, const std::vector<VfPlacement>& changed) = 0;
};

}  // namespace vfo::runtime
