#pragma once
// vfo's autoscaler: how many replicas of each VF keep a chain at its requested frame rate, by the
// replication model of the paper's authors (docs/model.md, Placement), as a pure policy. Kubernetes' HPA
// (hpa_policy.hpp) is the baseline it is compared with.
//
// The model. VF j of the chain has load l_j (instructions per frame); its nodes have speed cpu (instructions/s),
// so t(l) = l / cpu. VF j runs as y_j replicas, each taking l_j / y_j of every frame's work. For fps > 0:
//   y_j integer, 1 <= y_j <= max_replicas_per_vf
//   time:      sum_j t(l_j) / y_j <= 1 / fps               (a frame crosses the chain within one frame period)
//   capacity:  (l_j / y_j) x fps <= utilisation_cap x cpu    (each replica's CPU demand fits a node)
//   minimise   sum_j y_j
// and requested fps 0 deploys nothing (every y_j = 0: the paper's zero-demand footprint, Fig. 10's first 5 min).
// Both comparisons allow a relative slack of 1e-9, so a chain exactly at a bound (in real numbers) meets it.
// The authors' bound sum_j y_j <= nodes is left to placement, which sees the nodes (the autoscaler does not).
//
// The algorithm is exact: start each y_j at the least count its capacity rule allows, then add one replica at a
// time to the VF whose next replica saves the most time, t(l_j) / (y_j (y_j + 1)), until the chain is within
// 1 / fps. Each t(l_j) / y_j is convex in y_j, so after k additions the chain's time is the least that any counts
// with the same total reach (greedy allocation of a separable convex function, Gross 1956); the first total that
// meets the bound is therefore the least. Among the counts of least total, the result has the least chain time
// (the most slack); savings equal within a relative 1e-12 go to the VF earlier in the chain.
#include <cstddef>
#include <string>
#include <vector>

namespace vfo {

struct AutoscalerConfig {
  double utilisation_cap = 0.8;  // in (0, 1]: the share of a node's CPU one replica may take (as ControllerConfig)
  int max_replicas_per_vf = 8;   // in [1, 1000000] (as PlacementModel::max_replicas)
  // >= 0, seconds. A VF's count goes down only once no higher count was recommended for it in the last
  // scale_down_hold_s seconds; scale-ups are never held. The default 0 is vfo's own behaviour: the
  // autoscaler runs at every probing round (ControllerConfig::horizon_s, 30 s) and follows demand at once,
  // both ways; Kubernetes instead holds scale-downs for 300 s.
  double scale_down_hold_s = 0;
};

// Throws std::invalid_argument naming the first field out of range ("utilisation_cap", ...).
void validate(const AutoscalerConfig& config);

struct ChainScale {
  // Replicas per VF, in chain order: what the chain should run now (after the hold). All 0 when fps is 0.
  std::vector<int> replicas;
  // The model's counts for this call's demand alone (before the hold); equal to `replicas` with no hold.
  std::vector<int> recommended;
  // False when no counts within max_replicas_per_vf meet both rules; `recommended` then holds the closest:
  // every VF at max_replicas_per_vf when the time bound cannot be met, else the least counts that meet it
  // with the VFs whose capacity rule fails at max_replicas_per_vf.
  bool feasible = true;
  std::string why;  // non-empty exactly when !feasible: which rule fails, for which VF, with the numbers
};

// The model for one demand, with no history. `load_ipf` (non-empty, each finite and >= 0) is l_j in chain
// order, `node_speed_ips` (finite, > 0) is cpu, `fps` (finite, >= 0) the requested frame rate. Throws
// std::invalid_argument naming the field ("load_ipf[2]", "node_speed_ips", "fps") or the config's field.
ChainScale minimal_replicas(const std::vector<double>& load_ipf, double node_speed_ips, double fps,
                            const AutoscalerConfig& config);

// Whether `replicas` (same size as `load_ipf`) meet both rules above for `fps`: always at fps 0; never when a
// VF with load has 0 replicas. Throws std::invalid_argument on bad input, as minimal_replicas.
bool meets_demand(const std::vector<double>& load_ipf, const std::vector<int>& replicas, double node_speed_ips,
                  double fps, const AutoscalerConfig& config);

// The paper's environment cost rate of a chain that processes `fps` frames per second (finite, >= 0) with
// `replicas` (same size as `load_ipf`, each >= 0): every replica of VF j executes l = fps x l_j / y_j
// instructions per second and costs c(l) per second, c(l) = l^2 / cpu (the authors' code's c_i(l), the
// function of placement_cost), so the rate is sum_j y_j c(fps l_j / y_j) = sum_j (fps l_j)^2 / (y_j cpu); a VF
// with 0 replicas costs 0, and so does a chain at 0 fps. The paper's Table 2 writes (l^2 + N(2, 1, 0.5)) /
// 1000 for c_k(l): vfo drops the noise term and divides by the node's speed. A run's cost is this rate
// integrated over time. c is convex, so the same work spread over more replicas costs less. Throws
// std::invalid_argument naming the field.
double chain_cost_per_s(const std::vector<double>& load_ipf, const std::vector<int>& replicas, double node_speed_ips,
                        double fps);

// The autoscaler of one chain: minimal_replicas plus the history the scale-down hold needs (the
// recommendations of the last scale_down_hold_s seconds). Pure: time is what the caller passes (a probing
// round's snapshot time). Not thread-safe; one instance per chain.
class ChainAutoscaler {
 public:
  explicit ChainAutoscaler(AutoscalerConfig config);  // validates it

  // The counts the chain should run at `now_s` (finite, never earlier than the previous call's) for the given
  // demand: per VF, the largest of this call's recommendation and those made less than scale_down_hold_s
  // before `now_s`. The chain's number of VFs must not change between calls. More replicas only shorten the
  // chain's time and each replica's demand, so a held count still meets both rules whenever the recommendation
  // does; `feasible` and `why` are the recommendation's. Throws std::invalid_argument on bad input.
  ChainScale desired(const std::vector<double>& load_ipf, double node_speed_ips, double fps, double now_s);

  const AutoscalerConfig& config() const { return config_; }

 private:
  struct Recommendation {
    double at_s;
    std::vector<int> replicas;
  };

  AutoscalerConfig config_;
  bool started_ = false;
  double last_now_s_ = 0;
  std::size_t functions_ = 0;
  std::vector<Recommendation> history_;  // within the hold, oldest first
};

}  // namespace vfo
