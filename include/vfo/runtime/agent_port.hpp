#pragma once
// A port for an agent that is started again on the address it had (`vfo chaos restart`, the soak's node
// restarts): one below the system's ephemeral range (net.ipv4.ip_local_port_range), which the system never
// hands out on its own. An agent on an ephemeral port (port 0) loses it when it dies: the next socket any
// process binds to port 0 (a VF's, say) may get it, and the agent cannot listen there again.
#include <string>

namespace vfo::runtime {

// "HOST:PORT" with a port below the ephemeral range that nothing listened on a moment ago (bound and released
// to check: another process may still take it before the agent does; a caller whose agent cannot listen there
// asks again). Ports are drawn at random from [10000, the range's start). Throws std::runtime_error when none
// is free after 200 tries.
std::string free_agent_address(const std::string& host);

}  // namespace vfo::runtime
