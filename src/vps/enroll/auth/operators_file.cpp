#include <vps/enroll/auth/operators_file.hpp>

#include <vps/base/log.hpp>

namespace vps::enroll::auth {

Result<OperatorsFile> OperatorsFile::open(const std::filesystem::path& path) {
  OperatorsFile file;
  file.m_path = path;
  file.m_stamp = sys::stamp_of(path);
  file.m_operators = std::make_shared<const Operators>(VPS_TRY(Operators::load(path)));
  return file;
}

OperatorsFile OperatorsFile::fixed(Operators operators) {
  OperatorsFile file;
  file.m_operators = std::make_shared<const Operators>(std::move(operators));
  return file;
}

std::shared_ptr<const Operators> OperatorsFile::current() {
  if (m_path.empty()) return m_operators;
  const sys::FileStamp now = sys::stamp_of(m_path);
  if (now == m_stamp) return m_operators;
  m_stamp = now;
  auto loaded = Operators::load(m_path);
  if (!loaded) {
    m_problem = loaded.error().message;
    m_operators = std::make_shared<const Operators>();
    log::error("authorized operators file changed and is unusable; no key is an operator until it is fixed: " +
               m_problem);
    return m_operators;
  }
  m_problem.clear();
  m_operators = std::make_shared<const Operators>(std::move(*loaded));
  log::notice("authorized operators re-read from '" + m_path.string() + "': " +
              std::to_string(m_operators->all().size()) + " operator(s)");
  return m_operators;
}

}  // namespace vps::enroll::auth
