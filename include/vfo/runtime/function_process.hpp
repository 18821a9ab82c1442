#pragma once
// The `vfo-function` process: one built-in VF in a function host, driven by its parent (the agent) over
// stdin and stdout, one JSON object per line. The control surface is the parent's pipes only: nothing on the
// network can give it orders.
//
//   vfo-function KIND [--fps F] [--payload-bytes N] [--instructions N] [--state-bytes N] [--dirty-bytes N]
//                [--bind ADDRESS] [--incoming] [--keys-from-stdin]
//                                                       KIND: source | compute | sink (nothing else runs)
//   with --keys-from-stdin, the first line in: {"public":KEY,"secret":KEY,"state_peer":KEY or ""}, the data
//                   plane's CURVE keys (vfo/runtime/data_plane_keys.hpp), read before the sockets are bound
//   first line out: {"ready":true,"kind":K,"pid":P,"data":ENDPOINT,"ack":ENDPOINT,"state":ENDPOINT}
//                   (state: the live-migration endpoint of an --incoming host, else "")
//   in: {"cmd":"rewire","epoch":E,"downstream":ENDPOINT,"upstream_ack":ENDPOINT}  out: {"ok":true}
//   in: {"cmd":"migrate","target":STATE_ENDPOINT,"max_rounds":N,"threshold_bytes":B,"verify":V,"timeout_s":S,
//        "key_public":KEY,"key_secret":KEY}  (the key: the migration's one-time pair, optional)
//        out: {"ok":true} at once; the live migration (vfo/runtime/live_migration.hpp) runs on meanwhile
//   in: {"cmd":"migration"}  out: {"done":false} while it runs, then its report as JSON with "done":true
//   in: {"cmd":"stats"}   out: the host's counters (and, for a sink, frames, last_seq, out_of_order, latency and
//                         arrivals_ns: the arrival times of its last frames, SinkStats::arrivals_ns)
//   in: {"cmd":"stop"}    exits 0; so does the end of stdin (the parent is gone)
//   a line that is not such a command gets {"error":"..."} and changes nothing.
// Bad flags: one line on stderr and exit code 2.
#include <iosfwd>
#include <memory>
#include <string>

#include "vfo/runtime/builtin_functions.hpp"
#include "vfo/runtime/virtual_function.hpp"

namespace vfo::runtime {

int run_function_process(int argc, char** argv);

// What a host process is told by its agent besides its VF: vfo-function's flags of the same names (the SDK's
// hosts read them from the environment, vfo/sdk/vfo_sdk.h).
struct HostProcessOptions {
  double fps = 15;
  std::string bind = "127.0.0.1";
  bool incoming = false;
  bool keys_from_stdin = false;
};

// Serves `vf` in a function host driven over `in` and `out` by the protocol above (the keys line, the ready line,
// the commands), until a stop or the end of `in`; `program` names it in its messages on stderr. Returns the exit
// code: 0, 1 if the host cannot bind, 2 for a bad keys line. A sink's stats carry `sink_record`'s (when given).
int serve_function_host(std::shared_ptr<VirtualFunction> vf, const HostProcessOptions& options, std::istream& in,
                        std::ostream& out, const std::string& program, const SinkFunction* sink_record);

}  // namespace vfo::runtime
