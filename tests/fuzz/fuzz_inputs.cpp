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

void frame(std::string_view bytes) {
  std::string why;
  const auto f = runtime::decode_frame(bytes, &why);
  if (!f) return check_one_line(why, "decode_frame");
  const auto again = runtime::decode_frame(runtime::encode_frame(*f));
  if (!again || again->epoch != f->epoch || again->seq != f->seq || again->origin_ns != f->origin_ns ||
      again->payload != f->payload) {
    defect("a decoded frame does not survive encode and decode");
  }
}

void ack(std::string_view bytes) {
  std::string why;
  const auto a = runtime::decode_ack(bytes, &why);
  if (!a) return check_one_line(why, "decode_ack");
  const auto again = runtime::decode_ack(runtime::encode_ack(*a));
  if (!again || again->epoch != a->epoch || again->seq != a->seq) defect("a decoded ack does not survive");
}

void state_message(std::string_view bytes) {
  std::string why;
  const auto m = runtime::decode_state_message(bytes, &why);
  if (!m) return check_one_line(why, "decode_state_message");
  const std::string encoded = runtime::encode_state_message(*m);
  const auto again = runtime::decode_state_message(encoded);
  if (!again || again->kind != m->kind || again->round != m->round || again->state_bytes != m->state_bytes ||
      again->chunk_bytes != m->chunk_bytes || again->chunks != m->chunks || again->host_state != m->host_state ||
      again->value != m->value || again->verify != m->verify) {
    defect("a decoded state message does not survive encode and decode");
  }
}

void host_state(std::string_view bytes) {
  std::string why;
  const auto s = runtime::decode_host_state(bytes, &why);
  if (!s) return check_one_line(why, "decode_host_state");
  const auto again = runtime::decode_host_state(runtime::encode_host_state(*s));
  if (!again || again->function_snapshot != s->function_snapshot || again->epoch != s->epoch ||
      again->last_seq_in != s->last_seq_in || again->next_seq != s->next_seq || again->acked_seq != s->acked_seq ||
      again->unacknowledged.size() != s->unacknowledged.size()) {
    defect("a decoded host state does not survive encode and decode");
  }
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
      {"frame", frame},
      {"ack", ack},
      {"state-message", state_message},
      {"host-state", host_state},
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
