#include "vfo/runtime/certificates.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "vfo/runtime/data_plane_keys.hpp"
#include "vfo/util/file_io.hpp"

namespace vfo::runtime {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("certificates: " + what);
}

KeyPtr new_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate an EC P-256 key");
  return key;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) fail("cannot write a key");
  return bio_text(bio.get());
}

std::string cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) fail("cannot write a certificate");
  return bio_text(bio.get());
}

KeyPtr read_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail("cannot read the CA key");
  return key;
}

CertPtr read_cert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("cannot read the CA certificate");
  return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) fail("cannot make extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

CertPtr new_cert(EVP_PKEY* key, const std::string& common_name, int days) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("vfo cluster"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  return cert;
}

void write_text(const std::filesystem::path& path, const std::string& text, bool secret) {
  try {
    if (secret) {
      write_private_file(path, text);
    } else {
      write_file_atomically(path, text);
    }
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

// Makes `dir` (and its parents) and makes it its owner's only, before any key is in it.
void make_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) fail("cannot make " + dir.string() + " private: " + ec.message());
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

KeyPair make_certificate_authority(const std::string& common_name, int days) {
  KeyPtr key = new_key();
  CertPtr cert = new_cert(key.get(), common_name, days);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("cannot sign the CA certificate");
  return {key_pem(key.get()), cert_pem(cert.get())};
}

KeyPair make_member_certificate(const KeyPair& ca, const std::string& common_name,
                                const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                                int days) {
  KeyPtr ca_key = read_key(ca.key_pem);
  CertPtr ca_cert = read_cert(ca.cert_pem);
  KeyPtr key = new_key();
  CertPtr cert = new_cert(key.get(), common_name, days);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyAgreement");
  add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  std::string sans;
  for (const std::string& d : dns_names) sans += (sans.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const std::string& ip : ip_addresses) sans += (sans.empty() ? "" : ",") + std::string("IP:") + ip;
  if (!sans.empty()) add_extension(cert.get(), ca_cert.get(), NID_subject_alt_name, sans);
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) fail("cannot sign the certificate of " + common_name);
  return {key_pem(key.get()), cert_pem(cert.get())};
}

void write_cluster_certificates(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  make_private_dir(dir);
  const KeyPair ca = make_certificate_authority("vfo cluster CA");
  write_text(dir / "ca.pem", ca.cert_pem, false);
  write_text(dir / "ca.key", ca.key_pem, true);
  for (const std::string& name : names) {
    const KeyPair member = make_member_certificate(ca, name, {"localhost", name}, {"127.0.0.1"});
    write_text(dir / (name + ".pem"), member.cert_pem, false);
    write_text(dir / (name + ".key"), member.key_pem, true);
  }
  write_curve_key_pair(dir / "data-plane.key", make_curve_key_pair());
}

void issue_node_certificate(const std::filesystem::path& dir, const std::string& name,
                            const std::filesystem::path& bundle) {
  const KeyPair ca{read_text_file(dir / "ca.key"), read_text_file(dir / "ca.pem")};
  const std::string plane = read_text_file(dir / "data-plane.key");
  const KeyPair member = make_member_certificate(ca, name, {"localhost", name}, {"127.0.0.1"});
  make_private_dir(bundle);
  write_text(bundle / "ca.pem", ca.cert_pem, false);
  write_text(bundle / (name + ".pem"), member.cert_pem, false);
  write_text(bundle / (name + ".key"), member.key_pem, true);
  write_text(bundle / "data-plane.key", plane, true);
}

std::string certificate_fingerprint(const std::string& cert_pem) {
  BioPtr bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("not a PEM certificate");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert.get(), EVP_sha256(), digest, &size) == 0) fail("cannot digest a certificate");
  std::string out = "SHA256:";
  for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

struct RevocationList::State {
  std::mutex mutex;
  std::filesystem::file_time_type read_at{};  // the file's mtime when it was read
  std::uintmax_t read_size = 0;
  bool present = false;
  std::map<std::string, std::string> names;   // by fingerprint
  std::map<std::string, std::string> by_pem;  // fingerprints computed so far, by certificate
};

RevocationList::RevocationList(std::filesystem::path file)
    : file_(std::move(file)), state_(std::make_shared<State>()) {}

std::optional<std::string> RevocationList::revoked(const std::string& cert_pem) const {
  if (!state_) return std::nullopt;
  State& s = *state_;
  std::lock_guard lock(s.mutex);
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(file_, ec);
  const bool present = !ec;
  const std::uintmax_t size = present ? std::filesystem::file_size(file_, ec) : 0;
  if (present != s.present || (present && (mtime != s.read_at || size != s.read_size))) {
    s.names.clear();
    std::ifstream in(file_);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string fingerprint, name;
      fields >> fingerprint >> name;
      if (!fingerprint.empty()) s.names[fingerprint] = name;
    }
    s.present = present;
    s.read_at = mtime;
    s.read_size = size;
  }
  if (s.names.empty()) return std::nullopt;
  auto known = s.by_pem.find(cert_pem);
  if (known == s.by_pem.end()) {
    std::string fingerprint;
    try {
      fingerprint = certificate_fingerprint(cert_pem);
    } catch (const std::runtime_error&) {
      return std::nullopt;  // no certificate: the TLS handshake has checked what there is
    }
    if (s.by_pem.size() > 1024) s.by_pem.clear();
    known = s.by_pem.emplace(cert_pem, fingerprint).first;
  }
  const auto it = s.names.find(known->second);
  if (it == s.names.end()) return std::nullopt;
  return it->second;
}

std::string revoke_certificate(const std::filesystem::path& dir, const std::string& name) {
  std::filesystem::path cert = dir / (name + ".pem");
  if (!std::filesystem::exists(cert)) cert = dir / "nodes" / name / (name + ".pem");
  if (!std::filesystem::exists(cert)) {
    fail("no certificate of " + name + " in " + dir.string() + " (neither " + name + ".pem nor nodes/" + name + "/)");
  }
  const std::string fingerprint = certificate_fingerprint(read_text_file(cert));
  std::ofstream out(dir / "revoked", std::ios::app);
  out << fingerprint << ' ' << name << '\n';
  out.flush();
  if (!out) fail("cannot write " + (dir / "revoked").string());
  return fingerprint;
}

}  // namespace vfo::runtime
