#pragma once
// The data plane's keys (ZeroMQ's CurveZMQ): every frame, ack and state link of a cluster is encrypted, and a
// host takes a connection only from a peer that proves it holds a key it expects.
//
// - The cluster key pair (DIR/data-plane.key beside the TLS certificates, mode 0600): every function host's
//   data and ack sockets serve with it and take only clients presenting it, and every host connects with it.
//   Someone on the machine without the file can neither feed, acknowledge, nor read a chain.
// - A one-time key pair per live migration, made by the orchestrator: the incoming host's state socket takes
//   only a client presenting its public half, which only the named source's agent is given.
// Keys are Z85 text, 40 characters.
#include <filesystem>
#include <string>

namespace vfo::runtime {

struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
  bool empty() const { return public_key.empty(); }
};

// A fresh key pair from libzmq's generator. Throws std::runtime_error when libzmq was built without CURVE.
CurveKeyPair make_curve_key_pair();

// Whether `key` is a Z85 CURVE key (40 characters of Z85's alphabet).
bool is_curve_key(const std::string& key);

// The file holds two lines, "public KEY" and "secret KEY". write creates it with mode 0600 (an existing file
// is replaced, never reopened). read throws std::runtime_error naming the file and what is wrong.
void write_curve_key_pair(const std::filesystem::path& path, const CurveKeyPair& keys);
CurveKeyPair read_curve_key_pair(const std::filesystem::path& path);

// What a function host's sockets demand. Empty `cluster`: no CURVE (a host on its own, in tests).
struct DataPlaneSecurity {
  CurveKeyPair cluster;
  std::string state_peer;  // an incoming host's: the public key its state socket takes (a migration's one-time)
};

}  // namespace vfo::runtime
