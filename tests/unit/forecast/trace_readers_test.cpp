#include "vfo/forecast/trace_readers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/scratch.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo {
namespace {

namespace fs = std::filesystem;
using test::fresh_dir;
using test::write_file;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The what() of the InputError that CALL throws; the test fails when it throws none or its message has a line break.
template <class Call>
std::string input_error(Call&& call) {
  try {
    call();
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
    return message;
  }
  ADD_FAILURE() << "no InputError thrown";
  return "";
}

std::vector<std::string> names_of(const std::vector<UsageSeries>& series) {
  std::vector<std::string> names;
  for (const UsageSeries& s : series) names.push_back(s.name);
  return names;
}

// Writes TEXT to NAME inside folder DIR (created if needed) and returns its path.
fs::path write_in(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::create_directories(dir);
  return write_file(fs::relative(dir / name, test::scratch_dir()).string(), text);
}

// ---- resample ----

TEST(ResampleTest, MeansReadingsPerBin) {
  const UsageSeries s = resample("x", {{0, 10, 1}, {10, 20, 2}, {59.5, 30, 6}, {60, 40, 8}, {70, 50, 10}}, 60, true);
  EXPECT_EQ(s.name, "x");
  EXPECT_EQ(s.start_s, 0);
  EXPECT_EQ(s.interval_s, 60);
  EXPECT_EQ(s.cpu_pct, (std::vector<double>{20, 45}));
  EXPECT_EQ(s.ram_pct, (std::vector<double>{3, 9}));
}

TEST(ResampleTest, CarriesEmptyBinsForward) {
  const UsageSeries s = resample("x", {{0, 10, 1}, {250, 50, 5}}, 60, true);
  EXPECT_EQ(s.cpu_pct, (std::vector<double>{10, 10, 10, 10, 50}));
  EXPECT_EQ(s.ram_pct, (std::vector<double>{1, 1, 1, 1, 5}));
  // The three filled bins are marked as not measured.
  EXPECT_EQ(s.measured, (std::vector<std::uint8_t>{1, 0, 0, 0, 1}));
  EXPECT_FALSE(s.is_measured(2));
  EXPECT_TRUE(s.is_measured(4));
}

TEST(ResampleTest, NoGapLeavesMeasuredEmpty) {
  const UsageSeries s = resample("x", {{0, 10, 1}, {60, 50, 5}}, 60, true);
  EXPECT_TRUE(s.measured.empty());
  EXPECT_TRUE(s.is_measured(1));
}

TEST(ResampleTest, SortsUnsortedInput) {
  const UsageSeries s = resample("x", {{70, 50, 10}, {250, 7, 7}, {0, 10, 1}, {60, 40, 8}, {10, 20, 2}}, 60, true);
  EXPECT_EQ(s.start_s, 0);
  EXPECT_EQ(s.cpu_pct, (std::vector<double>{15, 45, 45, 45, 7}));
  EXPECT_EQ(s.ram_pct, (std::vector<double>{1.5, 9, 9, 9, 7}));
}

TEST(ResampleTest, GridStartsAtFlooredFirstTime) {
  const UsageSeries s = resample("x", {{130, 10, kNaN}, {170, 30, kNaN}, {250, 5, kNaN}}, 60, false);
  EXPECT_EQ(s.start_s, 120);
  EXPECT_EQ(s.cpu_pct, (std::vector<double>{20, 20, 5}));
}

TEST(ResampleTest, LeavesRamEmptyWithoutRam) {
  const UsageSeries s = resample("x", {{0, 10, kNaN}, {300, 20, kNaN}}, 300, false);
  EXPECT_FALSE(s.has_ram());
  EXPECT_EQ(s.size(), 2u);
}

TEST(ResampleTest, NoSamplesGiveAnEmptySeries) {
  const UsageSeries s = resample("x", {}, 60, true);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_FALSE(s.has_ram());
}

TEST(ResampleTest, RejectsNonPositiveInterval) {
  EXPECT_THROW(resample("x", {{0, 1, 1}}, 0, true), std::invalid_argument);
  EXPECT_THROW(resample("x", {{0, 1, 1}}, -60, true), std::invalid_argument);
  EXPECT_THROW(resample("x", {{0, 1, 1}}, kNaN, true), std::invalid_argument);
  const fs::path file = write_file("trace_interval_vm", "10\n");
  EXPECT_THROW(read_planetlab(file, 0), std::invalid_argument);
  EXPECT_THROW(read_trace("planetlab:" + file.string(), -1), std::invalid_argument);
}

TEST(ResampleTest, RejectsTooManyBins) {
  EXPECT_THROW(resample("x", {{0, 1, 1}, {1e12, 1, 1}}, 1, true), InputError);
}

// A reading far from the others (a time in milliseconds, a typo) would make a series of copies: refused.
TEST(ResampleTest, RejectsASeriesThatIsMostlyGaps) {
  std::vector<UsageSample> samples;
  for (int i = 0; i < 50; ++i) samples.push_back({300.0 * i, 10, 10});
  EXPECT_NO_THROW(resample("x", samples, 300, true));  // dense
  samples.push_back({29e9, 20, 20});
  try {
    resample("vfo:n1", samples, 300, true);
    FAIL() << "a series of 51 readings over 96,666,667 intervals was accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("vfo:n1: 51 readings span 0 s to 29000000000 s"));
    EXPECT_THAT(e.what(), HasSubstr("mostly gaps"));
  }
  // Gaps are fine while readings come at least once per 100 intervals on average.
  std::vector<UsageSample> sparse;
  for (int i = 0; i < 50; ++i) sparse.push_back({300.0 * 50 * i, 10, 10});
  EXPECT_EQ(resample("x", sparse, 300, true).cpu_pct.size(), 49u * 50 + 1);
}

// ---- PlanetLab ----

TEST(PlanetlabTraceTest, ReadsOneFile) {
  const fs::path file = write_file("trace_pl_vm_a", "10\n20\r\n 30 \n\n\n");
  const std::vector<UsageSeries> series = read_planetlab(file, 300);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].name, "planetlab:trace_pl_vm_a");
  EXPECT_EQ(series[0].start_s, 0);
  EXPECT_EQ(series[0].interval_s, 300);
  EXPECT_EQ(series[0].cpu_pct, (std::vector<double>{10, 20, 30}));
  EXPECT_FALSE(series[0].has_ram());
}

TEST(PlanetlabTraceTest, ResamplesToALongerInterval) {
  const fs::path file = write_file("trace_pl_vm_long", "10\n20\n30\n50");
  const std::vector<UsageSeries> series = read_planetlab(file, 600);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].cpu_pct, (std::vector<double>{15, 40}));
}

TEST(PlanetlabTraceTest, ReadsDayFolderSortedSkippingHidden) {
  const fs::path day = fresh_dir("trace_pl_day") / "20110101";
  write_in(day, "vm_b", "2\n");
  write_in(day, "vm_a", "1\n");
  write_in(day, ".hidden", "not a number\n");
  const std::vector<UsageSeries> series = read_planetlab(day, 300);
  EXPECT_EQ(names_of(series), (std::vector<std::string>{"planetlab:20110101/vm_a", "planetlab:20110101/vm_b"}));
  EXPECT_EQ(series[1].cpu_pct, (std::vector<double>{2}));
  EXPECT_EQ(names_of(read_planetlab(day.string() + "/", 300)), names_of(series));
}

TEST(PlanetlabTraceTest, ReadsFolderOfDayFolders) {
  const fs::path root = fresh_dir("trace_pl_root");
  write_in(root / "20110102", "vm_x", "5\n");
  write_in(root / "20110101", "vm_y", "6\n");
  write_in(root / "20110101", "vm_x", "7\n");
  fs::create_directories(root / ".cache");
  const std::vector<UsageSeries> series = read_planetlab(root, 300);
  EXPECT_EQ(names_of(series), (std::vector<std::string>{"planetlab:20110101/vm_x", "planetlab:20110101/vm_y",
                                                        "planetlab:20110102/vm_x"}));
  EXPECT_EQ(series[0].cpu_pct, (std::vector<double>{7}));
}

TEST(PlanetlabTraceTest, ReportsBadLineWithFileAndLine) {
  const fs::path file = write_file("trace_pl_bad", "10\nabc\n30\n");
  EXPECT_EQ(input_error([&] { read_planetlab(file, 300); }),
            file.string() + ":2: \"abc\" is not a number (expected one CPU percentage per line)");
  const fs::path negative = write_file("trace_pl_negative", "10\n20\n-5\n");
  EXPECT_EQ(input_error([&] { read_planetlab(negative, 300); }),
            negative.string() + ":3: \"-5\" is negative (expected one CPU percentage per line)");
  const fs::path partial = write_file("trace_pl_partial", "12abc\n");
  EXPECT_EQ(input_error([&] { read_planetlab(partial, 300); }),
            partial.string() + ":1: \"12abc\" is not a number (expected one CPU percentage per line)");
}

TEST(PlanetlabTraceTest, RejectsBlankLineInside) {
  const fs::path file = write_file("trace_pl_blank", "10\n\n20\n");
  const std::string message = input_error([&] { read_planetlab(file, 300); });
  EXPECT_EQ(message.rfind(file.string() + ":2: blank line inside the file (expected ", 0), 0u) << message;
}

TEST(PlanetlabTraceTest, RejectsEmptyFileAndFolder) {
  const fs::path file = write_file("trace_pl_empty", "\n");
  EXPECT_EQ(input_error([&] { read_planetlab(file, 300); }),
            file.string() + ":1: empty file (expected one CPU percentage per line)");
  const fs::path dir = fresh_dir("trace_pl_empty_dir");
  fs::create_directories(dir);
  const std::string message = input_error([&] { read_planetlab(dir, 300); });
  EXPECT_EQ(message.rfind(dir.string() + ": no series in the folder (expected ", 0), 0u) << message;
}

TEST(PlanetlabTraceTest, RejectsFolderMixingFilesAndFolders) {
  const fs::path root = fresh_dir("trace_pl_mixed");
  write_in(root / "20110101", "vm", "1\n");
  write_in(root, "vm", "1\n");
  const std::string message = input_error([&] { read_planetlab(root, 300); });
  EXPECT_EQ(message.rfind(root.string() + ": holds both files and folders (expected ", 0), 0u) << message;
}

TEST(PlanetlabTraceTest, ReportsMissingPath) {
  const fs::path missing = test::scratch_dir() / "trace_no_such_folder";
  EXPECT_EQ(input_error([&] { read_planetlab(missing, 300); }),
            missing.string() +
                ": cannot read file (expected a PlanetLab VM file, a day folder of them, or a folder of day folders)");
}

// ---- Alibaba ----

TEST(AlibabaTraceTest, GroupsByMachineSortedWithRam) {
  const fs::path file = write_file("trace_ali.csv",
                                   "m_2,100,40,80,,,1.5,2.5,3\n"
                                   "m_1,0,10,50,,,,,\n"
                                   "m_2,130,60,90\n"
                                   "m_1,30,20,60,1,2,3,4,5\r\n"
                                   "m_1,200,30,70,,,,,\n");
  const std::vector<UsageSeries> series = read_alibaba_machine_usage(file, 60);
  EXPECT_EQ(names_of(series), (std::vector<std::string>{"alibaba:m_1", "alibaba:m_2"}));
  EXPECT_EQ(series[0].start_s, 0);
  EXPECT_EQ(series[0].cpu_pct, (std::vector<double>{15, 15, 15, 30}));
  EXPECT_EQ(series[0].ram_pct, (std::vector<double>{55, 55, 55, 70}));
  EXPECT_EQ(series[1].start_s, 60);
  EXPECT_EQ(series[1].cpu_pct, (std::vector<double>{40, 60}));
  EXPECT_EQ(series[1].ram_pct, (std::vector<double>{80, 90}));
}

TEST(AlibabaTraceTest, ReportsBadNumberWithFileAndLine) {
  const fs::path file = write_file("trace_ali_bad.csv", "m_1,0,10,50,,,,,\nm_1,10,abc,50,,,,,\n");
  EXPECT_EQ(input_error([&] { read_alibaba_machine_usage(file, 60); }),
            file.string() + ":2: cpu_util_percent: \"abc\" is not a number (expected a percentage)");
  const fs::path nan = write_file("trace_ali_nan.csv", "m_1,0,nan,50\n");
  EXPECT_EQ(input_error([&] { read_alibaba_machine_usage(nan, 60); }),
            nan.string() + ":1: cpu_util_percent: \"nan\" is not finite (expected a percentage)");
  const fs::path time = write_file("trace_ali_time.csv", "m_1,0,1,50\nm_1,-10,1,50\n");
  EXPECT_EQ(input_error([&] { read_alibaba_machine_usage(time, 60); }),
            time.string() + ":2: time_stamp: \"-10\" is negative (expected a time in seconds)");
}

TEST(AlibabaTraceTest, RequiresCpuAndMemory) {
  const fs::path file = write_file("trace_ali_nomem.csv", "m_1,0,10,,,,,,\n");
  EXPECT_EQ(input_error([&] { read_alibaba_machine_usage(file, 60); }),
            file.string() + ":1: mem_util_percent: missing (expected a percentage)");
  const fs::path short_line = write_file("trace_ali_short.csv", "m_1,0,10,50\nm_1,10,20\n");
  const std::string message = input_error([&] { read_alibaba_machine_usage(short_line, 60); });
  EXPECT_EQ(message.rfind(short_line.string() + ":2: 3 fields (expected up to 9, the first 4 filled: ", 0), 0u)
      << message;
}

TEST(AlibabaTraceTest, RejectsEmptyAndMissingFile) {
  const fs::path file = write_file("trace_ali_empty.csv", "");
  const std::string message = input_error([&] { read_alibaba_machine_usage(file, 60); });
  EXPECT_EQ(message.rfind(file.string() + ":1: empty file (expected ", 0), 0u) << message;
  const fs::path missing = test::scratch_dir() / "trace_no_such.csv";
  EXPECT_EQ(input_error([&] { read_alibaba_machine_usage(missing, 60); }),
            missing.string() + ": cannot read file (expected an Alibaba 2018 machine_usage.csv)");
}

// ---- Bitbrains ----

constexpr const char* kBitbrainsHeader =
    "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\t"
    "Memory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\t"
    "Disk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]\n";

TEST(BitbrainsTraceTest, ReadsVmFileWithRamFromKb) {
  const fs::path dir = fresh_dir("trace_bb_one");
  const fs::path file =
      write_in(dir, "7.csv",
               std::string(kBitbrainsHeader) +
                   "1376314800;\t4;\t11703.99;\t1170.4;\t10.0;\t67108864;\t16777216;\t0.0;\t2.0;\t0.0;\t0.0\n"
                   "1376315100;\t4;\t11703.99;\t2340.8;\t20.5;\t0;\t16777216;\t0.0;\t2.0;\t0.0;\t0.0\r\n"
                   "1376315400 ; 4 ; 11703.99 ; 0 ; 30 ; 1000 ; 750 ; 0 ; 0 ; 0 ; 0\n");
  const std::vector<UsageSeries> series = read_bitbrains(file, 300);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].name, "bitbrains:7");
  EXPECT_EQ(series[0].start_s, 1376314800);
  EXPECT_EQ(series[0].cpu_pct, (std::vector<double>{10.0, 20.5, 30}));
  EXPECT_EQ(series[0].ram_pct, (std::vector<double>{25, 0, 75}));
}

TEST(BitbrainsTraceTest, ReadsFolderOfCsvFilesSortedByStem) {
  const fs::path dir = fresh_dir("trace_bb_folder");
  const std::string line = "0;1;1000;100;10;100;50;0;0;0;0\n";
  write_in(dir, "2.csv", kBitbrainsHeader + line);
  write_in(dir, "1.csv", kBitbrainsHeader + line);
  write_in(dir, "notes.txt", "not a trace");
  write_in(dir, ".3.csv", "hidden");
  const std::vector<UsageSeries> series = read_bitbrains(dir, 300);
  EXPECT_EQ(names_of(series), (std::vector<std::string>{"bitbrains:1", "bitbrains:2"}));
  EXPECT_EQ(series[0].ram_pct, (std::vector<double>{50}));
}

TEST(BitbrainsTraceTest, ReportsBadHeader) {
  const fs::path file = write_file("trace_bb_header.csv", "Timestamp [ms];\tCPU cores\n0;\t1\n");
  const std::string message = input_error([&] { read_bitbrains(file, 300); });
  EXPECT_EQ(message.rfind(file.string() + ":1: header has no \"CPU usage [%]\" column (expected a Bitbrains", 0), 0u)
      << message;
}

TEST(BitbrainsTraceTest, ReportsBadLineWithFileAndLine) {
  const fs::path file = write_file("trace_bb_bad.csv", std::string(kBitbrainsHeader) +
                                                           "0;1;1000;100;10;100;50;0;0;0;0\n"
                                                           "300;1;1000;100;10;100;x50;0;0;0;0\n");
  EXPECT_EQ(input_error([&] { read_bitbrains(file, 300); }),
            file.string() + ":3: Memory usage [KB]: \"x50\" is not a number (expected a size in KB)");
  const fs::path short_line = write_file("trace_bb_short.csv", std::string(kBitbrainsHeader) + "0;1;1000\n");
  EXPECT_EQ(input_error([&] { read_bitbrains(short_line, 300); }),
            short_line.string() + ":2: 3 fields (expected 11, separated by ';', as in the header)");
  const fs::path only_header = write_file("trace_bb_header_only.csv", kBitbrainsHeader);
  EXPECT_EQ(input_error([&] { read_bitbrains(only_header, 300); }),
            only_header.string() + ":2: no readings (expected lines after the header)");
}

TEST(BitbrainsTraceTest, RejectsFolderWithoutCsvFiles) {
  const fs::path dir = fresh_dir("trace_bb_none");
  write_in(dir, "notes.txt", "nothing");
  const std::string message = input_error([&] { read_bitbrains(dir, 300); });
  EXPECT_EQ(message.rfind(dir.string() + ": no .csv files in the folder (expected ", 0), 0u) << message;
}

// ---- vfo node trace ----

TEST(NodeTraceTest, ReadsNodesSortedByName) {
  const fs::path file = write_file("trace_nodes.csv",
                                   "time,node,cpu,ram\n"
                                   "0,n2,10,20\n"
                                   "0,n10,1,2\n"
                                   "5,n1,30,40\n"
                                   "0,n1,10,20\n"
                                   "60,n1,50,60\n");
  const std::vector<UsageSeries> series = read_node_trace(file, 60);
  EXPECT_EQ(names_of(series), (std::vector<std::string>{"vfo:n1", "vfo:n10", "vfo:n2"}));
  EXPECT_EQ(series[0].cpu_pct, (std::vector<double>{20, 50}));
  EXPECT_EQ(series[0].ram_pct, (std::vector<double>{30, 60}));
  EXPECT_EQ(series[2].cpu_pct, (std::vector<double>{10}));
}

TEST(NodeTraceTest, ReportsBadLineWithFileAndLine) {
  const fs::path file = write_file("trace_nodes_bad.csv", "time,node,cpu,ram\n0,n1,10,20\n\n60,n1,10,-1\n");
  EXPECT_EQ(input_error([&] { read_node_trace(file, 60); }),
            file.string() + ":4: ram: \"-1\" is negative (expected a percentage)");
  const fs::path fields = write_file("trace_nodes_fields.csv", "time,node,cpu,ram\n0,n1,10\n");
  EXPECT_EQ(input_error([&] { read_node_trace(fields, 60); }),
            fields.string() + ":2: 3 fields (expected 4, as in the header)");
}

TEST(NodeTraceTest, RequiresHeader) {
  const fs::path file = write_file("trace_nodes_header.csv", "0,n1,10,20\n");
  EXPECT_EQ(input_error([&] { read_node_trace(file, 60); }),
            file.string() + ":1: header has no \"time\" column (expected a header line time,node,cpu,ram)");
}

// ---- read_trace ----

TEST(ReadTraceTest, DispatchesOnFormat) {
  const fs::path nodes = write_file("trace_dispatch.csv", "time,node,cpu,ram\n0,a,1,2\n");
  EXPECT_EQ(names_of(read_trace("vfo:" + nodes.string(), 60)), (std::vector<std::string>{"vfo:a"}));
  const fs::path vm = write_file("trace_dispatch_vm", "3\n");
  EXPECT_EQ(names_of(read_trace("planetlab:" + vm.string(), 300)),
            (std::vector<std::string>{"planetlab:trace_dispatch_vm"}));
  const fs::path machines = write_file("trace_dispatch_ali.csv", "m_9,0,1,2\n");
  EXPECT_EQ(names_of(read_trace("alibaba:" + machines.string(), 300)), (std::vector<std::string>{"alibaba:m_9"}));
  const fs::path vms = write_file("trace_dispatch_bb.csv", std::string(kBitbrainsHeader) + "0;1;1;1;1;1;1;0;0;0;0\n");
  EXPECT_EQ(names_of(read_trace("bitbrains:" + vms.string(), 300)),
            (std::vector<std::string>{"bitbrains:trace_dispatch_bb"}));
}

TEST(ReadTraceTest, RejectsUnknownFormat) {
  EXPECT_EQ(input_error([] { read_trace("google:/tmp/x.csv", 60); }),
            "trace \"google:/tmp/x.csv\": unknown format \"google\" (expected one of planetlab, alibaba, bitbrains, "
            "vfo)");
  EXPECT_EQ(input_error([] { read_trace("/tmp/x.csv", 60); }),
            "trace \"/tmp/x.csv\": no format (expected FORMAT:PATH with FORMAT one of planetlab, alibaba, bitbrains, "
            "vfo)");
  EXPECT_EQ(input_error([] { read_trace("vfo:", 60); }), "trace \"vfo:\": no path (expected FORMAT:PATH)");
}

TEST(ReadTraceTest, ListsFormats) {
  EXPECT_EQ(trace_formats(), (std::vector<std::string>{"planetlab", "alibaba", "bitbrains", "vfo"}));
}

// ---- the real traces of ../shared/data ----

TEST(RealTraceTest, ReadsPlanetlabDayFolder) {
  const fs::path day = std::string(VFO_SOURCE_DIR) + "/../shared/data/planetlab/20110303";
  if (!fs::is_directory(day)) GTEST_SKIP() << day << " is absent";
  const std::vector<UsageSeries> series = read_planetlab(day, 300);
  ASSERT_FALSE(series.empty());
  EXPECT_TRUE(std::is_sorted(series.begin(), series.end(),
                             [](const UsageSeries& a, const UsageSeries& b) { return a.name < b.name; }));
  for (const UsageSeries& s : series) {
    ASSERT_EQ(s.size(), 288u) << s.name;
    EXPECT_EQ(s.interval_s, 300);
    EXPECT_EQ(s.start_s, 0);
    EXPECT_FALSE(s.has_ram());
    EXPECT_EQ(s.name.rfind("planetlab:20110303/", 0), 0u) << s.name;
  }
}

TEST(RealTraceTest, ReadsAlibabaSample) {
  const fs::path csv = std::string(VFO_SOURCE_DIR) + "/../shared/data/alibaba-2018-sample/machine_usage.csv";
  if (!fs::is_regular_file(csv)) GTEST_SKIP() << csv << " is absent";
  const std::vector<UsageSeries> series = read_alibaba_machine_usage(csv, 300);
  ASSERT_EQ(series.size(), 16u);
  EXPECT_EQ(series.front().name, "alibaba:m_1932");
  EXPECT_EQ(series.back().name, "alibaba:m_1947");
  for (const UsageSeries& s : series) {
    EXPECT_TRUE(s.has_ram()) << s.name;
    EXPECT_EQ(s.ram_pct.size(), s.cpu_pct.size());
    EXPECT_EQ(s.interval_s, 300);
    EXPECT_GT(s.size(), 10u) << s.name;
  }
}

}  // namespace
}  // namespace vfo
