#pragma once
// The cluster's certificates for mutual TLS between the orchestrator and the agents: one
// certificate authority per cluster, and one key pair per member signed by it. ECDSA P-256 keys, SHA-256
// signatures, PEM text. `vfo certs` (or `vfo up`) writes them; gRPC reads them.
#include <filesystem>
#include <string>
#include <vector>

namespace vfo::runtime {

struct KeyPair {
  std::string key_pem;
  std::string cert_pem;
};

// A self-signed CA certificate (basicConstraints CA:TRUE) named `common_name`, valid for `days`.
KeyPair make_certificate_authority(const std::string& common_name, int days = 365);

// A certificate for `common_name` signed by `ca`, for both TLS server and client use, with the subject
// alternative names `dns_names` (e.g. "localhost") and `ip_addresses` (e.g. "127.0.0.1").
KeyPair make_member_certificate(const KeyPair& ca, const std::string& common_name,
                                const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                                int days = 365);

// Writes DIR/ca.pem, DIR/ca.key and, for each name, DIR/<name>.pem and DIR/<name>.key, every member
// certificate valid for localhost and 127.0.0.1, and the data plane's key pair DIR/data-plane.key
// (vfo/runtime/data_plane_keys.hpp). DIR is made private (0700) first and keys are created 0600. Throws
// std::runtime_error naming the path.
void write_cluster_certificates(const std::filesystem::path& dir, const std::vector<std::string>& names);

}  // namespace vfo::runtime
