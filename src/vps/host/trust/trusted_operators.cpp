#include <vps/host/trust/trusted_operators.hpp>

#include <vps/config/load.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::trust {

namespace {

constexpr std::size_t k_max_operators_file = 1024 * 1024;

}  // namespace

Result<Operators> load_operators(const config::AuthorizedOperators& configured) {
  if (!configured.configured())
    return fail(Errc::config, "no authorized operators configured (top-level authorized_operators in config.yaml)");
  Operators operators;
  if (!configured.file.empty()) {
    auto text = sys::read_text_file(configured.file, k_max_operators_file);
    if (!text) return fail(std::move(text).error().context("authorized_operators"));
    operators = VPS_TRY(formats::openssh::parse_authorized_operators(*text, configured.file.string()));
  } else {
    std::string joined;
    for (const auto& line : configured.lines) joined += line + "\n";
    operators = VPS_TRY(formats::openssh::parse_authorized_operators(joined, "authorized_operators item"));
  }
  if (operators.empty()) {
    return fail(Errc::config, "authorized_operators lists no operator" +
                                  (configured.file.empty() ? std::string() : " ('" + configured.file.string() + "')"));
  }
  return operators;
}

TrustedOperators::TrustedOperators(std::filesystem::path root, std::string config_path, const config::Config& loaded)
    : m_root(std::move(root)), m_config_path(std::move(config_path)), m_current(Operators{}) {
  // Stamped before the caller's read could have changed anything we compare against: a change
  // racing with startup makes the first current() read again, never miss it.
  m_config_stamp = sys::stamp_of(config_file());
  reload(loaded);
}

std::filesystem::path TrustedOperators::config_file() const { return config::config_file(m_root, m_config_path); }

void TrustedOperators::reload(const config::Config& config) {
  m_operators_file = config.authorized_operators.file;
  m_operators_stamp = m_operators_file.empty() ? sys::FileStamp{} : sys::stamp_of(m_operators_file);
  m_current = load_operators(config.authorized_operators);
}

Result<Operators> TrustedOperators::current() {
  const sys::FileStamp config_now = sys::stamp_of(config_file());
  const bool operators_changed = !m_operators_file.empty() && sys::stamp_of(m_operators_file) != m_operators_stamp;
  if (config_now != m_config_stamp || operators_changed) {
    m_config_stamp = config_now;
    auto config = config::load(m_root, m_config_path);
    if (!config) {
      m_operators_file.clear();
      m_current = fail(std::move(config).error().context("re-reading the operator list"));
    } else {
      reload(*config);
    }
  }
  return m_current;
}

}  // namespace vps::host::trust
