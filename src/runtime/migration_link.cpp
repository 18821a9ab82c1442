#include "runtime/migration_link.hpp"

#include "runtime/curve_sockets.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace vfo::runtime {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBatchBytes = 256 << 10;  // chunks per message: about 256 KiB
constexpr int kBatchesPerStep = 4;              // then the host goes back to its frames (1 MiB per step)

zmq::socket_t pair_socket(zmq::context_t& context) {
  zmq::socket_t socket(context, zmq::socket_type::pair);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndhwm, 0);  // a round is queued whole; the link drains it
  socket.set(zmq::sockopt::rcvhwm, 0);
  return socket;
}

bool send(zmq::socket_t& socket, const StateMessage& message) {
  const std::string bytes = encode_state_message(message);
  return socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
}

}  // namespace

std::uint64_t function_state_digest(const TrackedState* state, std::string_view snapshot) {
  return state_digest(snapshot, state != nullptr ? state_digest(state->view()) : 0);
}

MigrationSender::MigrationSender(zmq::context_t& context, MigrationOrder order, TrackedState* state,
                                 const CurveKeyPair* cluster)
    : order_(std::move(order)), state_(state), socket_(pair_socket(context)), last_heard_(Clock::now()) {
  report_.start_ns = steady_now_ns();
  report_.state_bytes = state_ != nullptr ? state_->size() : 0;
  try {
    if (cluster != nullptr) make_curve_client(socket_, cluster->public_key, order_.key.empty() ? *cluster : order_.key);
    socket_.connect(order_.target);
  } catch (const zmq::error_t& e) {
    fail("cannot connect to the target " + order_.target + ": " + e.what());
    return;
  }
  if (state_ != nullptr) state_->mark_all();
  if (order_.max_rounds > 0 && state_ != nullptr) {
    round_ = 1;
    start_round(state_->take_marked());
  }
}

void MigrationSender::fail(const std::string& why) {
  report_.error = why;
  phase_ = Phase::over;
  frozen_ = false;  // the source runs on
}

void MigrationSender::start_round(std::vector<std::uint32_t> chunks) {
  pending_ = std::move(chunks);
  next_ = 0;
  round_bytes_ = 0;
  round_start_ns_ = steady_now_ns();
  phase_ = Phase::sending;
}

void MigrationSender::record_round(std::int64_t end_ns) {
  report_.rounds.push_back({round_bytes_, static_cast<double>(end_ns - round_start_ns_) / 1e9});
}

void MigrationSender::send_pending() {
  const std::size_t per_batch = state_ != nullptr ? std::max<std::size_t>(1, kBatchBytes / state_->chunk_bytes()) : 1;
  for (int b = 0; b < kBatchesPerStep && next_ < pending_.size(); ++b) {
    StateMessage m;
    m.kind = StateMessage::Kind::chunks;
    m.round = round_;
    m.state_bytes = state_->size();
    m.chunk_bytes = static_cast<std::uint32_t>(state_->chunk_bytes());
    const std::size_t end = std::min(pending_.size(), next_ + per_batch);
    for (; next_ < end; ++next_) {
      const std::string_view chunk = state_->chunk(pending_[next_]);
      m.chunks.emplace_back(pending_[next_], chunk);
      round_bytes_ += chunk.size();
    }
    if (!send(socket_, m)) return fail("cannot queue state for " + order_.target);
  }
}

void MigrationSender::freeze(const std::function<HostState()>& take_host_state) {
  frozen_ = true;
  report_.freeze_ns = steady_now_ns();
  HostState host = take_host_state();
  host_state_ = encode_host_state(host);
  snapshot_ = std::move(host.function_snapshot);
}

bool MigrationSender::step(const std::function<HostState()>& take_host_state) {
  if (phase_ == Phase::over) return false;
  // Not started by the constructor: stop-and-copy, or nothing to pre-copy. Freeze now.
  if (round_ == 0) {
    round_ = 1;
    freeze(take_host_state);
    start_round(state_ != nullptr ? state_->take_marked() : std::vector<std::uint32_t>{});
  }
  // Copying for longer than precopy_limit (a VF on an overloading node is slowed, and so is its copy): the round
  // in progress is cut short, and what it has not sent yet goes with what was written since, frozen.
  if (!frozen_ && phase_ != Phase::over &&
      std::chrono::nanoseconds(steady_now_ns() - report_.start_ns) >= order_.precopy_limit) {
    record_round(steady_now_ns());
    std::vector<std::uint32_t> rest(pending_.begin() + static_cast<std::ptrdiff_t>(next_), pending_.end());
    const std::vector<std::uint32_t> marked = state_->take_marked();  // not frozen: a pre-copy, so a state
    rest.insert(rest.end(), marked.begin(), marked.end());
    std::sort(rest.begin(), rest.end());
    rest.erase(std::unique(rest.begin(), rest.end()), rest.end());
    ++round_;
    freeze(take_host_state);
    start_round(std::move(rest));
  }
  if (phase_ == Phase::sending) {
    send_pending();
    if (phase_ == Phase::over) return false;
    if (next_ < pending_.size()) return true;
    StateMessage end;
    end.round = round_;
    end.kind = frozen_ ? StateMessage::Kind::final_state : StateMessage::Kind::round_end;
    end.verify = order_.verify;
    end.host_state = host_state_;
    if (!send(socket_, end)) {
      fail("cannot queue state for " + order_.target);
      return false;
    }
    // The source's digest, while the last bytes cross the link (the state no longer changes).
    if (frozen_ && order_.verify) report_.source_digest = function_state_digest(state_, snapshot_);
    phase_ = frozen_ ? Phase::awaiting_restored : Phase::awaiting_round;
    last_heard_ = Clock::now();
  }
  zmq::message_t message;
  while (phase_ != Phase::over && socket_.recv(message, zmq::recv_flags::dontwait)) {
    last_heard_ = Clock::now();
    std::string why;
    const auto m = decode_state_message(message.to_string_view(), &why);
    if (!m) {
      fail("the target sent a malformed message: " + why);
      return false;
    }
    if (m->kind == StateMessage::Kind::round_done && m->round < round_) continue;  // a round cut short
    if (m->kind == StateMessage::Kind::round_done && phase_ == Phase::awaiting_round && m->round == round_) {
      record_round(steady_now_ns());
      ++round_;
      const auto rounds = static_cast<int>(report_.rounds.size());
      if (state_->marked_bytes() <= order_.threshold_bytes || rounds >= order_.max_rounds) freeze(take_host_state);
      start_round(state_->take_marked());
      return true;
    }
    if (m->kind == StateMessage::Kind::restored && phase_ == Phase::awaiting_restored) {
      report_.restored_ns = steady_now_ns();
      record_round(report_.restored_ns);
      report_.target_digest = m->value;
      phase_ = Phase::over;
      return false;
    }
    fail("the target sent an unexpected message (kind " + std::to_string(static_cast<int>(m->kind)) + ")");
    return false;
  }
  if (phase_ != Phase::over && Clock::now() - last_heard_ > order_.stall_timeout) {
    fail("the target " + order_.target + " said nothing for " + std::to_string(order_.stall_timeout.count() / 1000.0) +
         " s");
    return false;
  }
  return phase_ != Phase::over;
}

MigrationReceiver::MigrationReceiver(zmq::context_t& context, const std::string& bind_address, TrackedState* state,
                                     const CurveKeyPair* cluster)
    : state_(state), socket_(pair_socket(context)) {
  try {
    if (cluster != nullptr) make_curve_server(socket_, *cluster, kStateDomain);
    socket_.bind("tcp://" + bind_address + ":*");
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("function host: cannot bind a state endpoint on " + bind_address + ": " + e.what());
  }
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
}

void MigrationReceiver::step(const std::function<bool(const HostState&, std::string*)>& restore) {
  zmq::message_t message;
  for (int i = 0; i < 64 && !restored_ && socket_.recv(message, zmq::recv_flags::dontwait); ++i) {
    on_message(message.to_string_view(), restore);
  }
}

void MigrationReceiver::on_message(std::string_view bytes,
                                   const std::function<bool(const HostState&, std::string*)>& restore) {
  const auto refuse = [&](const std::string& why) {
    ++malformed_;
    last_error_ = why;
  };
  std::string why;
  const auto m = decode_state_message(bytes, &why);
  if (!m) return refuse(why);
  switch (m->kind) {
    case StateMessage::Kind::chunks:
      if (state_ == nullptr || m->state_bytes != state_->size() || m->chunk_bytes != state_->chunk_bytes()) {
        return refuse("state chunks of a state of " + std::to_string(m->state_bytes) + " bytes in chunks of " +
                      std::to_string(m->chunk_bytes) + ", not this VF's");
      }
      for (const auto& [index, data] : m->chunks) {
        if (!state_->load_chunk(index, data)) return refuse("state chunk " + std::to_string(index) + " does not fit");
        round_bytes_ += data.size();
      }
      return;
    case StateMessage::Kind::round_end: {
      StateMessage done{.kind = StateMessage::Kind::round_done, .round = m->round};
      done.value = std::exchange(round_bytes_, 0);
      send(socket_, done);
      return;
    }
    case StateMessage::Kind::final_state: {
      const auto host_state = decode_host_state(m->host_state, &why);
      if (!host_state) return refuse(why);
      if (!restore(*host_state, &why)) return refuse("cannot restore: " + why);
      restored_ = true;
      if (m->verify) digest_ = function_state_digest(state_, host_state->function_snapshot);
      StateMessage done{.kind = StateMessage::Kind::restored, .round = m->round};
      done.value = digest_;
      send(socket_, done);
      return;
    }
    default:
      return refuse("unexpected state message (kind " + std::to_string(static_cast<int>(m->kind)) + ")");
  }
}

}  // namespace vfo::runtime
