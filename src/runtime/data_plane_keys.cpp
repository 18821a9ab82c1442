#include "vfo/runtime/data_plane_keys.hpp"

#include <zmq.h>

#include <sstream>
#include <stdexcept>

#include "vfo/util/file_io.hpp"

namespace vfo::runtime {

CurveKeyPair make_curve_key_pair() {
  char public_key[41] = {};
  char secret_key[41] = {};
  if (zmq_has("curve") == 0 || zmq_curve_keypair(public_key, secret_key) != 0) {
    throw std::runtime_error("data plane: this libzmq has no CURVE security (install a libzmq built with libsodium)");
  }
  return {public_key, secret_key};
}

bool is_curve_key(const std::string& key) {
  if (key.size() != 40) return false;
  unsigned char binary[32];
  return zmq_z85_decode(binary, key.c_str()) != nullptr;
}

void write_curve_key_pair(const std::filesystem::path& path, const CurveKeyPair& keys) {
  write_private_file(path, "public " + keys.public_key + "\nsecret " + keys.secret_key + "\n");
}

CurveKeyPair read_curve_key_pair(const std::filesystem::path& path) {
  std::istringstream in(read_input_file(path, "the cluster's data-plane key pair, as vfo certs writes it"));
  CurveKeyPair keys;
  std::string label, key;
  for (int line = 1; line <= 2; ++line) {
    const char* want = line == 1 ? "public" : "secret";
    if (!(in >> label >> key) || label != want || !is_curve_key(key)) {
      throw std::runtime_error(path.string() + ":" + std::to_string(line) + ": expected '" + want +
                               " KEY' (KEY: 40 characters of Z85)");
    }
    (line == 1 ? keys.public_key : keys.secret_key) = key;
  }
  char derived[41] = {};
  if (zmq_curve_public(derived, keys.secret_key.c_str()) != 0 || keys.public_key != derived) {
    throw std::runtime_error(path.string() + ":2: the secret key is not the public key's");
  }
  return keys;
}

}  // namespace vfo::runtime
