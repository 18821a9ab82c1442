#pragma once
// The cluster store in one SQLite file on the orchestrator's machine (the default). Every change is one
// transaction; the file is in WAL mode, so a crash leaves the last committed state. Two objects on one file rely
// on SQLite's own locking. A new file is readable by its owner only.
#include <filesystem>
#include <memory>

#include "vfo/runtime/cluster_store.hpp"

namespace vfo::runtime {

class SqliteStore final : public ClusterStore {
 public:
  // Opens (creating if needed) the database at `path`. Throws std::runtime_error naming the file, StoreDamaged
  // when it is not a store.
  explicit SqliteStore(const std::filesystem::path& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::uint32_t add_chain(const std::string& name, const std::string& manifest_yaml) override;
  std::uint32_t last_chain_id() const override;
  // Whether the file at the path it opened is still the one it opened (not deleted, not replaced).
  bool same_store() const override;
  std::string where() const override;  // the file's path
  void remove_chain(std::uint32_t id) override;
  std::vector<StoredChain> chains() const override;
  void set_note(std::uint32_t chain, const std::string& note) override;
  void commit_wiring(std::uint32_t chain, std::uint64_t epoch, const std::vector<VfPlacement>& changed) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfo::runtime
