#pragma once
// Names that appear in request paths and become database keys. Both grammars exclude '/',
// '%' and a leading '.', so no name can traverse paths or mean two things.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/protocol/bundle_manifest.hpp>
#include <vps/protocol/host_name.hpp>

namespace vps::enroll::routes {

// [a-z0-9][a-z0-9.-]{0,62}: the one grammar the host shares (rebuild requests are signed with it).
using protocol::valid_host_name;
// [A-Za-z0-9][A-Za-z0-9._-]{0,127}: a bundle's name ("db.yaml", "tls_key.age"), signed into
// its manifest.
using protocol::valid_bundle_name;

// "/v1/hosts/web1" -> {"v1", "hosts", "web1"}. nullopt for a query string, a fragment,
// percent-encoding, empty segments ("//", trailing "/"), "." or ".." segments, or more than
// 8 segments: the API has no use for any of them.
std::optional<std::vector<std::string>> split_path(std::string_view target);

}  // namespace vps::enroll::routes
