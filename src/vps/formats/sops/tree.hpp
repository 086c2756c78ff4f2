#pragma once
// The sops document tree: ordered mappings and sequences of typed scalars, with comments kept
// in place (they take part in encryption and rendering, never in the MAC). Mirrors sops'
// TreeBranch/TreeItem: a comment in a mapping is an entry without a key, in a sequence an item.
// Scalar text is plaintext (or ciphertext) and lives in wiping storage.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/bytes.hpp>

namespace vps::formats::sops {

using SecretString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

inline constexpr std::size_t k_max_depth = 64;                  // nesting of mappings/sequences
inline constexpr std::size_t k_max_file_size = 16 * 1024 * 1024;  // encrypted or plaintext input

enum class Kind : std::uint8_t { null, string, integer, floating, boolean, bytes, comment, mapping, sequence };

struct Entry;

// One value. Scalars keep a canonical text: integer "-12"; floating as sops hashes it (Go
// FormatFloat 'f' shortest, "+Inf", "NaN"); boolean "true"/"false"; string/bytes/comment verbatim.
struct Node {
  Kind kind = Kind::null;
  SecretString text;
  std::vector<Entry> entries;  // Kind::mapping
  std::vector<Node> items;     // Kind::sequence

  Node() = default;
  Node(Kind k, std::string_view t);
  Node(const Node&) = default;
  Node(Node&&) noexcept = default;
  Node& operator=(const Node&) = default;
  Node& operator=(Node&&) noexcept = default;
  ~Node();  // wipes text, including a short-string buffer the allocator never sees

  // Defined out of line: Entry is incomplete here.
  static Node mapping();
  static Node sequence();
  static Node comment(std::string_view t);
  static Node string(std::string_view t);

  bool is_scalar() const { return kind != Kind::mapping && kind != Kind::sequence; }
  bool is_comment() const { return kind == Kind::comment; }

  // Mapping lookup by key (comments skipped); nullptr when absent or not a mapping.
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
};

// A mapping entry; a comment entry has an empty key and value.kind == Kind::comment.
struct Entry {
  std::string key;
  Node value;
  bool is_comment() const { return value.kind == Kind::comment; }
};

// A document is a top-level mapping; YAML files may hold several (sops "branches").
using Document = Node;

std::string_view kind_name(Kind kind);

}  // namespace vps::formats::sops
