#pragma once
// Unit conversions. Internally vfo uses SI base units: seconds, bytes, bytes/s, instructions/s.

namespace vfo::units {

constexpr double kMbpsToBytesPerSecond = 1e6 / 8.0;
constexpr double kMegabyte = 1e6;
constexpr double kSecondsPerHour = 3600.0;

constexpr double mbps_to_bytes_per_second(double mbps) {
  return mbps * kMbpsToBytesPerSecond;
}
constexpr double bytes_per_second_to_mbps(double bps) {
  return bps / kMbpsToBytesPerSecond;
}
constexpr double megabytes(double mb) {
  return mb * kMegabyte;
}
constexpr double milliseconds(double ms) {
  return ms / 1000.0;
}

}  // namespace vfo::units
