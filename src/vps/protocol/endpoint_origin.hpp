#pragma once
// The name of an enrollment endpoint inside signed objects: the origin a client addresses,
// "<scheme>://<host>:<port>" with the scheme "http" or "https", the host lower-case (a DNS
// name, dotted IPv4, or IPv6 in brackets) and the port always explicit, e.g.
// "https://enroll.example.org:443". Signed requests and publications carry it, so a signature
// made for one endpoint (staging) is worthless at another (production); each endpoint accepts
// only the origins it is configured to be reached at (serve.yaml endpoint_urls).
//
// net/http/url.hpp builds it from a URL (Url::origin()); this is only the grammar, for
// parsers that must refuse anything else.

#include <string_view>

namespace vps::protocol {

inline constexpr std::size_t k_max_endpoint_origin = 300;

bool valid_endpoint_origin(std::string_view origin);

}  // namespace vps::protocol
