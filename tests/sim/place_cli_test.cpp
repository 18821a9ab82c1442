// End-to-end tests of `vfo place`: each runs the binary and checks its output and exit code
// (0 a placement, 3 no placement, 2 bad input).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>
#include <string>
#include <utility>
#include "vfo_process.hpp"

namespace {

namespace fs = std::filesystem;

using vfo::test::Outcome;
using vfo::test::write_file;

Outcome run(const std::string& args) {
  return vfo::test::run_vfo(args);
}

const std::string kAuthors = std::string(VFO_SOURCE_DIR) + "/scenarios/place/authors.yaml";
const std::string kGenerated = std::string(VFO_SOURCE_DIR) + "/scenarios/place/generated.yaml";

// The node speeds of authors.yaml, and the loads of its one chain.
const std::map<int, double> kAuthorsSpeeds = {{0, 1.0e5}, {1, 1.2e5}, {2, 0.8e5}, {3, 1.5e5}, {4, 0.9e5}, {5, 1.1e5}};
const double kAuthorsLoads[] = {2.0e4, 1.5e4, 2.5e4, 1.0e4};

// Checks a placement of authors.yaml in the authors' model (one VF per node, every VF once, the chain within
// 1 s per frame) and returns its cost.
double check_authors_placement(const nlohmann::json& j) {
  const auto& placed = j.at("placed");
  EXPECT_EQ(placed.size(), 4u);
  std::set<int> nodes, functions;
  double cost = 0, time = 0;
  for (const auto& p : placed) {
    EXPECT_EQ(p.at("chain"), 0);
    EXPECT_EQ(p.at("replica"), 0);
    EXPECT_EQ(p.at("replicas"), 1);
    const int f = p.at("function").get<int>();
    const int n = p.at("node").get<int>();
    EXPECT_TRUE(kAuthorsSpeeds.contains(n)) << n;
    if (!kAuthorsSpeeds.contains(n) || f < 0 || f > 3) continue;
    EXPECT_EQ(p.at("load_ipf").get<double>(), kAuthorsLoads[f]);
    functions.insert(f);
    nodes.insert(n);
    cost += kAuthorsLoads[f] * kAuthorsLoads[f] / kAuthorsSpeeds.at(n);
    time += kAuthorsLoads[f] / kAuthorsSpeeds.at(n);
  }
  EXPECT_EQ(functions.size(), 4u);
  EXPECT_EQ(nodes.size(), 4u) << "two VFs on one node";
  EXPECT_LE(time, 1.0);
  EXPECT_NEAR(j.at("objective").get<double>(), cost, 1e-6 * cost);
  return cost;
}

TEST(PlaceCli, BestFitJsonOnTheAuthorsExample) {
  const Outcome o = run("place " + kAuthors + " --solver best-fit --json");
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_EQ(o.err, "");
  const auto j = nlohmann::json::parse(o.out);
  const auto ordered = nlohmann::ordered_json::parse(o.out);
  std::vector<std::string> keys;  // in the order printed
  for (const auto& [key, value] : ordered.items()) keys.push_back(key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"status", "reason", "solver", "objective", "bound", "gap", "solve_s", "placed"}));
  EXPECT_EQ(j.at("status"), "feasible");
  EXPECT_EQ(j.at("solver"), "best-fit");
  EXPECT_GE(j.at("solve_s").get<double>(), 0.0);
  check_authors_placement(j);
}

TEST(PlaceCli, TextOutputOnTheAuthorsExample) {
  const Outcome o = run("place " + kAuthors + " --solver best-fit");
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  std::istringstream lines(o.out);
  std::string line;
  int copies = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("chain 0 vf ")) {
      ++copies;
      EXPECT_NE(line.find(" -> node "), std::string::npos) << line;
      EXPECT_NE(line.find(" instr/frame, cost "), std::string::npos) << line;
    }
  }
  EXPECT_EQ(copies, 4) << o.out;
  EXPECT_NE(o.out.find("chain 0 vf 2 -> node "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("status feasible, solver best-fit, "), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("replicas"), std::string::npos) << o.out;
}

TEST(PlaceCli, ExactFindsTheOptimumOfTheAuthorsExample) {
  if (!fs::exists(std::string(VFO_SOURCE_DIR) + "/src/placement/exact_placer.cpp")) GTEST_SKIP() << "no exact solver";
  // The four fastest nodes, the heaviest VF on the fastest.
  const double optimum = 2.5e4 * 2.5e4 / 1.5e5 + 2e4 * 2e4 / 1.2e5 + 1.5e4 * 1.5e4 / 1.1e5 + 1e4 * 1e4 / 1e5;
  for (const char* solver : {"exact", "auto"}) {
    SCOPED_TRACE(solver);
    const Outcome o = run("place " + kAuthors + " --json --solver " + solver);
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    const auto j = nlohmann::json::parse(o.out);
    EXPECT_EQ(j.at("status"), "optimal");
    EXPECT_EQ(j.at("solver"), "exact");
    EXPECT_NEAR(check_authors_placement(j), optimum, 1e-6);
  }
  const Outcome text = run("place " + kAuthors + " --solver exact");
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("objective 10545.5, status optimal, solver exact, "), std::string::npos) << text.out;
}

TEST(PlaceCli, ExactReplicatesAChainTooSlowForItsFrameRate) {
  if (!fs::exists(std::string(VFO_SOURCE_DIR) + "/src/placement/exact_placer.cpp")) GTEST_SKIP() << "no exact solver";
  // authors.yaml at 2 fps: 0.5 s per frame is too short without copies.
  std::ifstream in(kAuthors);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  const auto at = text.find("fps: 1");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "fps: 2");
  const fs::path file = write_file("authors_2fps.yaml", text);

  const Outcome o = run("place " + file.string() + " --solver exact --json");
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j.at("status"), "optimal");
  std::map<int, int> copies;
  std::set<int> nodes;
  for (const auto& p : j.at("placed")) {
    ++copies[p.at("function").get<int>()];
    nodes.insert(p.at("node").get<int>());
    EXPECT_EQ(p.at("replicas").get<int>() * p.at("load_ipf").get<double>(), kAuthorsLoads[p.at("function").get<int>()]);
  }
  EXPECT_EQ(copies.size(), 4u);
  EXPECT_GT(j.at("placed").size(), 4u);
  EXPECT_EQ(nodes.size(), j.at("placed").size());  // one copy per node

  const Outcome t = run("place " + file.string() + " --solver exact");
  ASSERT_EQ(t.exit_code, 0) << t.out << t.err;
  EXPECT_NE(t.out.find(" copy 1/"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("replicas of chain 0: "), std::string::npos) << t.out;
}

TEST(PlaceCli, GeneratedExampleIsPlaced) {
  const Outcome o = run("place " + kGenerated + " --json");
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_TRUE(j.at("status") == "feasible" || j.at("status") == "optimal") << j.at("status");
  std::set<std::pair<int, int>> functions;
  for (const auto& p : j.at("placed")) functions.insert({p.at("chain").get<int>(), p.at("function").get<int>()});
  std::set<int> chains;
  for (const auto& [chain, function] : functions) chains.insert(chain);
  EXPECT_EQ(chains.size(), 60u);
  EXPECT_GT(functions.size(), 200u);
}

TEST(PlaceCli, InfeasibleGivesExitCode3) {
  // Three VFs that must go to distinct nodes, and two nodes.
  const fs::path file = write_file("infeasible.yaml",
                                   "nodes:\n  - {id: 0}\n  - {id: 1}\n"
                                   "chains:\n  - {id: 0, functions: [{}, {}, {}]}\n");
  std::vector<std::string> solvers = {"best-fit"};
  if (fs::exists(std::string(VFO_SOURCE_DIR) + "/src/placement/exact_placer.cpp")) solvers.push_back("exact");
  for (const std::string& solver : solvers) {
    SCOPED_TRACE(solver);
    const Outcome text = run("place " + file.string() + " --solver " + solver);
    EXPECT_EQ(text.exit_code, 3) << text.out << text.err;
    EXPECT_TRUE(text.out.starts_with("infeasible: ")) << text.out;
    EXPECT_NE(text.out.find("status infeasible, solver " + solver), std::string::npos) << text.out;

    const Outcome json = run("place " + file.string() + " --json --solver " + solver);
    EXPECT_EQ(json.exit_code, 3) << json.out << json.err;
    const auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j.at("status"), "infeasible");
    EXPECT_NE(j.at("reason").get<std::string>(), "");
    EXPECT_TRUE(j.at("placed").empty());
  }
}

TEST(PlaceCli, BadInputGivesOneLineAndExitCode2) {
  const fs::path bad = write_file("bad.yaml", "nodes:\n  - {id: 0}\n  - {id: 0}\nchains: {count: 1}\n");
  const Outcome o = run("place " + bad.string() + " --solver best-fit");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(vfo::test::line_count(o.err), 1) << o.err;
  EXPECT_NE(o.err.find(bad.string() + ":3: nodes[1].id: 0 is given twice"), std::string::npos) << o.err;

  const Outcome missing = run("place " + bad.string() + ".nope");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find(": cannot read file"), std::string::npos) << missing.err;

  for (const char* flags : {"--solver simplex", "--time-limit 0", "--time-limit soon"}) {
    SCOPED_TRACE(flags);
    const Outcome flag = run("place " + kAuthors + " " + flags);
    EXPECT_EQ(flag.exit_code, 2);
    EXPECT_EQ(vfo::test::line_count(flag.err), 1) << flag.err;
  }
}

TEST(PlaceCli, HelpNamesTheExitCodes) {
  const Outcome o = run("place --help");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_NE(o.out.find("Exit codes:\n  0  a placement was printed"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("--time-limit"), std::string::npos) << o.out;
}

}  // namespace
