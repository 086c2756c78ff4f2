#include <vps/formats/sops/tree.hpp>

#include <sodium.h>

namespace vps::formats::sops {

Node::Node(Kind k, std::string_view t) : kind(k), text(t.begin(), t.end()) {}
Node Node::mapping() { return Node(Kind::mapping, {}); }
Node Node::sequence() { return Node(Kind::sequence, {}); }
Node Node::comment(std::string_view t) { return Node(Kind::comment, t); }
Node Node::string(std::string_view t) { return Node(Kind::string, t); }

Node::~Node() {
  // capacity() covers the whole buffer, so moved-from short strings are wiped as well.
  if (text.capacity() > 0) sodium_memzero(text.data(), text.capacity());
}

const Node* Node::find(std::string_view key) const {
  if (kind != Kind::mapping) return nullptr;
  for (const auto& entry : entries)
    if (!entry.is_comment() && entry.key == key) return &entry.value;
  return nullptr;
}

Node* Node::find(std::string_view key) {
  return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::null: return "null";
    case Kind::string: return "string";
    case Kind::integer: return "integer";
    case Kind::floating: return "float";
    case Kind::boolean: return "boolean";
    case Kind::bytes: return "bytes";
    case Kind::comment: return "comment";
    case Kind::mapping: return "mapping";
    case Kind::sequence: return "sequence";
  }
  return "unknown";
}

}  // namespace vps::formats::sops
