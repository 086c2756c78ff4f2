#pragma once
// Encryption of a whole age file from a source to a sink (binary or armored).

#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/age/identity.hpp>
#include <vps/formats/age/io.hpp>

namespace vps::formats::age {

// Errc::usage without recipients or with a scrypt recipient among others.
Status encrypt_to(ByteSource& in, ByteSink& out, const std::vector<const Recipient*>& recipients, bool armor);

}  // namespace vps::formats::age
