#include "placement/milp_solver.hpp"

#include <coin/CbcHeuristic.hpp>
#include <coin/CbcHeuristicFPump.hpp>
#include <coin/CbcHeuristicLocal.hpp>
#include <coin/CbcModel.hpp>
#include <coin/CbcSolver.hpp>
#include <coin/CglClique.hpp>
#include <coin/CglFlowCover.hpp>
#include <coin/CglGomory.hpp>
#include <coin/CglKnapsackCover.hpp>
#include <coin/CglMixedIntegerRounding2.hpp>
#include <coin/CglProbing.hpp>
#include <coin/CoinPackedMatrix.hpp>
#include <coin/OsiClpSolverInterface.hpp>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <iterator>
#include <mutex>
#include <string>

namespace vfo::milp {

int Model::add_column(double lb, double ub, double cost, bool integer) {
  col_lb_.push_back(lb);
  col_ub_.push_back(ub);
  cost_.push_back(cost);
  integer_.push_back(integer);
  return columns() - 1;
}

int Model::add_row(double lb, double ub) {
  row_lb_.push_back(lb);
  row_ub_.push_back(ub);
  return rows() - 1;
}

void Model::add_entry(int row, int column, double value) {
  assert(row >= 0 && row < rows() && column >= 0 && column < columns());
  if (value == 0) return;
  entry_row_.push_back(row);
  entry_col_.push_back(column);
  entry_value_.push_back(value);
}

namespace {

constexpr double kTolerance = 1e-9;

#ifdef VFO_MILP_DEBUG_LOG
constexpr int kLogLevel = VFO_MILP_DEBUG_LOG;  // a debugging build may show CBC's log
#else
constexpr int kLogLevel = 0;
#endif

// Models with at least this many columns go through CBC's standard driver (CbcMain1), smaller ones straight to
// CbcModel: the driver's preprocessing and tuned heuristics find placements on large models that a bare CbcModel
// does not, but cost ~3 ms of start-up per call, more than a small model takes to solve.
constexpr int kDriverColumns = 1000;

double to_coin(double bound, double coin_infinity) {
  if (std::isinf(bound)) return bound > 0 ? coin_infinity : -coin_infinity;
  return bound;
}

void silence(CbcModel& model) {
  model.setLogLevel(kLogLevel);
  model.messageHandler()->setLogLevel(kLogLevel);
  model.solver()->messageHandler()->setLogLevel(0);
}

// Branch and cut on CbcModel with the cut generators and heuristics of CBC's sample driver (sample2.cpp),
// without preprocessing. Returns false when the LP relaxation is infeasible (then nothing more is done).
bool solve_directly(CbcModel& model, double time_limit_s) {
  silence(model);
  model.setNumberThreads(0);
  model.setRandomSeed(1234567);
  model.setUseElapsedTime(true);
  model.setMaximumSeconds(time_limit_s);
  CglProbing probing;
  probing.setUsingObjective(true);
  probing.setMaxPass(1);
  probing.setMaxPassRoot(5);
  probing.setMaxProbe(10);
  probing.setMaxProbeRoot(1000);
  probing.setMaxLook(50);
  probing.setMaxLookRoot(500);
  probing.setMaxElements(200);
  probing.setRowCuts(3);
  CglGomory gomory;
  gomory.setLimit(300);
  CglKnapsackCover knapsack;
  CglClique clique;
  clique.setStarCliqueReport(false);
  clique.setRowCliqueReport(false);
  CglMixedIntegerRounding2 mixed_integer_rounding;
  CglFlowCover flow_cover;
  model.addCutGenerator(&probing, -1, "Probing");  // CbcModel keeps copies of generators and heuristics
  model.addCutGenerator(&gomory, -1, "Gomory");
  model.addCutGenerator(&knapsack, -1, "Knapsack");
  model.addCutGenerator(&clique, -1, "Clique");
  model.addCutGenerator(&mixed_integer_rounding, -1, "MixedIntegerRounding2");
  model.addCutGenerator(&flow_cover, -1, "FlowCover");
  CbcRounding rounding(model);
  CbcHeuristicLocal local(model);
  CbcHeuristicFPump pump(model);
  model.addHeuristic(&rounding);
  model.addHeuristic(&local);
  model.addHeuristic(&pump);
  model.initialSolve();
  if (model.isInitialSolveProvenPrimalInfeasible()) return false;
  model.branchAndBound();
  return true;
}

// Guards CbcMain0/CbcMain1, which parse their arguments through global state.
std::mutex& driver_mutex() {
  static std::mutex mutex;
  return mutex;
}

// CBC's standard driver, as the `cbc` command runs it. Returns false when the time ran out waiting for another call.
bool solve_with_driver(CbcModel& model, double time_limit_s) {
  const auto asked = std::chrono::steady_clock::now();
  const std::lock_guard<std::mutex> lock(driver_mutex());
  const double limit_s = time_limit_s - std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  if (!(limit_s > 1e-3)) return false;  // the driver reads its limit with 6 decimals
  silence(model);
  CbcSolverUsefulData data;
  CbcMain0(model, data);
  data.noPrinting_ = kLogLevel == 0;
  data.useSignalHandler_ = false;
  const std::string seconds = std::to_string(limit_s);
  const std::string log_level = std::to_string(kLogLevel);
  const char* argv[] = {"vfo",           "-log",        log_level.c_str(), "-slog",    "0",    "-sec",
                        seconds.c_str(), "-timeMode",   "elapsed",         "-threads", "0",    "-randomCbcSeed",
                        "1234567",       "-randomSeed", "1234567",         "-solve",   "-quit"};
  CbcMain1(
      static_cast<int>(std::size(argv)), argv, model, [](CbcModel*, int) { return 0; }, data);
  return true;
}

}  // namespace

Solution solve(const Model& m, double time_limit_s) {
  Solution result;
  if (!(time_limit_s > 0)) {
    result.time_limit_reached = true;
    return result;
  }
  const int n_cols = m.columns();
  const int n_rows = m.rows();

  // Infeasibilities that need no solver (and that CBC reports less reliably): empty bound ranges and empty rows
  // whose range excludes 0.
  for (int c = 0; c < n_cols; ++c) {
    double lb = m.col_lb_[static_cast<std::size_t>(c)], ub = m.col_ub_[static_cast<std::size_t>(c)];
    if (m.integer_[static_cast<std::size_t>(c)]) {
      lb = std::ceil(lb - kTolerance);
      ub = std::floor(ub + kTolerance);
    }
    if (lb > ub + kTolerance) {
      result.outcome = Outcome::infeasible;
      return result;
    }
  }
  std::vector<int> entries_in_row(static_cast<std::size_t>(n_rows), 0);
  for (int r : m.entry_row_) ++entries_in_row[static_cast<std::size_t>(r)];
  for (int r = 0; r < n_rows; ++r) {
    const auto i = static_cast<std::size_t>(r);
    if (entries_in_row[i] == 0 && (m.row_lb_[i] > kTolerance || m.row_ub_[i] < -kTolerance)) {
      result.outcome = Outcome::infeasible;
      return result;
    }
  }
  if (n_cols == 0) {
    result.outcome = Outcome::optimal;
    return result;
  }

  CoinPackedMatrix matrix(true, m.entry_row_.data(), m.entry_col_.data(), m.entry_value_.data(),
                          static_cast<CoinBigIndex>(m.entry_value_.size()));
  matrix.setDimensions(n_rows, n_cols);

  OsiClpSolverInterface solver;
  solver.messageHandler()->setLogLevel(0);
  solver.getModelPtr()->setLogLevel(0);
  solver.setHintParam(OsiDoReducePrint, true, OsiHintTry);
  const double inf = solver.getInfinity();
  std::vector<double> col_lb(m.col_lb_), col_ub(m.col_ub_), row_lb(m.row_lb_), row_ub(m.row_ub_);
  for (auto* v : {&col_lb, &col_ub, &row_lb, &row_ub}) {
    for (double& b : *v) b = to_coin(b, inf);
  }
  solver.loadProblem(matrix, col_lb.data(), col_ub.data(), m.cost_.data(), row_lb.data(), row_ub.data());
  for (int c = 0; c < n_cols; ++c) {
    if (m.integer_[static_cast<std::size_t>(c)]) solver.setInteger(c);
  }

  CbcModel model(solver);  // clones the solver
  const auto started = std::chrono::steady_clock::now();
  if (n_cols < kDriverColumns) {
    if (!solve_directly(model, time_limit_s)) {
      result.outcome = Outcome::infeasible;
      return result;
    }
  } else if (!solve_with_driver(model, time_limit_s)) {
    result.time_limit_reached = true;
    return result;
  }

  if (const double* best = model.bestSolution()) {
    result.values.assign(best, best + n_cols);
    result.objective = model.getObjValue();
  }
  result.bound = model.getBestPossibleObjValue();
  // When the time ran out, CBC can leave a status that claims a proof it did not finish (seen when the driver's
  // preprocessing is cut short on a loaded machine): without a solution, that is a stop, not infeasibility.
  const bool out_of_time =
      model.isSecondsLimitReached() ||
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >= time_limit_s;
  if (result.values.empty() && out_of_time) {
    result.outcome = Outcome::stopped;
    result.time_limit_reached = true;
  } else if (model.isProvenInfeasible() || (model.isProvenOptimal() && result.values.empty())) {
    result.outcome = Outcome::infeasible;
    result.values.clear();
  } else if (model.isProvenOptimal()) {
    result.outcome = Outcome::optimal;
  } else {
    result.outcome = Outcome::stopped;
    result.time_limit_reached = model.isSecondsLimitReached();
  }
  return result;
}

}  // namespace vfo::milp
