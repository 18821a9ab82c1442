#include "vfo/runtime/function_host.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "vfo/runtime/delivery.hpp"

namespace vfo::runtime {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

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
  try {
    sockets_->data_in.bind("tcp://" + options_.bind_address + ":*");
    sockets_->ack_in.bind("tcp://" + options_.bind_address + ":*");
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("function host: cannot bind on " + options_.bind_address + ": " + e.what());
  }
  data_endpoint_ = sockets_->data_in.get(zmq::sockopt::last_endpoint);
  ack_endpoint_ = sockets_->ack_in.get(zmq::sockopt::last_endpoint);
  thread_ = std::thread([this] { run(); });
}

void FunctionHost::rewire(const Wiring& wiring) {
  std::lock_guard lock(mutex_);
  pending_ = wiring;
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

void FunctionHost::run() {
  Sockets& s = *sockets_;
  OutboundLog log(options_.max_unacked);
  InboundFilter filter;
  std::optional<zmq::socket_t> data_out;
  std::optional<zmq::socket_t> ack_out;
  std::uint64_t epoch = 0;
  std::uint64_t next_seq = 1;
  const bool source = vf_->kind() == "source";
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.fps > 0 ? 1.0 / options_.fps : 1.0));
  Clock::time_point next_tick = Clock::now();

  // Counters are updated under the lock in small steps; `count` applies one change.
  const auto count = [&](auto change) {
    std::lock_guard lock(mutex_);
    change(counters_);
  };
  const auto send_frame = [&](const Frame& f) {
    if (!data_out) return;
    Frame out = f;
    out.epoch = epoch;
    const std::string bytes = encode_frame(out);
    if (data_out->send(zmq::buffer(bytes), zmq::send_flags::dontwait)) count([](HostCounters& c) { ++c.sent; });
  };
  const auto send_ack = [&](std::uint64_t seq) {
    if (!ack_out || seq == 0) return;
    const std::string bytes = encode_ack(Ack{epoch, seq});
    static_cast<void>(ack_out->send(zmq::buffer(bytes), zmq::send_flags::dontwait));
  };
  // The end of the chain has everything up to this seq: the sink's own last, or what came back to us.
  const bool sink = vf_->kind() == "sink";
  const auto delivered_seq = [&] { return sink ? filter.last_seq() : log.acknowledged_seq(); };

  const auto apply = [&](const Wiring& w) {
    if (w.epoch < epoch) return;  // an order older than one already applied
    epoch = w.epoch;
    filter.set_epoch(epoch);
    data_out.reset();
    ack_out.reset();
    if (!w.downstream_data.empty()) {
      data_out.emplace(make_socket(s.context, zmq::socket_type::push));
      data_out->set(zmq::sockopt::sndhwm, static_cast<int>(options_.max_unacked + 16));
      data_out->connect(w.downstream_data);
    }
    if (!w.upstream_ack.empty()) {
      ack_out.emplace(make_socket(s.context, zmq::socket_type::push));
      ack_out->connect(w.upstream_ack);
    }
    std::uint64_t replayed = 0;
    for (const Frame& f : log.unacknowledged()) {
      send_frame(f);
      ++replayed;
    }
    count([&](HostCounters& c) {
      c.replayed += replayed;
      c.epoch = epoch;
    });
    send_ack(delivered_seq());  // tell the new upstream what is already delivered
  };

  const auto malformed = [&](const std::string& why) {
    count([&](HostCounters& c) {
      ++c.malformed;
      c.last_error = why;
    });
  };

  const auto on_frame = [&](std::string_view bytes) {
    std::string why;
    const std::optional<Frame> frame = decode_frame(bytes, &why);
    if (!frame) return malformed(why);
    const InboundFilter::Verdict verdict = filter.check(*frame);
    if (verdict == InboundFilter::Verdict::stale_epoch) {
      count([](HostCounters& c) { ++c.stale; });
      return;
    }
    if (filter.epoch() > epoch) epoch = filter.epoch();  // the replay came before our rewire order
    // Seen before, here or by the instance this one replaced (which died before its ack came back): drop it,
    // and ack it upstream when the end of the chain has it.
    if (verdict == InboundFilter::Verdict::duplicate || frame->seq <= delivered_seq()) {
      filter.accepted(frame->seq);
      count([](HostCounters& c) { ++c.duplicates; });
      if (frame->seq <= delivered_seq()) send_ack(delivered_seq());
      return;
    }
    std::optional<std::string> output = vf_->process(*frame);
    filter.accepted(frame->seq);
    count([](HostCounters& c) { ++c.accepted; });
    if (sink) {
      send_ack(filter.last_seq());
      count([&](HostCounters& c) { c.acked_seq = filter.last_seq(); });
      return;
    }
    if (output) {
      const Frame out{epoch, frame->seq, frame->origin_ns, std::move(*output)};
      log.sent(out);
      send_frame(out);
    }
  };

  const auto on_ack = [&](std::string_view bytes) {
    std::string why;
    const std::optional<Ack> ack = decode_ack(bytes, &why);
    if (!ack) return malformed(why);
    if (!log.acknowledged(ack->seq)) return;
    count([&](HostCounters& c) { c.acked_seq = ack->seq; });
    send_ack(ack->seq);
  };

  while (!stopping_) {
    std::optional<Wiring> wiring;
    {
      std::lock_guard lock(mutex_);
      wiring = std::exchange(pending_, std::nullopt);
    }
    if (wiring) apply(*wiring);

    if (source && epoch > 0 && Clock::now() >= next_tick && !log.full()) {
      const Frame f{epoch, next_seq, now_ns(), vf_->produce(next_seq)};
      ++next_seq;
      log.sent(f);
      send_frame(f);
      count([](HostCounters& c) { ++c.produced; });
      next_tick += period;
      if (next_tick < Clock::now() - 10 * period) next_tick = Clock::now();  // do not burst after a stall
    }

    // Wait for a message, the next source tick, or at most 5 ms (to see rewire orders and stop).
    auto wait = std::chrono::milliseconds(5);
    if (source && epoch > 0) {
      const auto until_tick = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now());
      wait = std::clamp(until_tick, std::chrono::milliseconds(0), wait);
    }
    const bool take_frames = !source && !log.full();
    std::vector<zmq::pollitem_t> items = {{s.ack_in.handle(), 0, ZMQ_POLLIN, 0}};
    if (take_frames) items.push_back({s.data_in.handle(), 0, ZMQ_POLLIN, 0});
    zmq::poll(items.data(), items.size(), wait);
    zmq::message_t message;
    while (s.ack_in.recv(message, zmq::recv_flags::dontwait)) on_ack(message.to_string_view());
    if (take_frames) {
      for (int i = 0; i < 256 && !log.full() && s.data_in.recv(message, zmq::recv_flags::dontwait); ++i) {
        on_frame(message.to_string_view());
      }
    }
  }
}

}  // namespace vfo::runtime
