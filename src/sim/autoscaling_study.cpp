// The autoscaling study (vfo/sim/autoscaling_study.hpp): one chain, vfo's autoscaler or one HPA per VF.
#include "vfo/sim/autoscaling_study.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>

#include "vfo/control/chain_autoscaler.hpp"
#include "vfo/control/hpa_policy.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

constexpr double kStepS = 1;  // the study's time step

// The replicas of one VF: ready ones, and the times the starting ones will be ready (ascending).
struct VfReplicas {
  int ready = 0;
  std::deque<double> starting;
  int deployed() const { return ready + static_cast<int>(starting.size()); }

  // Asks for `count` replicas at `now`: new ones start, surplus ones go (the starting ones first, the newest
  // first). Returns whether the count changed.
  bool scale_to(int count, double now, double start_delay_s) {
    const int before = deployed();
    while (deployed() < count) starting.push_back(now + start_delay_s);
    while (deployed() > count) {
      if (!starting.empty()) {
        starting.pop_back();
      } else {
        --ready;
      }
    }
    return deployed() != before;
  }

  void promote(double now) {
    while (!starting.empty() && starting.front() <= now) {
      starting.pop_front();
      ++ready;
    }
  }
};

// The fps the chain delivers with `ready` replicas: each may use its whole node.
double delivered_fps(const std::vector<double>& load_ipf, const std::vector<VfReplicas>& vfs, double speed_ips,
                     double requested) {
  double fps = requested;
  for (std::size_t j = 0; j < load_ipf.size(); ++j) {
    if (vfs[j].ready == 0) return 0;
    if (load_ipf[j] > 0) fps = std::min(fps, vfs[j].ready * speed_ips / load_ipf[j]);
  }
  return fps;
}

// A rolling window of one VF's per-pod utilisation (over request), one reading per step.
class UsageWindow {
 public:
  explicit UsageWindow(std::size_t steps) : steps_(std::max<std::size_t>(1, steps)) {}
  void add(std::optional<double> utilisation) {  // nullopt: no ready pod this step
    readings_.push_back(utilisation);
    if (readings_.size() > steps_) readings_.pop_front();
  }
  // The mean of the readings with ready pods; nullopt when there is none.
  std::optional<double> mean() const {
    double sum = 0;
    int n = 0;
    for (const auto& r : readings_) {
      if (r) {
        sum += *r;
        ++n;
      }
    }
    if (n == 0) return std::nullopt;
    return sum / n;
  }

 private:
  std::size_t steps_;
  std::deque<std::optional<double>> readings_;
};

HpaConfig hpa_config(const AutoscalingSpec& a) {
  HpaConfig c;
  c.target_utilisation = a.hpa.target_utilisation;
  c.tolerance = a.hpa.tolerance;
  c.sync_period_s = a.hpa.sync_period_s;
  c.min_replicas = a.hpa.min_replicas;
  c.max_replicas = std::max(a.max_replicas_per_vf, a.hpa.min_replicas);
  c.scale_down.stabilization_window_s = a.hpa.scale_down_window_s;
  return c;
}

// Something done every `period` seconds from `first`, checked once per step.
class Ticker {
 public:
  Ticker(double first, double period) : next_(first), period_(period) {}
  // Whether it is due at `now`; if so, the next time is the first one after `now`.
  bool due(double now) {
    if (now < next_ - 1e-9) return false;
    next_ += period_ * std::floor((now - next_) / period_ + 1 + 1e-9);
    return true;
  }

 private:
  double next_;
  double period_;
};

}  // namespace

std::vector<double> requested_fps_blocks(const Scenario& scenario) {
  const AutoscalingSpec& a = scenario.autoscaling;
  Rng rng(scenario.seed, "autoscaling/fps");
  const double lowest = std::ceil(a.fps_min), highest = std::floor(a.fps_max);
  std::vector<double> blocks;
  for (double start = a.idle_first_s; start < scenario.duration_s; start += a.change_every_s) {
    if (lowest <= highest) {
      const double drawn = std::floor(rng.uniform(lowest, highest + 1));
      blocks.push_back(std::min(drawn, highest));
    } else {
      blocks.push_back(rng.uniform(a.fps_min, a.fps_max));
    }
  }
  return blocks;
}

AutoscalingResult run_autoscaling_study(const Scenario& scenario, const ProgressFn& progress) {
  const AutoscalingSpec& a = scenario.autoscaling;
  if (a.policy != "vfo" && a.policy != "hpa") {
    throw InputError(fmt::format("{}: autoscaling.policy: {} does not run the autoscaling study (expected vfo or hpa)",
                                 scenario.source_file, a.policy));
  }
  const double speed = scenario.environment.node_speed_ips.mean;
  const std::vector<double>& load = a.load_ipf;
  AutoscalerConfig vfo_config{.utilisation_cap = scenario.control.utilisation_cap,
                              .max_replicas_per_vf = a.max_replicas_per_vf};
  std::unique_ptr<ChainAutoscaler> autoscaler;
  std::vector<HpaPolicy> hpas;
  try {
    minimal_replicas(load, speed, a.fps_max, vfo_config);  // the loads and the speed, checked once
    if (a.policy == "vfo") {
      autoscaler = std::make_unique<ChainAutoscaler>(vfo_config);
    } else {
      for (std::size_t j = 0; j < load.size(); ++j) hpas.emplace_back(hpa_config(a));
    }
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("{}: autoscaling: {}", scenario.source_file, e.what()));
  }

  AutoscalingResult r;
  r.scenario = scenario.name;
  r.policy = a.policy;
  r.seed = scenario.seed;
  r.duration_s = scenario.duration_s;
  r.start_delay_s =
      scenario.control.placement_s + a.image_mb * 8 / scenario.environment.link_mbps.mean + scenario.migration.start_s;
  const std::vector<double> blocks = requested_fps_blocks(scenario);
  const auto requested_at = [&](double t) {
    if (t < a.idle_first_s) return 0.0;
    const auto i = static_cast<std::size_t>((t - a.idle_first_s) / a.change_every_s);
    return i < blocks.size() ? blocks[i] : blocks.back();
  };
  const double request_ips = a.hpa.cpu_request_share * speed;
  const double decision_period = a.policy == "vfo" ? scenario.control.probing_period_s : a.hpa.sync_period_s;

  // A Deployment exists before its HPA acts: min_replicas pods each, ready at the start.
  std::vector<VfReplicas> vfs(load.size(), VfReplicas{a.policy == "hpa" ? a.hpa.min_replicas : 0, {}});
  std::vector<UsageWindow> usage(load.size(),
                                 UsageWindow(static_cast<std::size_t>(std::ceil(a.hpa.metrics_window_s / kStepS))));
  // The control loop was started at some moment unrelated to the user's changes of demand.
  Rng phase_rng(scenario.seed, "autoscaling/phase");
  Ticker decisions(phase_rng.uniform(0, decision_period), decision_period);
  Ticker samples(0, a.sample_every_s);
  double requested_frames = 0, delivered_frames = 0, seconds_with_demand = 0, met_seconds = 0, qos_seconds = 0;
  double replica_seconds = 0, ready_seconds = 0, idle_seconds = 0, idle_replica_seconds = 0;
  double previous_fps = 0, change_at = -1, follow_sum = 0;
  const auto steps = static_cast<long>(std::ceil(scenario.duration_s / kStepS));
  int reported_percent = -1;
  for (long step = 0; step < steps; ++step) {
    const double t = static_cast<double>(step) * kStepS;
    const double fps = requested_at(t);
    if (fps != previous_fps) {
      change_at = -1;  // a change not met before this one stays unfollowed
      if (fps > 0) {
        ++r.demand_changes;
        change_at = t;
      }
      previous_fps = fps;
    }

    // Decisions.
    if (decisions.due(t)) {
      bool changed = false;
      if (autoscaler) {
        const ChainScale scale = autoscaler->desired(load, speed, fps, t);
        for (std::size_t j = 0; j < vfs.size(); ++j) changed |= vfs[j].scale_to(scale.replicas[j], t, r.start_delay_s);
      } else {
        for (std::size_t j = 0; j < vfs.size(); ++j) {
          const int unready = static_cast<int>(vfs[j].starting.size());
          const int count = hpas[j].step(t, vfs[j].deployed(), usage[j].mean().value_or(0), unready);
          changed |= vfs[j].scale_to(count, t, r.start_delay_s);
        }
      }
      r.scale_actions += changed;
    }
    for (auto& vf : vfs) vf.promote(t);

    // What the chain does in this step.
    const double delivered = delivered_fps(load, vfs, speed, fps);
    int deployed = 0, ready = 0;
    std::vector<int> deployed_counts, ready_counts;
    for (const auto& vf : vfs) {
      deployed += vf.deployed();
      ready += vf.ready;
      deployed_counts.push_back(vf.deployed());
      ready_counts.push_back(vf.ready);
    }
    for (std::size_t j = 0; j < vfs.size(); ++j) {
      if (vfs[j].ready == 0) {
        usage[j].add(std::nullopt);
      } else {
        const double per_pod_ips = std::min(speed, delivered * load[j] / vfs[j].ready);
        usage[j].add(per_pod_ips / request_ips);
      }
    }
    const double cost = chain_cost_per_s(load, ready_counts, speed, delivered);
    const bool met = delivered >= fps * (1 - 1e-9);
    requested_frames += fps * kStepS;
    delivered_frames += delivered * kStepS;
    replica_seconds += deployed * kStepS;
    ready_seconds += ready * kStepS;
    r.total_cost += cost * kStepS;
    if (fps > 0) {
      seconds_with_demand += kStepS;
      met_seconds += met ? kStepS : 0;
      qos_seconds += meets_demand(load, ready_counts, speed, fps, vfo_config) ? kStepS : 0;
    } else {
      idle_seconds += kStepS;
      idle_replica_seconds += deployed * kStepS;
    }
    if (change_at >= 0 && met) {
      const double follow = t - change_at;
      ++r.changes_followed;
      follow_sum += follow;
      r.max_follow_s = std::max(r.max_follow_s, follow);
      change_at = -1;
    }
    if (samples.due(t)) r.samples.push_back({t, fps, delivered, deployed, ready, cost, met, deployed_counts});
    const int percent = static_cast<int>(100 * (step + 1) / steps);
    if (progress && percent != reported_percent) {
      reported_percent = percent;
      progress(percent / 100.0);
    }
  }
  const double run_s = static_cast<double>(steps) * kStepS;
  r.mean_requested_fps = requested_frames / run_s;
  r.mean_delivered_fps = delivered_frames / run_s;
  r.fps_shortfall_pct = requested_frames > 0 ? 100 * (1 - delivered_frames / requested_frames) : 0;
  r.demand_met_pct = seconds_with_demand > 0 ? 100 * met_seconds / seconds_with_demand : 100;
  r.qos_met_pct = seconds_with_demand > 0 ? 100 * qos_seconds / seconds_with_demand : 100;
  r.mean_replicas = replica_seconds / run_s;
  r.mean_ready = ready_seconds / run_s;
  r.idle_replicas = idle_seconds > 0 ? idle_replica_seconds / idle_seconds : 0;
  r.mean_cost_per_s = r.total_cost / run_s;
  r.mean_follow_s = r.changes_followed > 0 ? follow_sum / r.changes_followed : 0;
  return r;
}

}  // namespace vfo
