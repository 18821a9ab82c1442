#include "vfo/runtime/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <utility>

#include <sqlite3.h>

#include <stdexcept>

namespace vfo::runtime {
namespace {

constexpr const char* kSchema = R"(
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS chains (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  manifest TEXT NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS placements (
  chain INTEGER NOT NULL REFERENCES chains(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  node TEXT NOT NULL,
  data_endpoint TEXT NOT NULL,
  ack_endpoint TEXT NOT NULL,
  PRIMARY KEY (chain, idx)
);
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chain_notes (
  chain INTEGER PRIMARY KEY REFERENCES chains(id) ON DELETE CASCADE,
  note TEXT NOT NULL
);
)";

// A prepared statement, finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("cluster store: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  bool step() {  // true while there is a row
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("cluster store: ") + sqlite3_errmsg(db_));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  // Column `column` as an integer in [0, max]; StoreDamaged naming `what` when it is another type or out of range.
  std::uint64_t checked(int column, const std::string& what, std::uint64_t max) const {
    if (sqlite3_column_type(stmt_, column) != SQLITE_INTEGER) {
      throw StoreDamaged(what + ": '" + text(column) + "' is not a whole number");
    }
    const std::int64_t v = integer(column);
    if (v < 0 || static_cast<std::uint64_t>(v) > max) {
      throw StoreDamaged(what + ": " + std::to_string(v) + " is out of range (0 to " + std::to_string(max) + ")");
    }
    return static_cast<std::uint64_t>(v);
  }
  // Column `column` as text; StoreDamaged naming `what` when it is not text.
  std::string checked_text(int column, const std::string& what) const {
    if (sqlite3_column_type(stmt_, column) != SQLITE_TEXT) throw StoreDamaged(what + ": not text");
    return text(column);
  }
  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

struct SqliteStore::Impl {
  // Held by each call for its whole length, so that calls from several threads are each atomic (chains()
  // reads three tables; add_chain calls last_chain_id inside its transaction, hence recursive).
  mutable std::recursive_mutex mutex;
  sqlite3* db = nullptr;  // closed with the Impl, so a constructor that throws after opening leaks nothing
  ~Impl() { sqlite3_close(db); }
  std::filesystem::path path;
  std::optional<std::pair<dev_t, ino_t>> file;  // the opened file's identity
  void exec(const char* sql) const {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string what = error != nullptr ? error : "unknown error";
      sqlite3_free(error);
      throw std::runtime_error("cluster store: " + what);
    }
  }
  // Ends a failed transaction, if SQLite has not already (it rolls back on its own after SQLITE_FULL, an I/O
  // error, SQLITE_NOMEM); never throws, so the caller rethrows the error that made it fail.
  void rollback() const {
    if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
};

SqliteStore::SqliteStore(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  // A new store is created readable by its owner only (SQLite gives its journal the same mode); an existing
  // one keeps its mode.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  if (sqlite3_open(path.c_str(), &impl_->db) != SQLITE_OK) {
    const std::string what = impl_->db != nullptr ? sqlite3_errmsg(impl_->db) : "out of memory";
    throw std::runtime_error(path.string() + ": cannot open the cluster store (" + what + ")");
  }
  sqlite3_busy_timeout(impl_->db, 5000);
  impl_->path = path;
  try {
    impl_->exec(kSchema);
  } catch (const std::runtime_error& e) {
    throw StoreDamaged(path.string() + ": cannot open the cluster store (" + e.what() + ")");
  }
  if (struct stat st{}; ::stat(path.c_str(), &st) == 0) impl_->file = std::pair{st.st_dev, st.st_ino};
}

bool SqliteStore::same_store() const {
  std::lock_guard lock(impl_->mutex);
  struct stat st {};
  return impl_->file && ::stat(impl_->path.c_str(), &st) == 0 && std::pair{st.st_dev, st.st_ino} == *impl_->file;
}

std::string SqliteStore::where() const {
  return impl_->path.string();
}

std::uint32_t SqliteStore::last_chain_id() const {
  std::lock_guard lock(impl_->mutex);
  Statement s(impl_->db,
              "SELECT max(coalesce((SELECT value FROM counters WHERE name = 'last_chain_id'), 0), "
              "coalesce((SELECT max(id) FROM chains), 0))");
  s.step();
  return static_cast<std::uint32_t>(s.checked(0, impl_->path.string() + ": last chain id", UINT32_MAX));
}

SqliteStore::~SqliteStore() = default;

std::uint32_t SqliteStore::add_chain(const std::string& name, const std::string& manifest_yaml) {
  std::lock_guard lock(impl_->mutex);
  impl_->exec("BEGIN IMMEDIATE");
  try {
    const std::uint32_t id = last_chain_id() + 1;
    Statement s(impl_->db, "INSERT INTO chains (id, name, manifest) VALUES (?, ?, ?)");
    s.bind(1, id).bind(2, name).bind(3, manifest_yaml);
    try {
      s.step();
    } catch (const std::runtime_error&) {
      throw std::runtime_error("cluster store: a chain named " + name + " is already deployed");
    }
    Statement c(impl_->db,
                "INSERT INTO counters (name, value) VALUES ('last_chain_id', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
    c.bind(1, id).step();
    impl_->exec("COMMIT");
    return id;
  } catch (...) {
    impl_->rollback();
    throw;
  }
}

void SqliteStore::remove_chain(std::uint32_t id) {
  std::lock_guard lock(impl_->mutex);
  Statement s(impl_->db, "DELETE FROM chains WHERE id = ?");
  s.bind(1, id).step();
}

std::vector<StoredChain> SqliteStore::chains() const {
  std::lock_guard lock(impl_->mutex);
  const std::string file = impl_->path.string();
  try {
    std::vector<StoredChain> out;
    Statement s(impl_->db, "SELECT id, name, manifest, epoch FROM chains ORDER BY id");
    while (s.step()) {
      const auto id = static_cast<std::uint32_t>(s.checked(0, file + ": chains: id", UINT32_MAX));
      const std::string row = file + ": chain " + std::to_string(id);
      out.push_back(StoredChain{id,
                                s.checked_text(1, row + ": name"),
                                s.checked_text(2, row + ": manifest"),
                                s.checked(3, row + ": epoch", INT64_MAX),
                                {},
                                {}});
    }
    const auto find = [&](std::uint64_t id, const std::string& table) -> StoredChain& {
      for (StoredChain& c : out) {
        if (c.id == id) return c;
      }
      throw StoreDamaged(file + ": " + table + ": a row of chain " + std::to_string(id) + ", which is not stored");
    };
    Statement n(impl_->db, "SELECT chain, note FROM chain_notes");
    while (n.step()) find(n.checked(0, file + ": chain_notes: chain", UINT32_MAX), "chain_notes").note = n.text(1);
    Statement p(impl_->db, "SELECT chain, idx, node, data_endpoint, ack_endpoint FROM placements ORDER BY chain, idx");
    while (p.step()) {
      StoredChain& c = find(p.checked(0, file + ": placements: chain", UINT32_MAX), "placements");
      const std::string row = file + ": placement of chain " + std::to_string(c.id);
      const auto index = static_cast<std::uint32_t>(p.checked(1, row + ": idx", UINT32_MAX));
      const std::string at = row + " at " + std::to_string(index);
      c.placements.push_back(VfPlacement{index, p.checked_text(2, at + ": node"),
                                         p.checked_text(3, at + ": data_endpoint"),
                                         p.checked_text(4, at + ": ack_endpoint")});
    }
    return out;
  } catch (const StoreDamaged&) {
    throw;
  } catch (const std::runtime_error& e) {  // SQLite's own: not a database, malformed, I/O
    throw StoreDamaged(file + ": cannot read the cluster store (" + e.what() + ")");
  }
}

void SqliteStore::set_note(std::uint32_t chain, const std::string& note) {
  std::lock_guard lock(impl_->mutex);
  if (note.empty()) {
    Statement(impl_->db, "DELETE FROM chain_notes WHERE chain = ?").bind(1, chain).step();
    return;
  }
  Statement(
      impl_->db,
      "INSERT INTO chain_notes (chain, note) VALUES (?, ?) ON CONFLICT (chain) DO UPDATE SET note = excluded.note")
      .bind(1, chain)
      .bind(2, note)
      .step();
}

void SqliteStore::commit_wiring(std::uint32_t chain, std::uint64_t epoch, const std::vector<VfPlacement>& changed) {
  std::lock_guard lock(impl_->mutex);
  impl_->exec("BEGIN IMMEDIATE");
  try {
    Statement e(impl_->db, "UPDATE chains SET epoch = ? WHERE id = ?");
    e.bind(1, static_cast<std::int64_t>(epoch)).bind(2, chain).step();
    if (sqlite3_changes(impl_->db) == 0) {
      throw std::runtime_error(impl_->path.string() + ": chain " + std::to_string(chain) + " is not stored");
    }
    for (const VfPlacement& p : changed) {
      Statement s(impl_->db,
                  "INSERT INTO placements (chain, idx, node, data_endpoint, ack_endpoint) VALUES (?, ?, ?, ?, ?) "
                  "ON CONFLICT (chain, idx) DO UPDATE SET node = excluded.node, "
                  "data_endpoint = excluded.data_endpoint, ack_endpoint = excluded.ack_endpoint");
      s.bind(1, chain).bind(2, p.index).bind(3, p.node).bind(4, p.data_endpoint).bind(5, p.ack_endpoint).step();
    }
    impl_->exec("COMMIT");
  } catch (...) {
    impl_->rollback();
    throw;
  }
}

}  // namespace vfo::runtime
