#include <vps/formats/age/format.hpp>

#include <algorithm>

#include <vps/formats/age/primitives.hpp>

namespace vps::formats::age {
namespace {

constexpr std::size_t k_body_bytes_per_line = k_body_columns / 4 * 3;

tl::unexpected<Error> header_error(const std::string& message) {
  return fail(Errc::malformed, "parsing age header: " + message);
}

bool is_valid_arg(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 33 && c <= 126; });
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> parts;
  for (;;) {
    std::size_t sp = line.find(' ');
    parts.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) break;
    line.remove_prefix(sp + 1);
  }
  return parts;
}

void append_line(Bytes& raw, std::string_view line) {
  raw.insert(raw.end(), line.begin(), line.end());
  raw.push_back('\n');
}

Result<Stanza> parse_stanza_line(std::string_view line) {
  auto parts = split_spaces(line);
  if (parts[0] != "->" || parts.size() < 2) return header_error("malformed stanza line");
  Stanza stanza;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (!is_valid_arg(parts[i])) return header_error("malformed stanza line: empty or invalid argument");
    if (i == 1) stanza.type = std::string(parts[i]);
    else stanza.args.emplace_back(parts[i]);
  }
  return stanza;
}

// Body lines up to and including the short final one.
Status read_body(BufferedReader& in, Header& header, Stanza& stanza) {
  for (;;) {
    std::string line = VPS_TRY(in.read_line(k_body_columns, "parsing age header"));
    append_line(header.mac_input, line);
    if (header.mac_input.size() > k_max_header_size) return header_error("header is too large");
    auto bytes = decode_b64(line);
    if (!bytes) return header_error("malformed stanza body: " + bytes.error().message);
    stanza.body.insert(stanza.body.end(), bytes->begin(), bytes->end());
    if (bytes->size() < k_body_bytes_per_line) return {};
  }
}

Status parse_mac_line(std::string_view line, Header& header) {
  auto parts = split_spaces(line);
  if (parts[0] != "---" || parts.size() != 2) return header_error("malformed closing line");
  auto mac = decode_b64(parts[1]);
  if (!mac) return header_error("malformed header MAC: " + mac.error().message);
  if (mac->size() != k_mac_size) return header_error("header MAC is not 32 bytes");
  std::copy(mac->begin(), mac->end(), header.mac.begin());
  return {};
}

}  // namespace

Result<Header> parse_header(BufferedReader& in) {
  Header header;
  auto intro = in.read_line(k_intro.size(), "parsing age header: reading the intro");
  if (!intro) {
    if (intro.error().code != Errc::malformed) return fail(intro.error());
    return header_error("not an age file (no \"age-encryption.org/v1\" intro)");
  }
  if (*intro != k_intro) return header_error("unsupported or invalid intro line");
  append_line(header.mac_input, *intro);
  for (;;) {
    std::string line = VPS_TRY(in.read_line(k_max_header_line, "parsing age header"));
    if (line.starts_with("---")) {
      VPS_CHECK(parse_mac_line(line, header));
      header.mac_input.insert(header.mac_input.end(), {'-', '-', '-'});
      return header;
    }
    if (!line.starts_with("->")) return header_error("unexpected line");
    if (header.stanzas.size() == k_max_stanzas) return header_error("too many stanzas");
    append_line(header.mac_input, line);
    Stanza stanza = VPS_TRY(parse_stanza_line(line));
    VPS_CHECK(read_body(in, header, stanza));
    header.stanzas.push_back(std::move(stanza));
  }
}

Result<std::string> marshal_header_without_mac(const std::vector<Stanza>& stanzas) {
  std::string out(k_intro);
  out += '\n';
  for (const Stanza& s : stanzas) {
    if (!is_valid_arg(s.type)) return fail(Errc::internal, "age stanza has an invalid type");
    out += "-> " + s.type;
    for (const std::string& a : s.args) {
      if (!is_valid_arg(a)) return fail(Errc::internal, "age stanza has an invalid argument");
      out += ' ' + a;
    }
    out += '\n';
    std::string body = encode_b64(s.body);
    for (std::size_t i = 0; i + k_body_columns <= body.size(); i += k_body_columns)
      out.append(body, i, k_body_columns).push_back('\n');
    out.append(body, body.size() - body.size() % k_body_columns).push_back('\n');
  }
  out += "---";
  return out;
}

std::string marshal_mac_line(ByteView mac) { return " " + encode_b64(mac) + "\n"; }

}  // namespace vps::formats::age
