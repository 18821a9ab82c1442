#include "vfo/runtime/etcd_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <random>

#include "etcd_client.hpp"

namespace vfo::runtime {
namespace {

using Json = nlohmann::json;

// How many times a change is tried again after another process changed what it read meanwhile.
constexpr int kRaces = 50;

bool is_ipv4(const std::string& host) {
  int parts = 0;
  std::size_t at = 0;
  while (at <= host.size()) {
    const std::size_t dot = std::min(host.find('.', at), host.size());
    unsigned value = 256;
    const auto [end, ec] = std::from_chars(host.data() + at, host.data() + dot, value);
    if (ec != std::errc() || end != host.data() + dot || dot == at || dot - at > 3 || value > 255) return false;
    ++parts;
    at = dot + 1;
  }
  return parts == 4;
}

std::string chain_key(const std::string& prefix, std::uint32_t id) {
  return fmt::format("{}chains/{:010}", prefix, id);
}

Json to_json(const StoredChain& c) {
  Json placements = Json::array();
  for (const VfPlacement& p : c.placements) {
    placements.push_back(
        {{"index", p.index}, {"node", p.node}, {"data_endpoint", p.data_endpoint}, {"ack_endpoint", p.ack_endpoint}});
  }
  return {{"name", c.name},
          {"manifest", c.manifest_yaml},
          {"epoch", c.epoch},
          {"placements", placements},
          {"note", c.note}};
}

// `j[field]` as a whole number in [0, max], or StoreDamaged naming `what`.
std::uint64_t whole(const Json& j, const char* field, std::uint64_t max, const std::string& what) {
  if (!j.contains(field) || !j[field].is_number_unsigned() || j[field].get<std::uint64_t>() > max) {
    throw StoreDamaged(fmt::format("{}: {}: {} is not a whole number from 0 to {}", what, field,
                                   j.contains(field) ? j[field].dump() : "nothing", max));
  }
  return j[field].get<std::uint64_t>();
}

std::string text(const Json& j, const char* field, const std::string& what) {
  if (!j.contains(field) || !j[field].is_string()) throw StoreDamaged(fmt::format("{}: {}: not text", what, field));
  return j[field].get<std::string>();
}

}  // namespace

EtcdEndpoints parse_etcd_url(const std::string& url) {
  constexpr std::string_view scheme = "etcd://";
  if (url.rfind(scheme, 0) != 0) throw std::invalid_argument("'" + url + "' is not etcd://HOST:PORT[,HOST:PORT...]");
  EtcdEndpoints e;
  e.url = url;
  std::string rest = url.substr(scheme.size());
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    std::string prefix = rest.substr(slash + 1);
    rest.resize(slash);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (prefix.empty()) throw std::invalid_argument("'" + url + "': an empty key prefix after the members");
    e.prefix = "/" + prefix + "/";
  }
  std::size_t at = 0;
  while (at <= rest.size()) {
    const std::size_t comma = std::min(rest.find(',', at), rest.size());
    const std::string member = rest.substr(at, comma - at);
    const auto colon = member.rfind(':');
    unsigned port = 0;
    const char* port_begin = member.data() + (colon == std::string::npos ? member.size() : colon + 1);
    const auto [end, ec] = std::from_chars(port_begin, member.data() + member.size(), port);
    if (colon == std::string::npos || colon == 0 || ec != std::errc() || end != member.data() + member.size() ||
        port == 0 || port > 65535) {
      throw std::invalid_argument("'" + url + "': member '" + member + "' is not HOST:PORT");
    }
    e.members.push_back(member);
    at = comma + 1;
  }
  if (e.members.size() > 1) {
    for (const std::string& m : e.members) {
      if (!is_ipv4(m.substr(0, m.rfind(':')))) {
        throw std::invalid_argument("'" + url + "': member '" + m +
                                    "': several members must be IPv4 addresses (a single member may be a host name)");
      }
    }
  }
  return e;
}

struct EtcdStore::Impl {
  EtcdEndpoints where;
  std::optional<LeaderFence> fence;
  EtcdClient client;
  std::string id;  // the store-id read or written at opening

  Impl(const EtcdEndpoints& w, std::optional<LeaderFence> f, std::chrono::milliseconds deadline)
      : where(w), fence(std::move(f)), client(w, deadline) {}

  std::string key(const std::string& name) const { return where.prefix + name; }

  // The fence's compare, if any, then `compares`.
  std::vector<EtcdCompare> fenced(std::vector<EtcdCompare> compares) const {
    if (fence) compares.insert(compares.begin(), {fence->key, EtcdCompare::Target::create, fence->create_revision});
    return compares;
  }
  // A change that did not go through: throws LeadershipLost when the fence no longer stands (the failure branch
  // read its key first), else returns: another process changed what it read, so read again.
  void lost_race(const EtcdTxnResult& r) const {
    if (!fence) return;
    const auto& leader = r.reads.at(0);
    if (leader.empty() || leader.front().create_revision != fence->create_revision) {
      throw LeadershipLost(where.url + ": this orchestrator no longer leads (" +
                           (leader.empty() ? std::string("no leader") : "the leader is " + leader.front().value) +
                           "): nothing written");
    }
  }
  std::vector<EtcdOp> on_failure() const {
    if (!fence) return {};
    return {{EtcdOp::Kind::get, fence->key}};
  }

  // The last chain id that `read` (a get of last-chain-id) holds.
  std::uint32_t last_id(const std::vector<EtcdKeyValue>& read) const {
    if (read.empty()) return 0;
    std::uint32_t id = 0;
    const std::string& v = read.front().value;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
    if (ec != std::errc() || end != v.data() + v.size()) {
      throw StoreDamaged(where.url + ": key " + read.front().key + ": '" + v + "' is not a chain id");
    }
    return id;
  }

  StoredChain parse(const EtcdKeyValue& kv) const {
    const std::string what = where.url + ": key " + kv.key;
    const std::string digits = kv.key.substr(key("chains/").size());
    std::uint32_t id = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size() || id == 0) {
      throw StoreDamaged(what + ": not a chain's key (chains/ and a 10-digit id)");
    }
    const Json j = Json::parse(kv.value, nullptr, false);
    if (!j.is_object()) throw StoreDamaged(what + ": not a JSON object");
    StoredChain c{id, text(j, "name", what), text(j, "manifest", what), whole(j, "epoch", INT64_MAX, what), {}, {}};
    if (j.contains("note")) c.note = text(j, "note", what);
    if (!j.contains("placements") || !j["placements"].is_array()) throw StoreDamaged(what + ": placements: not a list");
    for (const Json& p : j["placements"]) {
      const std::string at = what + ": placement";
      if (!p.is_object()) throw StoreDamaged(at + ": not an object");
      c.placements.push_back(VfPlacement{static_cast<std::uint32_t>(whole(p, "index", UINT32_MAX, at)),
                                         text(p, "node", at), text(p, "data_endpoint", at),
                                         text(p, "ack_endpoint", at)});
    }
    return c;
  }

  // Reads chain `id`, lets `change` edit it, and writes it back unless another process changed it meanwhile (then
  // again). Throws std::runtime_error when the chain is not stored.
  template <typename Change>
  void update(std::uint32_t id, Change change) {
    const std::string k = chain_key(where.prefix, id);
    for (int attempt = 0; attempt < kRaces; ++attempt) {
      const auto read = client.get(k);
      if (read.empty()) throw std::runtime_error(fmt::format("{}: chain {} is not stored", where.url, id));
      StoredChain c = parse(read.front());
      change(c);
      const auto r = client.txn(fenced({{k, EtcdCompare::Target::mod, read.front().mod_revision}}),
                                {{EtcdOp::Kind::put, k, to_json(c).dump()}}, on_failure());
      if (r.succeeded) return;
      lost_race(r);
    }
    throw std::runtime_error(fmt::format("{}: chain {}: changed by others {} times in a row", where.url, id, kRaces));
  }
};

EtcdStore::EtcdStore(const EtcdEndpoints& where, std::optional<LeaderFence> fence, std::chrono::milliseconds deadline)
    : impl_(std::make_unique<Impl>(where, std::move(fence), deadline)) {
  const std::string key = impl_->key("store-id");
  std::random_device entropy;
  const std::string fresh = fmt::format("{:08x}{:08x}", entropy(), entropy());
  // Created if absent, read otherwise, in one transaction.
  const auto r = impl_->client.txn({{key, EtcdCompare::Target::create, 0}}, {{EtcdOp::Kind::put, key, fresh}},
                                   {{EtcdOp::Kind::get, key}});
  impl_->id = r.succeeded ? fresh : r.reads.at(0).at(0).value;
}

EtcdStore::~EtcdStore() = default;

std::string EtcdStore::where() const {
  return impl_->where.url;
}

bool EtcdStore::same_store() const {
  const auto read = impl_->client.get(impl_->key("store-id"));
  return !read.empty() && read.front().value == impl_->id;
}

std::uint32_t EtcdStore::last_chain_id() const {
  return impl_->last_id(impl_->client.get(impl_->key("last-chain-id")));
}

std::uint32_t EtcdStore::add_chain(const std::string& name, const std::string& manifest_yaml) {
  const std::string last_key = impl_->key("last-chain-id");
  for (int attempt = 0; attempt < kRaces; ++attempt) {
    // The chains and the last id, at one revision.
    const auto read =
        impl_->client.txn({}, {{EtcdOp::Kind::get, last_key}, {EtcdOp::Kind::get_prefix, impl_->key("chains/")}});
    for (const EtcdKeyValue& kv : read.reads.at(1)) {
      if (impl_->parse(kv).name == name) {
        throw std::runtime_error("cluster store: a chain named " + name + " is already deployed");
      }
    }
    const std::int64_t last_revision = read.reads.at(0).empty() ? 0 : read.reads.at(0).front().mod_revision;
    const std::uint32_t id = impl_->last_id(read.reads.at(0)) + 1;
    StoredChain c{id, name, manifest_yaml, 0, {}, {}};
    const auto r = impl_->client.txn(impl_->fenced({{last_key, EtcdCompare::Target::mod, last_revision}}),
                                     {{EtcdOp::Kind::put, last_key, std::to_string(id)},
                                      {EtcdOp::Kind::put, chain_key(impl_->where.prefix, id), to_json(c).dump()}},
                                     impl_->on_failure());
    if (r.succeeded) return id;
    impl_->lost_race(r);
  }
  throw std::runtime_error(
      fmt::format("{}: adding {}: chains added by others {} times in a row", where(), name, kRaces));
}

void EtcdStore::remove_chain(std::uint32_t id) {
  const auto r = impl_->client.txn(impl_->fenced({}), {{EtcdOp::Kind::erase, chain_key(impl_->where.prefix, id)}},
                                   impl_->on_failure());
  if (!r.succeeded) impl_->lost_race(r);
}

std::vector<StoredChain> EtcdStore::chains() const {
  std::vector<StoredChain> out;
  for (const EtcdKeyValue& kv : impl_->client.get(impl_->key("chains/"), /*prefix=*/true)) {
    out.push_back(impl_->parse(kv));
  }
  return out;  // etcd returns keys in order, and the ids are zero-padded: by id
}

void EtcdStore::set_note(std::uint32_t chain, const std::string& note) {
  impl_->update(chain, [&](StoredChain& c) { c.note = note; });
}

void EtcdStore::commit_wiring(std::uint32_t chain, std::uint64_t epoch, const std::vector<VfPlacement>& changed) {
  impl_->update(chain, [&](StoredChain& c) {
    c.epoch = epoch;
    for (const VfPlacement& p : changed) {
      const auto at = std::find_if(c.placements.begin(), c.placements.end(),
                                   [&](const VfPlacement& q) { return q.index >= p.index; });
      if (at != c.placements.end() && at->index == p.index) {
        *at = p;
      } else {
        c.placements.insert(at, p);
      }
    }
  });
}

void EtcdStore::wipe(const EtcdEndpoints& where) {
  EtcdClient(where, std::chrono::milliseconds(5000)).txn({}, {{EtcdOp::Kind::erase_prefix, where.prefix}});
}

}  // namespace vfo::runtime
