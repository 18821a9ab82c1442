#pragma once
// Running gnuplot on the scripts of figure_script.hpp. A missing or failing gnuplot is an outcome, not an
// exception: the .dat and .gp files are written first, so the figure can be rendered later.
#include <filesystem>
#include <optional>
#include <string>

#include "vfo/report/csv_table.hpp"
#include "vfo/report/figure_script.hpp"
#include "vfo/report/figure_spec.hpp"

namespace vfo::report {

// The first executable `gnuplot` on $PATH, if any.
std::optional<std::filesystem::path> find_gnuplot();

struct RenderResult {
  enum class Outcome {
    kRendered,        // gnuplot exited 0 (the .svg and .png exist)
    kGnuplotMissing,  // no gnuplot: only the .dat and .gp were written
    kGnuplotFailed,   // gnuplot could not be started or exited non-zero; `message` says why
  };
  Outcome outcome = Outcome::kRendered;
  std::string message;  // empty when rendered; else one line (gnuplot's first error line, when it has one)
  FigureFiles files;
};

// Runs `gnuplot script` with the script's folder as working directory, gnuplot's output going to a
// <script>.log next to it (removed when gnuplot succeeds). Blocks until gnuplot exits. Not thread-safe with
// respect to other code that reaps children with waitpid(-1).
RenderResult run_gnuplot(const std::filesystem::path& gnuplot, const std::filesystem::path& script);

// write_figure_script, then run_gnuplot unless `gnuplot` is nullopt (then the outcome is kGnuplotMissing).
// Throws what write_figure_script throws (a bad spec or an unwritable folder).
RenderResult render_figure(const CsvTable& aggregate, const FigureSpec& spec, const std::filesystem::path& dir,
                           const std::optional<std::filesystem::path>& gnuplot);

}  // namespace vfo::report
