#include "vfo/runtime/function_host.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "runtime/curve_sockets.hpp"
#include "runtime/migration_link.hpp"
#include "vfo/runtime/delivery.hpp"

namespace vfo::runtime {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kIntakeSlice = std::chrono::milliseconds(20);

zmq::socket_t make_socket(zmq::context_t& context, zmq::socket_type type) {
  zmq::socket_t socket(context, type);
  socket.set(zmq::sockopt::linger, 0);
  return socket;
}

}  // namespace

struct FunctionHost::Sockets {
  zmq::context_t context{1};
  zmq::socket_t data_in = make_socket(context, zmq::socket_type::pull);
  zmq::socket_t ack_in = make_socket(context, zmq::socket_type::pull);
  std::unique_ptr<MigrationReceiver> receiver;  // an incoming host's, until it is restored
  std::unique_ptr<HandshakeGuard> guard;        // with security: authenticates the clients of the sockets above
};

// The host thread's state and its steps; lives on that thread only.
class FunctionHost::Loop {
 public:
  explicit Loop(FunctionHost& host)
      : host_(host),
        s_(*host.sockets_),
        vf_(*host.vf_),
        log_(host.options_.max_unacked),
        source_(vf_.kind() == "source"),
        sink_(vf_.kind() == "sink"),
        period_(std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(host.options_.fps > 0 ? 1.0 / host.options_.fps : 1.0))),
        next_tick_(Clock::now()) {}

  void run() {
    while (!host_.stopping_) {
      take_orders();
      step_migration();
      if (producing() && Clock::now() >= next_tick_) produce();
      poll_and_receive();
    }
  }

 private:
  // Counters are updated under the lock in small steps; `count` applies one change.
  template <typename Change>
  void count(Change change) {
    std::lock_guard lock(host_.mutex_);
    change(host_.counters_);
  }

  bool awaiting_state() const { return s_.receiver != nullptr; }
  bool frozen() const { return sender_ && sender_->frozen(); }
  bool producing() const { return source_ && epoch_ > 0 && !awaiting_state() && !frozen() && !log_.full(); }
  bool taking_frames() const { return !source_ && !awaiting_state() && !frozen() && !log_.full(); }
  // The end of the chain has everything up to this seq: the sink's own last, or what came back to us.
  std::uint64_t delivered_seq() const { return sink_ ? filter_.last_seq() : log_.acknowledged_seq(); }

  void take_orders() {
    std::optional<Wiring> wiring;
    std::optional<MigrationOrder> order;
    {
      std::lock_guard lock(host_.mutex_);
      wiring = std::exchange(host_.pending_, std::nullopt);
      order = std::exchange(host_.pending_migration_, std::nullopt);
    }
    if (wiring) apply(*wiring);
    if (order) {
      const char* refusal = awaiting_state()           ? "this host waits for its own state"
                            : sender_ && !sender_done_ ? "a migration of this host is in progress"
                            : frozen()                 ? "this host handed its state over already"
                                                       : nullptr;
      if (refusal != nullptr) {
        std::lock_guard lock(host_.mutex_);
        host_.report_ = MigrationReport{refusal};
      } else {  // the first migration, or one after a migration that failed (the host ran on)
        const CurveKeyPair& cluster = host_.options_.security.cluster;
        sender_.reset();
        sender_done_ = false;
        sender_.emplace(s_.context, *order, vf_.tracked_state(), cluster.empty() ? nullptr : &cluster);
        migration_epoch_ = epoch_;
      }
    }
  }

  void send_frame(const Frame& f) {
    if (!data_out_) return;
    Frame out = f;
    out.epoch = epoch_;
    const std::string bytes = encode_frame(out);
    if (data_out_->send(zmq::buffer(bytes), zmq::send_flags::dontwait)) count([](HostCounters& c) { ++c.sent; });
  }

  void send_ack(std::uint64_t seq) {
    if (!ack_out_ || seq == 0) return;
    const std::string bytes = encode_ack(Ack{epoch_, seq});
    static_cast<void>(ack_out_->send(zmq::buffer(bytes), zmq::send_flags::dontwait));
  }

  // A PUSH socket to a peer's data or ack endpoint, presenting the cluster key when there is one.
  zmq::socket_t client_socket() {
    zmq::socket_t socket = make_socket(s_.context, zmq::socket_type::push);
    const CurveKeyPair& cluster = host_.options_.security.cluster;
    if (!cluster.empty()) make_curve_client(socket, cluster.public_key, cluster);
    return socket;
  }

  void apply(const Wiring& w) {
    if (w.epoch < epoch_) return;  // an order older than one already applied
    if (sender_ && w.epoch > migration_epoch_) take_back(w.epoch);
    epoch_ = w.epoch;
    filter_.set_epoch(epoch_);
    data_out_.reset();
    ack_out_.reset();
    if (!w.downstream_data.empty()) {
      data_out_.emplace(client_socket());
      data_out_->set(zmq::sockopt::sndhwm, static_cast<int>(host_.options_.max_unacked + 16));
      data_out_->connect(w.downstream_data);
    }
    if (!w.upstream_ack.empty()) {
      ack_out_.emplace(client_socket());
      ack_out_->connect(w.upstream_ack);
    }
    if (frozen()) return;  // its frames are its successor's to replay now
    std::uint64_t replayed = 0;
    for (const Frame& f : log_.unacknowledged()) {
      send_frame(f);
      ++replayed;
    }
    count([&](HostCounters& c) {
      c.replayed += replayed;
      c.epoch = epoch_;
    });
    send_ack(delivered_seq());  // tell the new upstream what is already delivered
  }

  void malformed(const std::string& why) {
    count([&](HostCounters& c) {
      ++c.malformed;
      c.last_error = why;
    });
  }

  void first_frame() {
    if (first_frame_seen_) return;
    first_frame_seen_ = true;
    const std::int64_t now = steady_now_ns();
    count([&](HostCounters& c) { c.first_frame_ns = now; });
  }

  void produce() {
    const Frame f{epoch_, next_seq_, steady_now_ns(), vf_.produce(next_seq_)};
    ++next_seq_;
    log_.sent(f);
    send_frame(f);
    first_frame();
    count([](HostCounters& c) { ++c.produced; });
    next_tick_ += period_;
    if (next_tick_ < Clock::now() - 10 * period_) next_tick_ = Clock::now();  // do not burst after a stall
  }

  void on_frame(std::string_view bytes) {
    std::string why;
    const std::optional<Frame> frame = decode_frame(bytes, &why);
    if (!frame) return malformed(why);
    const InboundFilter::Verdict verdict = filter_.check(*frame);
    if (verdict == InboundFilter::Verdict::stale_epoch) {
      count([](HostCounters& c) { ++c.stale; });
      return;
    }
    if (verdict == InboundFilter::Verdict::implausible) {
      return malformed("frame: epoch " + std::to_string(frame->epoch) + ", seq " + std::to_string(frame->seq) +
                       ": too far past epoch " + std::to_string(filter_.epoch()) + ", seq " +
                       std::to_string(filter_.last_seq()) + " to be real");
    }
    if (filter_.epoch() > epoch_) epoch_ = filter_.epoch();  // the replay came before our rewire order
    // Seen before, here or by the instance this one replaced (which died before its ack came back): drop it,
    // and ack it upstream when the end of the chain has it.
    if (verdict == InboundFilter::Verdict::duplicate || frame->seq <= delivered_seq()) {
      filter_.accepted(frame->seq);
      count([](HostCounters& c) { ++c.duplicates; });
      if (frame->seq <= delivered_seq()) send_ack(delivered_seq());
      return;
    }
    std::optional<std::string> output = vf_.process(*frame);
    filter_.accepted(frame->seq);
    first_frame();
    count([](HostCounters& c) { ++c.accepted; });
    if (sink_) {
      send_ack(filter_.last_seq());
      count([&](HostCounters& c) { c.acked_seq = filter_.last_seq(); });
      return;
    }
    if (output) {
      const Frame out{epoch_, frame->seq, frame->origin_ns, std::move(*output)};
      log_.sent(out);
      send_frame(out);
    }
  }

  void on_ack(std::string_view bytes) {
    std::string why;
    const std::optional<Ack> ack = decode_ack(bytes, &why);
    if (!ack) return malformed(why);
    // From a downstream instance of an older wiring (one given up for dead, still running): not ours to trust.
    // A downstream acks what it has again when it is rewired, so nothing is lost by dropping it.
    if (ack->epoch < epoch_) {
      count([](HostCounters& c) { ++c.stale; });
      return;
    }
    // The highest seq this host knows of; an ack far past it is no chain's (see kMaxSeqJump). A host that knows
    // none yet (started anew) takes any: its downstream tells it where the chain is.
    const std::uint64_t known = std::max({filter_.last_seq(), next_seq_ - 1, log_.acknowledged_seq()});
    if (known > 0 && ack->seq - std::min(ack->seq, known) > kMaxSeqJump) {
      return malformed("ack: seq " + std::to_string(ack->seq) + ": too far past seq " + std::to_string(known) +
                       " to be real");
    }
    // A source started anew (a cold migration) numbers its frames from 1, but the end of the chain may have
    // delivered more than that (its downstream says so when rewired): it goes on after what was delivered, as
    // frames numbered up to there would be dropped as seen.
    if (source_ && ack->seq >= next_seq_) next_seq_ = ack->seq + 1;
    if (!log_.acknowledged(ack->seq)) return;
    count([&](HostCounters& c) { c.acked_seq = ack->seq; });
    send_ack(ack->seq);
  }

  // What a frozen source hands over.
  HostState host_state() const {
    return HostState{vf_.snapshot(),       epoch_, filter_.last_seq(), next_seq_, log_.acknowledged_seq(),
                     log_.unacknowledged()};
  }

  // The target's side: takes over the source's state.
  bool restore(const HostState& state, std::string* why) {
    try {
      vf_.restore(state.function_snapshot);
    } catch (const std::exception& e) {
      *why = e.what();
      return false;
    }
    filter_.resume(state.epoch, state.last_seq_in);
    log_.resume(state.acked_seq, state.unacknowledged);
    epoch_ = std::max(epoch_, state.epoch);
    next_seq_ = state.next_seq;
    next_tick_ = Clock::now();
    return true;
  }

  // A wiring of an epoch past the one a migration of this host started at gives the chain back to this host:
  // the switch to the target was never made (its orchestrator died before it; its successor found this host
  // still placed here and rewired the chain at a new epoch), so the migration ends, in progress or over, and
  // the host takes frames again from the state it froze with. An orchestrator that switched to the target
  // rewires the target, never this host, and stops this host.
  void take_back(std::uint64_t epoch) {
    if (!sender_done_) {
      std::lock_guard lock(host_.mutex_);
      host_.report_ = MigrationReport{"the chain was rewired through this host at epoch " + std::to_string(epoch) +
                                      ": the migration was called off"};
    }
    sender_.reset();
    sender_done_ = false;
    count([](HostCounters& c) { c.frozen = false; });
  }

  void step_migration() {
    if (s_.receiver) {
      s_.receiver->step([this](const HostState& state, std::string* why) { return restore(state, why); });
      const MigrationReceiver& r = *s_.receiver;
      if (r.malformed() > malformed_seen_) {
        malformed_seen_ = r.malformed();
        malformed(r.last_error());
      }
      if (r.restored()) {
        const std::uint64_t digest = r.digest();
        count([&](HostCounters& c) {
          c.awaiting_state = false;
          c.restored_digest = digest;
          c.epoch = epoch_;
        });
        s_.receiver.reset();
      }
    }
    if (sender_ && !sender_done_) {
      const bool running = sender_->step([this] { return host_state(); });
      const bool is_frozen = sender_->frozen();
      count([&](HostCounters& c) { c.frozen = is_frozen; });
      if (!running) {
        sender_done_ = true;
        std::lock_guard lock(host_.mutex_);
        host_.report_ = sender_->report();
      }
    }
  }

  // Answers the handshakes waiting for authentication and counts the refused ones.
  void guard_handshakes() {
    HandshakeGuard& guard = *s_.guard;
    guard.handle();
    if (guard.refused() == refused_seen_) return;
    refused_seen_ = guard.refused();
    count([&](HostCounters& c) {
      c.refused = guard.refused();
      c.last_refusal = guard.last_refusal();
    });
  }

  void poll_and_receive() {
    // Wait for a message, the next source tick, or at most 5 ms (to see orders and stop); 0 while sending state.
    auto wait = std::chrono::milliseconds(5);
    if (producing()) {
      const auto until_tick = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick_ - Clock::now());
      wait = std::clamp(until_tick, std::chrono::milliseconds(0), wait);
    }
    const bool take_frames = taking_frames();
    std::vector<zmq::pollitem_t> items = {{s_.ack_in.handle(), 0, ZMQ_POLLIN, 0}};
    if (take_frames) items.push_back({s_.data_in.handle(), 0, ZMQ_POLLIN, 0});
    if (s_.receiver) items.push_back({s_.receiver->socket().handle(), 0, ZMQ_POLLIN, 0});
    if (sender_ && !sender_done_) {
      items.push_back({sender_->socket().handle(), 0, ZMQ_POLLIN, 0});
      wait = std::min(wait, std::chrono::milliseconds(1));
    }
    if (s_.guard) s_.guard->add_poll_items(items);
    zmq::poll(items.data(), items.size(), wait);
    if (s_.guard) guard_handshakes();
    zmq::message_t message;
    while (s_.ack_in.recv(message, zmq::recv_flags::dontwait)) on_ack(message.to_string_view());
    if (take_frames) {
      // At most kIntakeSlice of frames per pass, so that orders, acks and a migration's copy are not held up
      // behind a backlog (a VF slowed by its node may have hundreds of frames queued).
      const auto until = Clock::now() + kIntakeSlice;
      for (int i = 0;
           i < 256 && taking_frames() && Clock::now() < until && s_.data_in.recv(message, zmq::recv_flags::dontwait);
           ++i) {
        on_frame(message.to_string_view());
      }
    }
  }

  FunctionHost& host_;
  Sockets& s_;
  VirtualFunction& vf_;
  OutboundLog log_;
  InboundFilter filter_;
  std::optional<zmq::socket_t> data_out_;
  std::optional<zmq::socket_t> ack_out_;
  std::uint64_t epoch_ = 0;
  std::uint64_t next_seq_ = 1;
  const bool source_;
  const bool sink_;
  const Clock::duration period_;
  Clock::time_point next_tick_;
  bool first_frame_seen_ = false;
  std::optional<MigrationSender> sender_;
  bool sender_done_ = false;
  std::uint64_t migration_epoch_ = 0;  // the epoch the host was at when the sender's migration started
  std::uint64_t malformed_seen_ = 0;
  std::uint64_t refused_seen_ = 0;
};

FunctionHost::FunctionHost(std::shared_ptr<VirtualFunction> vf, Options options)
    : vf_(std::move(vf)), options_(std::move(options)) {
  if (vf_ == nullptr) throw std::invalid_argument("FunctionHost: no function");
}

FunctionHost::~FunctionHost() {
  stop();
}

void FunctionHost::start() {
  sockets_ = std::make_unique<Sockets>();
  Sockets& s = *sockets_;
  const DataPlaneSecurity& security = options_.security;
  const CurveKeyPair* cluster = security.cluster.empty() ? nullptr : &security.cluster;
  try {
    if (cluster != nullptr) {
      s.guard = std::make_unique<HandshakeGuard>(s.context);  // before any bind: every handshake asks it
      s.guard->allow(kDataDomain, cluster->public_key);
      s.guard->allow(kStateDomain, security.state_peer.empty() ? cluster->public_key : security.state_peer);
      make_curve_server(s.data_in, *cluster, kDataDomain);
      make_curve_server(s.ack_in, *cluster, kDataDomain);
      s.guard->watch(s.data_in);
      s.guard->watch(s.ack_in);
    }
    s.data_in.bind("tcp://" + options_.bind_address + ":*");
    s.ack_in.bind("tcp://" + options_.bind_address + ":*");
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("function host: cannot bind on " + options_.bind_address + ": " + e.what());
  }
  data_endpoint_ = s.data_in.get(zmq::sockopt::last_endpoint);
  ack_endpoint_ = s.ack_in.get(zmq::sockopt::last_endpoint);
  if (options_.incoming) {
    s.receiver = std::make_unique<MigrationReceiver>(s.context, options_.bind_address, vf_->tracked_state(), cluster);
    if (s.guard) s.guard->watch(s.receiver->socket());
    state_endpoint_ = s.receiver->endpoint();
    counters_.awaiting_state = true;
  }
  thread_ = std::thread([this] {
    // An error the loop did not handle ends the process with its cause on stderr (the agent's log), never
    // silently: the agent then reports the VF ended and the orchestrator recovers it.
    try {
      Loop(*this).run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vfo-function: the host thread failed: %s\n", e.what());
      std::fflush(stderr);
      std::_Exit(70);
    }
  });
}

void FunctionHost::rewire(const Wiring& wiring) {
  std::lock_guard lock(mutex_);
  pending_ = wiring;
}

void FunctionHost::migrate_out(const MigrationOrder& order) {
  std::lock_guard lock(mutex_);
  pending_migration_ = order;
  report_.reset();
}

std::optional<MigrationReport> FunctionHost::migration_report() const {
  std::lock_guard lock(mutex_);
  return report_;
}

void FunctionHost::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  sockets_.reset();
}

HostCounters FunctionHost::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

}  // namespace vfo::runtime
