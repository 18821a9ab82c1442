#pragma once
// A quantity of node resources: CPU in instructions/s and RAM in bytes.

namespace vfo {

struct Resources {
  double cpu_ips = 0;    // instructions per second
  double ram_bytes = 0;  // bytes

  Resources& operator+=(const Resources& o) {
    cpu_ips += o.cpu_ips;
    ram_bytes += o.ram_bytes;
    return *this;
  }
  Resources& operator-=(const Resources& o) {
    cpu_ips -= o.cpu_ips;
    ram_bytes -= o.ram_bytes;
    return *this;
  }
  friend Resources operator+(Resources a, const Resources& b) { return a += b; }
  friend Resources operator-(Resources a, const Resources& b) { return a -= b; }
  // True when every component of *this fits within `capacity`.
  bool fits_within(const Resources& capacity) const {
    return cpu_ips <= capacity.cpu_ips && ram_bytes <= capacity.ram_bytes;
  }
  bool operator==(const Resources&) const = default;
};

}  // namespace vfo
