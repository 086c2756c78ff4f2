#include <vps/formats/sops/data_key.hpp>

#include <optional>

#include <vps/base/text.hpp>
#include <vps/formats/age/age.hpp>

namespace vps::formats::sops {

RecipientReport recipients(const Metadata& metadata) {
  RecipientReport report;
  for (const auto& group : metadata.groups) {
    for (const auto& key : group.age) report.age.push_back(key.recipient);
    report.unusable.insert(report.unusable.end(), group.others.begin(), group.others.end());
  }
  return report;
}

Result<SecretBytes> unwrap_data_key(const Metadata& metadata, const std::vector<const age::Identity*>& identities) {
  if (metadata.groups.size() > 1)
    return fail(Errc::unsupported, "sops key groups with Shamir secret sharing (" +
                                       std::to_string(metadata.groups.size()) + " groups) are not supported");
  RecipientReport report = recipients(metadata);
  std::optional<Error> first_error;
  for (const auto& key : metadata.groups.at(0).age) {
    auto opened = age::decrypt(as_bytes(key.enc), identities, nullptr, 1024);
    if (!opened) {
      if (opened.error().code != Errc::no_identity && !first_error)
        first_error = std::move(opened).error().context("opening the data key for " + key.recipient);
      continue;
    }
    if (opened->size() != k_data_key_size)
      return fail(Errc::malformed, "the data key for " + key.recipient + " is not 32 bytes");
    return std::move(*opened);
  }
  if (first_error) return fail(std::move(*first_error));
  if (report.age.empty())
    return fail(Errc::no_identity, "file has no age recipients (present but not usable here: " +
                                       text::join(report.unusable, ", ", "none") + ")");
  return fail(Errc::no_identity, "no identity matched any age recipient of the file (recipients: " + text::join(report.age, ", ", "none") +
                                     (report.unusable.empty() ? "" : "; not usable here: " + text::join(report.unusable, ", ", "none")) + ")");
}

Result<std::vector<AgeKey>> wrap_data_key(ByteView data_key, const std::vector<const age::Recipient*>& recipients) {
  if (recipients.empty()) return fail(Errc::usage, "no age recipients to encrypt the data key to");
  std::vector<AgeKey> keys;
  for (const auto* recipient : recipients) {
    auto armored = age::encrypt(data_key, {recipient}, true);
    if (!armored) return fail(std::move(armored).error().context("wrapping the data key for " + recipient->describe()));
    keys.push_back(AgeKey{recipient->describe(), std::string(armored->begin(), armored->end())});
  }
  return keys;
}

}  // namespace vps::formats::sops
