#include <vps/enroll/auth/operators.hpp>

#include <vps/sys/fs/file.hpp>

namespace vps::enroll::auth {

bool valid_operator_name(std::string_view name) { return formats::openssh::valid_operator_name(name); }

Result<Operators> Operators::parse(std::string_view text, std::string_view source_name) {
  Operators out;
  out.m_operators = VPS_TRY(formats::openssh::parse_authorized_operators(text, source_name));
  return out;
}

Result<Operators> Operators::load(const std::filesystem::path& path) {
  auto text = sys::read_text_file(path, k_max_operators_file);
  if (!text) return fail(std::move(text).error().context("authorized operators"));
  return parse(*text, path.string());
}

const Operator* Operators::find(const crypto::Ed25519Public& key) const {
  return formats::openssh::find_operator(m_operators, key);
}

}  // namespace vps::enroll::auth
