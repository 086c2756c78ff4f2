#pragma once
// Small, bounded file helpers. Reading is capped so a hostile or corrupt file cannot make us
// allocate without limit; errors name the path and the errno text.

#include <filesystem>
#include <string>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::sys {

inline constexpr std::size_t k_default_read_limit = 64 * 1024 * 1024;

// Errc::missing if absent, Errc::io on other errors, Errc::malformed if larger than max_size.
Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size = k_default_read_limit);
Result<SecretBytes> read_secret_file(const std::filesystem::path& path,
                                     std::size_t max_size = k_default_read_limit);
Result<std::string> read_text_file(const std::filesystem::path& path,
                                   std::size_t max_size = k_default_read_limit);

// Writes everything, retrying on EINTR and short writes.
Status write_all(int fd, ByteView data, const std::filesystem::path& what);

// fsync a directory so a rename or unlink inside it is durable.
Status fsync_directory(const std::filesystem::path& dir);

std::string errno_text(int err);

}  // namespace vps::sys
