#pragma once
// The cluster's certificates for mutual TLS between the orchestrator and the agents: one
// certificate authority per cluster, and one key pair per member signed by it. ECDSA P-256 keys, SHA-256
// signatures, PEM text. `vfo certs` (or `vfo up`) writes them; gRPC reads them.
#include <filesystem>
#include <memory>
#include <optional>
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

// Issues node `name` a key pair from the CA in `dir` (DIR/ca.pem and DIR/ca.key, as above), valid for localhost,
// 127.0.0.1 and the name, and writes what the node needs into `bundle` (made private): ca.pem, <name>.pem,
// <name>.key and data-plane.key, copied from DIR. The folder goes to the node, whose agent is started with
// `--certs BUNDLE`. Throws std::runtime_error naming the path.
void issue_node_certificate(const std::filesystem::path& dir, const std::string& name,
                            const std::filesystem::path& bundle);

// "SHA256:" and the hex SHA-256 of the certificate's DER form: what a revocation list names. Throws
// std::runtime_error when `cert_pem` is no PEM certificate.
std::string certificate_fingerprint(const std::string& cert_pem);

// A cluster's revoked certificates: the file `revoked` in its certificate folder, one line per certificate,
// "FINGERPRINT NAME" (blank lines and lines starting with '#' ignored). `vfo certs DIR --revoke NAME` appends to
// it; whoever checks a peer re-reads it when it changed, so a revocation holds from the next call on, without a
// restart. Thread-safe. A missing file revokes nothing.
class RevocationList {
 public:
  RevocationList() = default;  // revokes nothing
  explicit RevocationList(std::filesystem::path file);
  RevocationList(const RevocationList&) = delete;
  RevocationList& operator=(const RevocationList&) = delete;

  // The name the list gives the certificate `cert_pem` when it is revoked ("" when it names none), else nullopt.
  std::optional<std::string> revoked(const std::string& cert_pem) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  struct State;
  std::filesystem::path file_;
  std::shared_ptr<State> state_;
};

// Appends the certificate DIR/<name>.pem, or else DIR/nodes/<name>/<name>.pem (an issued node's), to DIR/revoked;
// its fingerprint. Throws std::runtime_error when neither exists.
std::string revoke_certificate(const std::filesystem::path& dir, const std::string& name);

}  // namespace vfo::runtime
