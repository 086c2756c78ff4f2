#pragma once
// Templates embed secrets into configuration files, as sops-nix's `sops.templates` do with
// `config.sops.placeholder.<name>`. Syntax, parsed strictly:
//
//   {{ secret:<name> }}   the bytes of secret <name> (exactly one space inside each brace pair)
//   {{ "{{" }}            a literal "{{"
//
// Every other occurrence of "{{" is an error, so a typo never silently leaves a placeholder in
// a rendered file. A lone "}}" is ordinary text. Parsing takes text, never a path.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::host::secrets {

inline constexpr std::size_t k_max_template_size = 1024 * 1024;

struct TemplatePiece {
  std::string text;    // literal text when `secret` is empty
  std::string secret;  // name of the secret to insert
};

class Template {
 public:
  // Errc::malformed with "line L, column C" on a syntax error; Errc::config for an invalid name.
  static Result<Template> parse(std::string_view content);

  // Secret names referenced, in order of first use.
  std::vector<std::string> references() const;

  using Lookup = std::function<std::optional<ByteView>(std::string_view name)>;
  // Errc::config if a referenced secret is unknown to `lookup`.
  Result<SecretBytes> render(const Lookup& lookup) const;

 private:
  std::vector<TemplatePiece> m_pieces;
};

}  // namespace vps::host::secrets
