#include "fuzz_inputs.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "vfo/forecast/trace_readers.hpp"
#include "vfo/runtime/frame.hpp"
#include "vfo/runtime/state_transfer.hpp"
#include "vfo/scenario/chain_manifest.hpp"
#include "vfo/scenario/placement_file.hpp"
#include "vfo/scenario/scenario_loader.hpp"
#include "vfo/scenario/sweep_spec.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo::fuzz {

namespace {

[[noreturn]] void defect(const std::string& what) {
  std::fprintf(stderr, "fuzz: %s\n", what.c_str());
  std::abort();
}

void check_one_line(const std::string& message, const char* kind) {
  if (message.empty()) defect(std::string(kind) + ": an empty message");
  if (message.find('\n') != std::string::npos) defect(std::string(kind) + ": a message of several lines: " + message);
}

// Runs `parse`; an InputError of one line is a refusal, anything else it throws is a defect.
template <typename Parse>
void refused_or_read(Parse&& parse) {
  try {
    parse();
  } catch (const InputError& e) {
    check_one_line(e.what(), "InputError");
  } catch (const std::exception& e) {
    defect(std::string("not an InputError: ") + e.what());
  }
}

// A file that holds `bytes`, in memory, for the readers that take a path.
class MemoryFile {
 public:
  explicit MemoryFile(std::string_view bytes) : fd_(memfd_create("fuzz-case", 0)) {
    if (fd_ < 0) defect("memfd_create failed");
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t n = write(fd_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) defect("write to memfd failed");
      done += static_cast<std::size_t>(n);
    }
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile() { close(fd_); }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

void scenario(std::string_view bytes) {
  refused_or_read([&] { parse_scenario(std::string(bytes), "fuzz.yaml"); });
}
void sweep(std::string_view bytes) {
  refused_or_read([&] { parse_sweep_spec(std::string(bytes), "fuzz.yaml"); });
}
void manifest(std::string_view bytes) {
  refused_or_read([&] { parse_chain_manifest(std::string(bytes), "fuzz.yaml"); });
}
void placement(std::string_view bytes) {
  refused_or_read([&] { parse_placement_problem(std::string(bytes), "fuzz.yaml"); });
}

template <std::vector<UsageSeries> (*Read)(const std::filesystem::path&, double)>
void trace(std::string_view bytes) {
  const MemoryFile file(bytes);
  refused_or_read([&] { Read(file.path(), 300); });
}

// A wire format's decoder: it refuses `bytes` with a one-line reason, or what it decodes encodes to bytes that
// decode and encode to themselves (no field is lost or changed on the way).
template <auto Decode, auto Encode>
void round_trip(std::string_view bytes, const char* name) {
  std::string why;
  const auto value = Decode(bytes, &why);
  if (!value) return check_one_line(why, name);
  const std::string encoded = Encode(*value);
  const auto again = Decode(encoded, nullptr);
  if (!again || Encode(*again) != encoded) defect(std::string(name) + ": a value does not survive encode and decode");
}

}  // namespace

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"scenario", scenario},
      {"sweep", sweep},
      {"manifest", manifest},
      {"placement", placement},
      {"trace-planetlab", trace<read_planetlab>},
      {"trace-alibaba", trace<read_alibaba_machine_usage>},
      {"trace-bitbrains", trace<read_bitbrains>},
      {"trace-vfo", trace<read_node_trace>},
      {"frame", [](std::string_view b) { round_trip<runtime::decode_frame, runtime::encode_frame>(b, "frame"); }},
      {"ack", [](std::string_view b) { round_trip<runtime::decode_ack, runtime::encode_ack>(b, "ack"); }},
      {"state-message",
       [](std::string_view b) {
         round_trip<runtime::decode_state_message, runtime::encode_state_message>(b, "state message");
       }},
      {"host-state",
       [](std::string_view b) { round_trip<runtime::decode_host_state, runtime::encode_host_state>(b, "host state"); }},
  };
  return all;
}

const Target& target(std::string_view name) {
  for (const Target& t : targets()) {
    if (t.name == name) return t;
  }
  defect("no fuzz target " + std::string(name));
}

}  // namespace vfo::fuzz
