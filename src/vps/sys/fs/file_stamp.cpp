#include <vps/sys/fs/file_stamp.hpp>

#include <atomic>
#include <cerrno>

#include <sys/stat.h>

namespace vps::sys {

FileStamp stamp_of(const std::filesystem::path& path) {
  struct stat st {};
  FileStamp stamp;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      static std::atomic<std::int64_t> unique{0};
      stamp.exists = true;  // an error: unequal to every stamp of a readable file
      stamp.size = -1;
      stamp.mtime_ns = --unique;
    }
    return stamp;
  }
  stamp.exists = true;
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  stamp.ctime_ns = std::int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec;
  return stamp;
}

}  // namespace vps::sys
