#include <vps/host/state/replace_file.hpp>

#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <sys/stat.h>

#include <vps/base/hex.hpp>
#include <vps/crypto/random.hpp>
#include <vps/host/fs/fd.hpp>
#include <vps/host/fs/file.hpp>

namespace vps::host::state {

Status replace_file_unsynced(const std::filesystem::path& target, ByteView data, mode_t mode) {
  std::uint8_t rnd[6];
  crypto::random_bytes(rnd);
  auto temp = target;
  temp += ".tmp-" + hex::encode(ByteView(rnd, sizeof rnd));
  host::Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) return fail(Errc::io, "cannot create '" + temp.string() + "': " + host::errno_text(errno));
  auto cleanup = [&](Error error) {
    ::unlink(temp.c_str());
    return fail(std::move(error));
  };
  if (::fchmod(fd.get(), mode) != 0)
    return cleanup(Error{Errc::io, "cannot chmod '" + temp.string() + "': " + host::errno_text(errno)});
  if (auto written = host::write_all(fd.get(), data, temp); !written) return cleanup(std::move(written).error());
  fd.reset();
  if (::rename(temp.c_str(), target.c_str()) != 0)
    return cleanup(Error{Errc::io, "cannot rename '" + temp.string() + "' to '" + target.string() + "': " +
                                       host::errno_text(errno)});
  return {};
}

}  // namespace vps::host::state
