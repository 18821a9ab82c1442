#include "vfo/report/csv_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vfo/util/input_error.hpp"

namespace vfo::report {
namespace {

TEST(CsvTable, QuotesOnlyWhatMustBeQuoted) {
  EXPECT_EQ(quote_csv_field("plain"), "plain");
  EXPECT_EQ(quote_csv_field(""), "");
  EXPECT_EQ(quote_csv_field("0.1"), "0.1");
  EXPECT_EQ(quote_csv_field("{mean: 8, stddev: 4}"), "\"{mean: 8, stddev: 4}\"");
  EXPECT_EQ(quote_csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(quote_csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(quote_csv_field(" padded"), "\" padded\"");
  EXPECT_EQ(quote_csv_field("cr\r"), "\"cr\r\"");
}

TEST(CsvTable, WritesHeaderAndRows) {
  CsvTable table({"environment.nodes", "chains.functions", "downtime_pct"});
  table.add_row({"100", "{mean: 8, stddev: 4}", "1.5"});
  table.add_row({"500", "x\"y", ""});
  EXPECT_EQ(table.to_csv(),
            "environment.nodes,chains.functions,downtime_pct\n"
            "100,\"{mean: 8, stddev: 4}\",1.5\n"
            "500,\"x\"\"y\",\n");
  EXPECT_THROW(table.add_row({"1", "2"}), std::invalid_argument);
  EXPECT_EQ(table.at(1, "environment.nodes"), "500");
  EXPECT_EQ(table.column_index("downtime_pct"), 2u);
  EXPECT_FALSE(table.column_index("nope"));
  EXPECT_THROW(table.at(0, "nope"), std::out_of_range);
}

TEST(CsvTable, ParsesWhatItWrites) {
  CsvTable table({"a", "b,c", "d"});
  table.add_row({"1", "two\nlines", "\"quoted\""});
  table.add_row({"", " x ", "last"});
  const CsvTable back = CsvTable::parse(table.to_csv(), "t.csv");
  EXPECT_EQ(back.columns(), table.columns());
  EXPECT_EQ(back.rows(), table.rows());
  // CRLF line ends and a last line without one.
  const CsvTable crlf = CsvTable::parse("a,b\r\n1,2\r\n3,4", "t.csv");
  EXPECT_EQ(crlf.rows(), (std::vector<std::vector<std::string>>{{"1", "2"}, {"3", "4"}}));
}

TEST(CsvTable, ParseErrorsNameTheLine) {
  try {
    CsvTable::parse("a,b\n1,2\n3\n", "t.csv");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "t.csv:3: 1 fields (expected 2, as in the header)");
  }
  try {
    CsvTable::parse("a,b\n1,\"open\n", "t.csv");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::StartsWith("t.csv:2: unterminated quoted field"));
  }
}

TEST(CsvTable, WriteReplacesTheFile) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / ("vfo_csv_table_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  CsvTable table({"x"});
  table.add_row({"1"});
  table.write(dir / "t.csv");
  table.add_row({"2"});
  table.write(dir / "t.csv");
  std::ifstream in(dir / "t.csv");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "x\n1\n2\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "t.csv.tmp"));
  std::filesystem::remove_all(dir);
}

TEST(CsvTable, NumbersRoundTrip) {
  EXPECT_EQ(format_number(0.1), "0.1");
  EXPECT_EQ(format_number(3600.0), "3600");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(format_number(1e20), "1e+20");
  EXPECT_EQ(format_number(NAN), "nan");
  EXPECT_EQ(parse_number("1.5"), 1.5);
  EXPECT_EQ(parse_number("-2e3"), -2000.0);
  EXPECT_EQ(parse_number("+4"), 4.0);
  EXPECT_EQ(parse_number("true"), 1.0);
  EXPECT_EQ(parse_number("false"), 0.0);
  EXPECT_FALSE(parse_number(""));
  EXPECT_FALSE(parse_number("12abc"));
  EXPECT_FALSE(parse_number("normal"));
  EXPECT_FALSE(parse_number("{mean: 8}"));
}

}  // namespace
}  // namespace vfo::report
