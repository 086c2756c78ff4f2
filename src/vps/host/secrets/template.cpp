#include <vps/host/secrets/template.hpp>

#include <algorithm>

#include <vps/host/secrets/names.hpp>

namespace vps::host::secrets {

namespace {

constexpr std::string_view k_open = "{{";
constexpr std::string_view k_secret_prefix = "{{ secret:";
constexpr std::string_view k_close = " }}";
constexpr std::string_view k_literal_open = "{{ \"{{\" }}";

std::string position(std::string_view content, std::size_t offset) {
  auto before = content.substr(0, offset);
  auto line = 1 + std::count(before.begin(), before.end(), '\n');
  auto line_start = before.rfind('\n');
  auto column = offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

tl::unexpected<Error> syntax(std::string_view content, std::size_t offset, std::string_view why) {
  return fail(Errc::malformed, "parsing template: " + position(content, offset) + ": " + std::string(why));
}

}  // namespace

Result<Template> Template::parse(std::string_view content) {
  if (content.size() > k_max_template_size)
    return fail(Errc::malformed, "parsing template: larger than the limit of 1 MiB");
  Template out;
  std::string literal;
  std::size_t i = 0;
  while (i < content.size()) {
    auto open = content.find(k_open, i);
    if (open == std::string_view::npos) {
      literal.append(content.substr(i));
      break;
    }
    literal.append(content.substr(i, open - i));
    auto rest = content.substr(open);
    if (rest.starts_with(k_literal_open)) {
      literal.append(k_open);
      i = open + k_literal_open.size();
      continue;
    }
    if (!rest.starts_with(k_secret_prefix))
      return syntax(content, open, "expected '{{ secret:<name> }}' or '{{ \"{{\" }}'");
    auto name_start = k_secret_prefix.size();
    auto close = rest.find(k_close, name_start);
    auto newline = rest.find('\n', name_start);
    if (close == std::string_view::npos || (newline != std::string_view::npos && newline < close))
      return syntax(content, open, "unterminated placeholder, expected ' }}' on the same line");
    auto name = rest.substr(name_start, close - name_start);
    auto valid = check_name("secret", name);
    if (!valid) return syntax(content, open + name_start, valid.error().message);
    if (!literal.empty()) out.m_pieces.push_back({std::move(literal), {}});
    literal.clear();
    out.m_pieces.push_back({{}, std::string(name)});
    i = open + close + k_close.size();
  }
  if (!literal.empty()) out.m_pieces.push_back({std::move(literal), {}});
  return out;
}

std::vector<std::string> Template::references() const {
  std::vector<std::string> names;
  for (const auto& piece : m_pieces) {
    if (!piece.secret.empty() && std::find(names.begin(), names.end(), piece.secret) == names.end())
      names.push_back(piece.secret);
  }
  return names;
}

Result<SecretBytes> Template::render(const Lookup& lookup) const {
  SecretBytes out;
  std::size_t total = 0;
  for (const auto& piece : m_pieces) {
    if (piece.secret.empty()) {
      total += piece.text.size();
      continue;
    }
    auto value = lookup(piece.secret);
    if (!value) return fail(Errc::config, "template references unknown secret '" + piece.secret + "'");
    total += value->size();
  }
  // Reserve once: growing a SecretBytes wipes each old buffer, but one allocation is simpler.
  out.reserve(total);
  for (const auto& piece : m_pieces) {
    if (piece.secret.empty()) {
      out.insert(out.end(), piece.text.begin(), piece.text.end());
    } else {
      auto value = *lookup(piece.secret);
      out.insert(out.end(), value.begin(), value.end());
    }
  }
  return out;
}

}  // namespace vps::host::secrets
