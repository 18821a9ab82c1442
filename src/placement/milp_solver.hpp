#pragma once
// A small mixed-integer linear program and its solution by COIN-OR CBC. Private to src/placement/: the only
// code of vfo that includes CBC headers is milp_solver.cpp.
//
// The model is stored as triplets (row, column, value); each (row, column) pair must appear at most once.
// solve() is single-threaded with fixed random seeds (deterministic, but for CBC heuristics that look at the clock
// on models that take seconds), silent (no solver output) and thread-safe. Large models go through CBC's standard
// driver, which keeps global state: such calls are serialised (the wait counts against each call's time limit).
#include <cstddef>
#include <limits>
#include <vector>

namespace vfo::milp {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

enum class Outcome {
  optimal,     // proven optimal; `values` holds the solution
  infeasible,  // proven infeasible
  stopped,     // stopped by the time limit (or, rarely, numerical trouble) before a proof; `values` may be empty
};

struct Solution {
  Outcome outcome = Outcome::stopped;
  bool time_limit_reached = false;  // with `stopped`: the time limit (not numerics) stopped the search
  std::vector<double> values;       // one per column; empty when no feasible solution is known
  double objective = 0;             // of `values`, when not empty
  double bound = 0;                 // best possible objective (a lower bound), when known
};

// Minimise sum_c cost_c v_c subject to row_lb <= A v <= row_ub, col_lb <= v <= col_ub, v_c integer where marked.
class Model {
 public:
  // Adds a column and returns its index.
  int add_column(double lb, double ub, double cost, bool integer);
  // Adds a row lb <= sum ... <= ub (either side may be +-kInfinity) and returns its index.
  int add_row(double lb, double ub);
  // Sets the coefficient of `column` in `row`; a zero value is ignored. Each pair at most once.
  void add_entry(int row, int column, double value);

  void set_cost(int column, double cost) { cost_[static_cast<std::size_t>(column)] = cost; }
  void set_column_bounds(int column, double lb, double ub) {
    col_lb_[static_cast<std::size_t>(column)] = lb;
    col_ub_[static_cast<std::size_t>(column)] = ub;
  }
  void set_row_bounds(int row, double lb, double ub) {
    row_lb_[static_cast<std::size_t>(row)] = lb;
    row_ub_[static_cast<std::size_t>(row)] = ub;
  }

  int columns() const { return static_cast<int>(cost_.size()); }
  int rows() const { return static_cast<int>(row_lb_.size()); }

 private:
  friend Solution solve(const Model& model, double time_limit_s);
  std::vector<double> col_lb_, col_ub_, cost_;
  std::vector<bool> integer_;
  std::vector<double> row_lb_, row_ub_;
  std::vector<int> entry_row_, entry_col_;
  std::vector<double> entry_value_;
};

// Solves `model` within `time_limit_s` of wall time (<= 0: returns `stopped` at once without a solution).
Solution solve(const Model& model, double time_limit_s);

}  // namespace vfo::milp
