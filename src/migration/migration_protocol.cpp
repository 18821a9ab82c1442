#include "vfo/migration/migration_protocol.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "vfo/util/text.hpp"

namespace vfo {
namespace {

using Kind = MigrationPhase::Kind;

constexpr std::array<std::pair<MigrationProtocol, const char*>, 5> kNames{{
    {MigrationProtocol::stop_and_copy, "stop-and-copy"},
    {MigrationProtocol::precopy, "pre-copy"},
    {MigrationProtocol::postcopy_demand, "post-copy-demand"},
    {MigrationProtocol::postcopy_active_push, "post-copy-push"},
    {MigrationProtocol::postcopy_prepaging, "post-copy-prepaging"},
}};

// Appends phases back to back and sums them into the timeline's totals.
class TimelineBuilder {
 public:
  void add(Kind kind, double duration_s, double bytes, bool vf_running) {
    t_.phases.push_back(MigrationPhase{kind, t_.total_s, duration_s, bytes, vf_running});
    t_.total_s += duration_s;
    t_.bytes += bytes;
    if (kind == Kind::fault_service) {
      t_.stall_s += duration_s;
    } else if (!vf_running) {
      t_.downtime_s += duration_s;
    }
  }
  MigrationTimeline& timeline() { return t_; }

 private:
  MigrationTimeline t_;
};

// ceil(x), forgiving the rounding error of a product that should be whole (0.25 * 16 pages).
int whole_pages(double x) {
  return static_cast<int>(std::ceil(x - 1e-9));
}

void check_inputs(const MigrationInputs& in, double bandwidth_bps, double rtt_s) {
  const auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("migration_on_link: ") + what);
  };
  require(bandwidth_bps > 0, "bandwidth_bps must be > 0");
  require(rtt_s >= 0, "rtt_s must be >= 0");
  require(in.state_bytes >= 0, "state_bytes must be >= 0");
  require(in.dirty_rate_bps >= 0, "dirty_rate_bps must be >= 0");
  require(in.page_bytes > 0, "page_bytes must be > 0");
  require(in.prepare_s >= 0, "prepare_s must be >= 0");
  require(in.switch_s >= 0, "switch_s must be >= 0");
  require(in.working_set_fraction >= 0 && in.working_set_fraction <= 1, "working_set_fraction must be in [0, 1]");
  require(in.prepaging_fraction >= 0 && in.prepaging_fraction <= 1, "prepaging_fraction must be in [0, 1]");
}

void stop_and_copy(const MigrationInputs& in, double bw, TimelineBuilder& b) {
  b.add(Kind::freeze, in.state_bytes / bw, in.state_bytes, false);
  b.add(Kind::resume, in.switch_s, 0, false);
}

// PrecopyMigration decides what each round copies and when to freeze; here each round takes bytes / bw.
void precopy(const MigrationInputs& in, double bw, TimelineBuilder& b) {
  PrecopyMigration m(in.state_bytes, in.dirty_rate_bps, in.precopy);
  double bytes = 0;
  do {
    bytes = m.next_round_bytes();
    b.add(Kind::round, bytes / bw, bytes, true);
  } while (!m.finish_round(bytes / bw));
  b.add(Kind::freeze, m.freeze_bytes() / bw, m.freeze_bytes(), false);
  b.add(Kind::resume, in.switch_s, 0, false);
  b.timeline().rounds = m.rounds();
  b.timeline().converged = m.converged();
}

// Post-copy (see the header): freeze the context, resume, then the pages of the state.
void postcopy(MigrationProtocol protocol, const MigrationInputs& in, double bw, double rtt_s, TimelineBuilder& b) {
  b.add(Kind::freeze, kPostcopyContextBytes / bw, kPostcopyContextBytes, false);
  b.add(Kind::resume, in.switch_s, 0, false);

  const double state = in.state_bytes;
  const int working_pages = whole_pages(in.working_set_fraction * state / in.page_bytes);
  double missing = 1;  // fraction of the working set not on the target when touched
  if (protocol == MigrationProtocol::postcopy_active_push) missing = 0.5;
  if (protocol == MigrationProtocol::postcopy_prepaging) missing = 1 - in.prepaging_fraction;
  const int faults = whole_pages(working_pages * missing);
  b.timeline().faults = faults;
  double left = state;  // bytes not yet on the target
  const auto pages = [&](int n) { return std::min(n * in.page_bytes, left); };

  if (protocol == MigrationProtocol::postcopy_active_push) {
    // The push fills the link during the stalls; whatever it has not sent by then follows.
    const double stall_s = faults * rtt_s + pages(faults) / bw;
    const double during_stalls = std::min(left, stall_s * bw);
    b.add(Kind::fault_service, stall_s, during_stalls, false);
    left -= during_stalls;
    b.add(Kind::push, left / bw, left, true);
    return;
  }
  if (protocol == MigrationProtocol::postcopy_prepaging) {
    const double ahead = pages(working_pages - faults);
    b.add(Kind::push, ahead / bw, ahead, true);
    left -= ahead;
  }
  const double faulted = pages(faults);
  b.add(Kind::fault_service, faults * rtt_s + faulted / bw, faulted, false);
  left -= faulted;
  b.add(Kind::push, left / bw, left, true);
}

}  // namespace

const char* protocol_name(MigrationProtocol protocol) {
  for (const auto& [p, name] : kNames) {
    if (p == protocol) return name;
  }
  throw std::invalid_argument("protocol_name: unknown protocol");
}

MigrationProtocol parse_protocol(const std::string& name) {
  for (const auto& [p, n] : kNames) {
    if (name == n) return p;
  }
  throw std::invalid_argument("unknown migration protocol '" + name + "' (accepted: " + join(protocol_names()) + ")");
}

std::vector<std::string> protocol_names() {
  std::vector<std::string> names;
  for (const auto& [p, name] : kNames) names.emplace_back(name);
  return names;
}

MigrationTimeline migration_on_link(MigrationProtocol protocol, const MigrationInputs& inputs, double bandwidth_bps,
                                    double rtt_s) {
  check_inputs(inputs, bandwidth_bps, rtt_s);
  TimelineBuilder b;
  b.add(Kind::prepare, inputs.prepare_s, 0, true);
  switch (protocol) {
    case MigrationProtocol::stop_and_copy:
      stop_and_copy(inputs, bandwidth_bps, b);
      break;
    case MigrationProtocol::precopy:
      precopy(inputs, bandwidth_bps, b);
      break;
    case MigrationProtocol::postcopy_demand:
    case MigrationProtocol::postcopy_active_push:
    case MigrationProtocol::postcopy_prepaging:
      postcopy(protocol, inputs, bandwidth_bps, rtt_s, b);
      break;
  }
  return std::move(b.timeline());
}

}  // namespace vfo
