#pragma once
// Reading input files and writing result files.
#include <filesystem>
#include <string>
#include <string_view>

namespace vfo {

// The whole content of the regular file at PATH. Throws InputError "PATH: cannot read file (expected EXPECTED)"
// (one line) when PATH is missing, not a regular file, or unreadable.
std::string read_input_file(const std::filesystem::path& path, std::string_view expected);

// Writes TEXT to PATH through PATH.tmp renamed into place, so a reader never sees half a file and a failed write
// leaves an older file whole. Throws std::runtime_error naming the path when it cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

// As write_file_atomically, for a secret (a private key): PATH.tmp is created with mode 0600 before a byte is
// written (never widened, then narrowed), so no other user can read it at any moment.
void write_private_file(const std::filesystem::path& path, std::string_view text);

}  // namespace vfo
