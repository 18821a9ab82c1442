#include "vfo/runtime/fake_agent.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vfo::runtime {
namespace {

void set(std::string* error, const std::string& text) {
  if (error != nullptr) *error = text;
}

// A connection forwards each call to its node; deadlines do not apply (a fake answers at once or never).
class FakeConnection final : public AgentConnection {
 public:
  explicit FakeConnection(FakeAgent& node) : node_(node) {}
  std::optional<NodeProbe> probe(std::string* error = nullptr) override { return node_.probe(error); }
  std::optional<FunctionEndpoints> start_function(const std::string& id, const FunctionSpec& spec,
                                                  std::string* error = nullptr) override {
    return node_.start(id, spec, false, "", error);
  }
  std::optional<FunctionEndpoints> start_incoming(const std::string& id, const FunctionSpec& spec,
                                                  const std::string& state_peer_key,
                                                  std::string* error = nullptr) override {
    return node_.start(id, spec, true, state_peer_key, error);
  }
  std::optional<MigrationReport> migrate_out(const std::string& id, const MigrationOrder& order,
                                             std::chrono::milliseconds, std::string* error = nullptr) override {
    return node_.migrate_out(id, order, error);
  }
  bool stress(double, double, double, double, std::string* error = nullptr) override { return node_.stress(error); }
  bool rewire(const std::string& id, std::uint64_t epoch, const std::string& downstream,
              const std::string& upstream_ack, std::string* error = nullptr) override {
    return node_.rewire(id, VfWiring{epoch, downstream, upstream_ack}, error);
  }
  bool stop_function(const std::string& id, std::string* error = nullptr) override { return node_.stop(id, error); }
  std::optional<std::string> function_stats(const std::string& id, std::string* error = nullptr) override {
    return node_.stats(id, error);
  }

 private:
  FakeAgent& node_;
};

}  // namespace

FakeAgent::FakeAgent(FakeAgentCluster& cluster, std::string name) : cluster_(cluster), name_(std::move(name)) {}

void FakeAgent::kill() {
  std::lock_guard lock(mutex_);
  up_ = false;
  vfs_.clear();
  exited_.clear();
}

void FakeAgent::hang() {
  std::lock_guard lock(mutex_);
  hung_ = true;
}

void FakeAgent::resume() {
  std::lock_guard lock(mutex_);
  hung_ = false;
}

void FakeAgent::restart() {
  std::lock_guard lock(mutex_);
  up_ = true;
  hung_ = false;
}

void FakeAgent::end(const std::string& id, const std::string& how) {
  std::lock_guard lock(mutex_);
  if (vfs_.erase(id) != 0) exited_.push_back(id + ": " + how);
}

void FakeAgent::set_load(double cpu_pct, double ram_pct) {
  std::lock_guard lock(mutex_);
  cpu_pct_ = cpu_pct;
  ram_pct_ = ram_pct;
}

void FakeAgent::refuse_starts(const std::string& error) {
  std::lock_guard lock(mutex_);
  start_error_ = error;
}

void FakeAgent::hold_migrations() {
  std::lock_guard lock(mutex_);
  holding_ = true;
}

void FakeAgent::release_migrations() {
  {
    std::lock_guard lock(mutex_);
    holding_ = false;
  }
  released_.notify_all();
}

void FakeAgent::hold_starts() {
  std::lock_guard lock(mutex_);
  holding_starts_ = true;
}

void FakeAgent::release_starts() {
  {
    std::lock_guard lock(mutex_);
    holding_starts_ = false;
  }
  released_.notify_all();
}

int FakeAgent::starts_held() const {
  std::lock_guard lock(mutex_);
  return starts_waiting_;
}

bool FakeAgent::runs(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return vfs_.count(id) != 0;
}

std::vector<std::string> FakeAgent::functions() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [id, vf] : vfs_) out.push_back(id);
  return out;
}

std::optional<VfWiring> FakeAgent::wiring(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = vfs_.find(id);
  return it == vfs_.end() ? std::nullopt : it->second.wiring;
}

int FakeAgent::starts(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = starts_.find(id);
  return it == starts_.end() ? 0 : it->second;
}

std::vector<std::string> FakeAgent::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

bool FakeAgent::answers(const std::string& call, std::string* error) {
  if (up_ && !hung_) {
    calls_.push_back(call);
    return true;
  }
  calls_.push_back(call + " (no answer)");
  set(error, up_ ? "DEADLINE_EXCEEDED: " + name_ + " does not answer" : "UNAVAILABLE: " + name_ + " is down");
  return false;
}

FakeAgent::Vf* FakeAgent::running(const std::string& id, std::string* error) {
  const auto it = vfs_.find(id);
  if (it != vfs_.end()) return &it->second;
  set(error, "NOT_FOUND: id: " + id + " does not run here");
  return nullptr;
}

std::optional<NodeProbe> FakeAgent::probe(std::string* error) {
  std::lock_guard lock(mutex_);
  if (!answers("probe", error)) return std::nullopt;
  NodeProbe p{name_, cpu_pct_, ram_pct_, 4ull << 30, {}, std::exchange(exited_, {}), {}};
  for (const auto& [id, vf] : vfs_) {
    p.functions.push_back(id);
    if (vf.wiring) p.wiring[id] = *vf.wiring;
  }
  return p;
}

std::optional<FunctionEndpoints> FakeAgent::start(const std::string& id, const FunctionSpec& spec, bool incoming,
                                                  const std::string& state_peer_key, std::string* error) {
  std::unique_lock lock(mutex_);
  if (holding_starts_) {
    ++starts_waiting_;
    released_.wait(lock, [&] { return !holding_starts_; });
    --starts_waiting_;
  }
  if (!answers((incoming ? "incoming " : "start ") + id, error)) return std::nullopt;
  if (!start_error_.empty()) {
    set(error, start_error_);
    return std::nullopt;
  }
  if (vfs_.count(id) != 0) {
    set(error, "ALREADY_EXISTS: id: " + id + " already runs here");
    return std::nullopt;
  }
  const std::string base = fmt::format("fake://{}/{}/", name_, id);
  const std::string n = std::to_string(++instances_);
  Vf vf{spec,           {base + "data/" + n, base + "ack/" + n, incoming ? base + "state/" + n : ""},
        std::nullopt,   incoming,
        state_peer_key, 0};
  ++starts_[id];
  return vfs_.emplace(id, std::move(vf)).first->second.endpoints;
}

std::optional<MigrationReport> FakeAgent::migrate_out(const std::string& id, const MigrationOrder& order,
                                                      std::string* error) {
  MigrationReport report;
  {
    std::unique_lock lock(mutex_);
    if (!answers("migrate " + id, error)) return std::nullopt;
    const Vf* vf = running(id, error);
    if (vf == nullptr) return std::nullopt;
    report.start_ns = steady_now_ns();
    report.state_bytes = vf->spec.state_bytes;
    released_.wait(lock, [&] { return !holding_; });
    report.rounds = {{report.state_bytes, 0.001}, {0, 0.001}};
    report.freeze_ns = steady_now_ns();
  }
  FakeAgent* target = cluster_.owner_of_endpoint(order.target);
  const std::optional<std::string> refused =
      target == nullptr ? std::optional<std::string>("no incoming VF at " + order.target)
                        : target->restore(id, order.target, order.key.public_key, steady_now_ns());
  if (refused) {
    report.error = "the target took no state: " + *refused;
  } else {
    report.restored_ns = steady_now_ns();
  }
  return report;
}

std::optional<std::string> FakeAgent::restore(const std::string& id, const std::string& state_endpoint,
                                              const std::string& public_key, std::int64_t restored_ns) {
  std::lock_guard lock(mutex_);
  if (!up_ || hung_) return name_ + " does not answer";
  const auto it = vfs_.find(id);
  if (it == vfs_.end() || !it->second.incoming || it->second.endpoints.state != state_endpoint) {
    return "no incoming VF " + id + " at " + state_endpoint;
  }
  if (it->second.state_peer_key != public_key) return "the handshake was refused (another key)";
  it->second.incoming = false;
  it->second.restored_ns = restored_ns;
  return std::nullopt;
}

bool FakeAgent::stress(std::string* error) {
  std::lock_guard lock(mutex_);
  return answers("stress", error);
}

bool FakeAgent::rewire(const std::string& id, const VfWiring& wiring, std::string* error) {
  std::lock_guard lock(mutex_);
  if (!answers(fmt::format("rewire {} {}", id, wiring.epoch), error)) return false;
  Vf* vf = running(id, error);
  if (vf == nullptr) return false;
  vf->wiring = wiring;
  return true;
}

bool FakeAgent::stop(const std::string& id, std::string* error) {
  std::lock_guard lock(mutex_);
  if (!answers("stop " + id, error)) return false;
  if (running(id, error) == nullptr) return false;
  vfs_.erase(id);
  return true;
}

std::optional<std::string> FakeAgent::stats(const std::string& id, std::string* error) {
  std::lock_guard lock(mutex_);
  if (!answers("stats " + id, error)) return std::nullopt;
  const Vf* found = running(id, error);
  if (found == nullptr) return std::nullopt;
  const Vf& vf = *found;
  // A restored VF takes its first frame at once, as far as the fake knows.
  return nlohmann::json{{"id", id},
                        {"epoch", vf.wiring ? vf.wiring->epoch : 0},
                        {"first_frame_ns", vf.restored_ns > 0 ? vf.restored_ns + 1 : 0}}
      .dump();
}

FakeAgentCluster::FakeAgentCluster(const std::vector<std::string>& nodes) {
  for (const std::string& n : nodes) nodes_.push_back(std::make_unique<FakeAgent>(*this, n));
}

FakeAgent* FakeAgentCluster::find(const std::string& name) {
  for (const auto& n : nodes_) {
    if (n->name() == name) return n.get();
  }
  return nullptr;
}

FakeAgent& FakeAgentCluster::node(const std::string& name) {
  FakeAgent* n = find(name);
  if (n == nullptr) throw std::out_of_range("no fake node named " + name);
  return *n;
}

std::vector<std::pair<std::string, std::string>> FakeAgentCluster::addresses() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& n : nodes_) out.emplace_back(n->name(), "fake://" + n->name());
  return out;
}

std::unique_ptr<AgentConnection> FakeAgentCluster::connect(const std::string& name) {
  return std::make_unique<FakeConnection>(node(name));
}

FakeAgent* FakeAgentCluster::owner_of_endpoint(const std::string& endpoint) {
  const std::string prefix = "fake://";
  if (endpoint.rfind(prefix, 0) != 0) return nullptr;
  return find(endpoint.substr(prefix.size(), endpoint.find('/', prefix.size()) - prefix.size()));
}

}  // namespace vfo::runtime
