#pragma once
// The endpoint's name for a host: [a-z0-9][a-z0-9.-]{0,62}. It keys the enrollment store,
// appears in request paths (/v1/hosts/<name>) and is signed into rebuild requests, so the
// endpoint and the host must agree on it exactly: one grammar, here. No '/', '%', upper case
// or leading '.', so a name can neither traverse paths nor mean two things.

#include <string_view>

namespace vps::protocol {

bool valid_host_name(std::string_view name);

}  // namespace vps::protocol
