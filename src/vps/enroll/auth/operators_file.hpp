#pragma once
// The endpoint's authorized-operators file as the running server sees it NOW: a stat on every
// request (host/fs/file_stamp.hpp) tells whether the file changed, and a changed file is read
// at once, so an operator removed from the file is refused from the next request on, without
// a restart or reload (and an operator added can act at once).
//
// Fail closed: when the changed file cannot be read or parsed, the list is empty (nobody is an
// operator) and problem() says why; it is logged once per change. Hosts are unaffected.

#include <filesystem>
#include <memory>
#include <string>

#include <vps/enroll/auth/operators.hpp>
#include <vps/sys/fs/file_stamp.hpp>

namespace vps::enroll::auth {

class OperatorsFile {
 public:
  // Reads the file now; its error (Errc::missing, Errc::config) when it is unusable at start.
  static Result<OperatorsFile> open(const std::filesystem::path& path);
  // A fixed list that is never re-read (tests, embedded use).
  static OperatorsFile fixed(Operators operators);

  // The current list (re-read when the file changed); never null.
  std::shared_ptr<const Operators> current();
  // Why the current list is empty, after a change made the file unusable; "" otherwise.
  const std::string& problem() const { return m_problem; }

 private:
  OperatorsFile() = default;
  std::filesystem::path m_path;  // empty: fixed
  sys::FileStamp m_stamp;
  std::shared_ptr<const Operators> m_operators;
  std::string m_problem;
};

}  // namespace vps::enroll::auth
