#pragma once
// Input and output plumbing shared by the age-style commands (vps-agent decrypt, vps-enroll
// encrypt): FILE or stdin in, and output that reaches its name only once complete.

#include <cerrno>
#include <span>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include <vps/base/result.hpp>
#include <vps/formats/age/io.hpp>
#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::cli {

// PATH, or stdin for "" and "-". Errc::missing when absent, Errc::io otherwise.
inline Result<sys::Fd> open_input(const std::string& path) {
  if (path.empty() || path == "-") return sys::Fd(::dup(STDIN_FILENO));
  sys::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    return fail(err == ENOENT ? Errc::missing : Errc::io, "cannot open '" + path + "': " + sys::errno_text(err));
  }
  return fd;
}

// Streams age output into a sys::AtomicFile: a failed run never leaves a partial file behind.
class AtomicFileSink final : public formats::age::ByteSink {
 public:
  explicit AtomicFileSink(sys::AtomicFile& file) : m_file(file) {}
  Status write(std::span<const ByteView> pieces) override {
    for (ByteView piece : pieces) VPS_CHECK(m_file.write(piece));
    return {};
  }

 private:
  sys::AtomicFile& m_file;
};

}  // namespace vps::cli
