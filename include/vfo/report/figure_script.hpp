#pragma once
// A figure of a sweep as gnuplot input: <file>.dat (the numbers) and <file>.gp (the script), built from the
// aggregate table (aggregate.hpp) and a FigureSpec. The script reads and writes only files next to itself
// (<file>.dat -> <file>.svg and <file>.png), so `cd DIR/figures && gnuplot <file>.gp` re-renders it.
//
// Layout: one file per figure. When the spec names `panels`, the figure is a gnuplot multiplot with one panel
// per combination of the panel keys' values (those that have data), titled like "nodes=100, live_migration=on";
// if every combination has data, the last panel key varies across the columns and the others down the rows
// (the paper's Fig. 6: panels [environment.nodes, control.live_migration] gives one row per node count, one
// column with and one without live migration), otherwise the panels fill a near-square grid. Lines figures
// with several panels share one y range.
//
// Heatmap: the x and y keys' values are evenly spaced categories in grid order; each cell is coloured by the
// mean of the metric on one colour scale shared by all panels, and shows the mean printed with `digits`
// decimals and, below it in a smaller font, "±" the half-width of its 95 % confidence interval (m_ci95, same
// decimals; nothing where the CI is undefined). Lines: one line per combination of the series keys' values
// (same colour in every panel), the mean with error bars of its 95 % confidence interval (m_ci95; no bar where
// it is undefined or the table has no such column; cut at 0 when no mean is negative, since such a metric counts
// or measures something that cannot be, and at 100 for a share of time, a metric named `*downtime_pct`); a lines
// figure without panels and with more than 4 series draws each series in a panel of its own; a numeric x key is a
// numeric axis, any other (text, booleans) evenly spaced categories. Bars: one bar per x value (categories), the means
// of `stack`'s metrics stacked bottom up, each segment with an error bar of its own 95 % CI at its top. Units: a metric
// named `bytes` or `*_bytes` is shown in kB, MB, GB or TB (decimal), the one that puts the largest mean between 1 and
// 1000, named after the y label (lines, bars) or the title (heatmap). Series and segments take series_colour's hues in
// order. Grid values "true"/"false" print as "on"/"off", and a key prints as its last segment
// ("control.live_migration=true" -> "live_migration=on").
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "vfo/report/csv_table.hpp"
#include "vfo/report/figure_spec.hpp"

namespace vfo::report {

struct FigureScript {
  std::string data;    // contents of <file>.dat: one block (gnuplot `index`) per panel, or per panel and series
  std::string script;  // contents of <file>.gp
};

// Builds the figure from `aggregate` (columns: grid keys, and m, m_ci95 per metric m; see aggregate.hpp). Rows are
// first filtered by spec.where. Throws vfo::InputError (prefixed with spec.source when it is set) if a key or the
// metric is not a column of the table, the metric is not numeric, no row is left, or two rows fall on the same cell or
// point (a varying grid key the spec does not name).
FigureScript make_figure_script(const CsvTable& aggregate, const FigureSpec& spec);

struct FigureFiles {
  std::filesystem::path dat, gp, svg, png;
};

// make_figure_script, written to dir/<file>.dat and dir/<file>.gp (dir is created if missing). Returns the
// paths, including those of the pictures gnuplot will write. Throws what make_figure_script throws, and
// std::runtime_error if a file cannot be written.
FigureFiles write_figure_script(const CsvTable& aggregate, const FigureSpec& spec, const std::filesystem::path& dir);

// A gnuplot script that runs `body` once with an SVG terminal (<file>.svg) and once with a PNG one
// (<file>.png, pngcairo when gnuplot has it), at width x height pixels; `kind` names the figure in a comment.
std::string svg_and_png_script(const std::string& file, const std::string& kind, std::size_t width, std::size_t height,
                               const std::string& body);

// A string literal for a .gp file: single quotes, in which only '' needs escaping; line breaks become spaces.
std::string gp_string(std::string_view text);

// The colour of the index-th series of a figure ("#0072B2"): distinct hues, colour-blind safe, repeating after 8.
std::string series_colour(std::size_t index);

// "control.live_migration" -> "live_migration".
std::string key_label(const std::string& key);
// "true" -> "on", "false" -> "off", anything else unchanged.
std::string value_label(const std::string& value);

}  // namespace vfo::report
