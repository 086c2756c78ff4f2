#include <vps/formats/sops/flatten.hpp>

#include <vps/base/text.hpp>

#include <algorithm>

namespace vps::formats::sops {
namespace {

constexpr std::string_view k_map = "__map_";
constexpr std::string_view k_list = "__list_";
constexpr std::size_t k_max_index = 1000;

std::string escape_newlines(const SecretString& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void flatten(const Node& node, const std::string& prefix, FlatItems& out) {
  if (node.kind == Kind::mapping) {
    for (const auto& e : node.entries)
      if (!e.is_comment()) flatten(e.value, prefix + (prefix.empty() ? "" : std::string(k_map)) + e.key, out);
  } else if (node.kind == Kind::sequence) {
    std::size_t i = 0;
    for (const auto& item : node.items)
      if (!item.is_comment()) flatten(item, prefix + std::string(k_list) + std::to_string(i++), out);
  } else if (node.kind != Kind::null) {
    out.emplace_back(prefix, escape_newlines(node.text));
  }
}

struct Token {
  bool list;
  std::string key;
  std::size_t index;
};

Result<std::vector<Token>> tokenize(std::string_view path) {
  std::vector<Token> tokens;
  bool list = false;
  std::size_t start = 0;
  auto finish = [&](std::size_t end) -> Status {
    std::string_view text = path.substr(start, end - start);
    if (!list) {
      tokens.push_back(Token{false, std::string(text), 0});
      return {};
    }
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
      return fail(Errc::malformed, "sops metadata: bad list index in '" + std::string(path) + "'");
    const auto index = text::parse_decimal(text, 0, k_max_index);
    if (!index) return fail(Errc::malformed, "sops metadata: list index too large (or with a leading zero)");
    tokens.push_back(Token{true, {}, static_cast<std::size_t>(*index)});
    return {};
  };
  for (std::size_t i = 0; i < path.size();) {
    bool is_map = path.substr(i, k_map.size()) == k_map;
    bool is_list = path.substr(i, k_list.size()) == k_list;
    if (!is_map && !is_list) {
      ++i;
      continue;
    }
    VPS_CHECK(finish(i));
    list = is_list;
    i += is_list ? k_list.size() : k_map.size();
    start = i;
  }
  VPS_CHECK(finish(path.size()));
  return tokens;
}

}  // namespace

FlatItems flatten_metadata(const Node& block) {
  FlatItems out;
  flatten(block, "", out);
  std::sort(out.begin(), out.end());
  return out;
}

Result<Node> unflatten_metadata(const FlatItems& items) {
  Node root = Node::mapping();
  for (const auto& [key, value] : items) {
    auto tokens = VPS_TRY(tokenize(key));
    Node* current = &root;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const Token& t = tokens[i];
      Node* next = nullptr;
      if (!t.list) {
        if (current->kind != Kind::mapping) return fail(Errc::malformed, "sops metadata: conflicting key '" + key + "'");
        next = current->find(t.key);
        if (!next) {
          current->entries.push_back(Entry{t.key, Node()});
          next = &current->entries.back().value;
        }
      } else {
        if (current->kind == Kind::null) *current = Node::sequence();
        if (current->kind != Kind::sequence) return fail(Errc::malformed, "sops metadata: conflicting key '" + key + "'");
        if (current->items.size() <= t.index) current->items.resize(t.index + 1);
        next = &current->items[t.index];
      }
      if (i + 1 == tokens.size()) {
        SecretString text;
        for (std::size_t j = 0; j < value.size(); ++j) {
          if (value[j] == '\\' && j + 1 < value.size() && value[j + 1] == 'n') {
            text += '\n';
            ++j;
          } else {
            text += value[j];
          }
        }
        *next = Node(Kind::string, std::string_view(text.data(), text.size()));
      } else if (next->kind == Kind::null && !tokens[i + 1].list) {
        *next = Node::mapping();
      }
      current = next;
    }
  }
  return root;
}

}  // namespace vps::formats::sops
