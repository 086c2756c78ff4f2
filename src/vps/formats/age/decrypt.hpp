#pragma once
// Decryption of a whole age file from a source to a sink: armor detection, header parsing,
// unwrapping, header MAC, then the STREAM payload. On failure, `failure` (when given) says
// which stage failed; the Error carries the matching Errc (see failure.hpp).

#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/age/failure.hpp>
#include <vps/formats/age/format.hpp>
#include <vps/formats/age/identity.hpp>
#include <vps/formats/age/io.hpp>
#include <vps/formats/age/stream.hpp>

namespace vps::formats::age {

Status decrypt_to(ByteSource& in, ByteSink& out, const std::vector<const Identity*>& identities,
                  const StreamOptions& stream = {}, Failure* failure = nullptr);

// The header's stanzas (armor auto-detected), without decrypting anything.
Result<std::vector<Stanza>> read_stanzas_from(ByteSource& in, Failure* failure = nullptr);

// Finds the file key: identities in order, each looking at every stanza. Errors:
// Errc::malformed (Failure::header) for an invalid stanza, Errc::no_identity (no_match), or
// Errc::unsupported when only post-quantum stanzas could have matched.
Result<FileKey> find_file_key(const std::vector<Stanza>& stanzas, const std::vector<const Identity*>& identities,
                                Failure* failure = nullptr);

}  // namespace vps::formats::age
