#pragma once
// Writing result files.
#include <filesystem>
#include <string_view>

namespace vfo {

// Writes TEXT to PATH through PATH.tmp renamed into place, so a reader never sees half a file and a failed write
// leaves an older file whole. Throws std::runtime_error naming the path when it cannot be written.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace vfo
