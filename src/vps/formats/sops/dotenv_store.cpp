#include <vps/formats/sops/dotenv_store.hpp>

#include <set>

namespace vps::formats::sops::dotenv {
namespace {

constexpr std::string_view k_prefix = "sops_";

void replace_all(SecretString& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from.data(), 0, from.size()); at != SecretString::npos;
       at = s.find(from.data(), at + to.size(), from.size()))
    s.replace(at, from.size(), to.data(), to.size());
}

}  // namespace

Result<Parsed> parse(std::string_view text) {
  if (text.size() > k_max_file_size) return fail(Errc::malformed, "parsing dotenv: file larger than 16 MiB");
  Parsed out;
  out.document = Node::mapping();
  std::set<std::string> seen;
  std::size_t number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      out.document.entries.push_back(Entry{"", Node::comment(line.substr(1))});
      continue;
    }
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return fail(Errc::malformed, "parsing dotenv: line " + std::to_string(number) + ": expected KEY=value");
    std::string key(line.substr(0, eq));
    std::string_view raw = line.substr(eq + 1);
    if (key.substr(0, k_prefix.size()) == k_prefix) {
      out.metadata.emplace_back(key.substr(k_prefix.size()), std::string(raw));
      continue;
    }
    if (!seen.insert(key).second)
      return fail(Errc::malformed, "parsing dotenv: line " + std::to_string(number) + ": duplicate key '" + key + "'");
    SecretString value(raw.begin(), raw.end());
    replace_all(value, "\\n", "\n");
    out.document.entries.push_back(Entry{std::move(key), Node(Kind::string, std::string_view(value.data(), value.size()))});
  }
  return out;
}

Result<SecretString> emit(const Document& document, const FlatItems& metadata) {
  SecretString out;
  for (const auto& entry : document.entries) {
    if (entry.is_comment()) {
      out += '#';
      out.append(entry.value.text.begin(), entry.value.text.end());
      out += '\n';
      continue;
    }
    if (!entry.value.is_scalar())
      return fail(Errc::malformed, "dotenv cannot hold the nested value at '" + entry.key + "'");
    SecretString value = entry.value.kind == Kind::boolean ? SecretString(entry.value.text == "true" ? "True" : "False")
                                                           : entry.value.text;
    replace_all(value, "\n", "\\n");
    out.append(entry.key.begin(), entry.key.end());
    out += '=';
    out.append(value.begin(), value.end());
    out += '\n';
  }
  for (const auto& [key, value] : metadata) {
    out.append(k_prefix.begin(), k_prefix.end());
    out.append(key.begin(), key.end());
    out += '=';
    out.append(value.begin(), value.end());
    out += '\n';
  }
  return out;
}

}  // namespace vps::formats::sops::dotenv
