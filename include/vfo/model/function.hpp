#pragma once
#include <string>

#include "vfo/model/resources.hpp"

namespace vfo {

// A virtual function (VF) of a chain, as Table 3 of the paper describes it, plus what migration needs.
struct Function {
  std::string name;
  double load_ipf = 0;                // instructions per frame (Table 3's cpu_load)
  double output_bytes_per_frame = 0;  // bytes sent downstream per frame (Table 3's output)
  double ram_bytes = 0;               // resident memory while running
  double state_bytes = 0;             // live state that a live migration copies
  double image_bytes = 0;             // container image that every deployment transfers
  double dirty_rate_bps = 0;          // bytes of state rewritten per second while running

  // Resources the VF takes on a node when the chain runs at `fps` frames per second.
  Resources demand(double fps) const { return Resources{load_ipf * fps, ram_bytes}; }
};

}  // namespace vfo
