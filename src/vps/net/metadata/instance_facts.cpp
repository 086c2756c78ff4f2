#include <vps/net/metadata/instance_facts.hpp>

#include <algorithm>

#include <vps/base/text.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/net/metadata/user_data.hpp>

namespace vps::net::metadata {

namespace {

Result<InstanceFacts> from_metadata(const MetadataOptions& options) {
  auto client = VPS_TRY(MetadataClient::create(options));
  VPS_CHECK(client.authenticate());
  InstanceFacts facts;
  facts.source = "metadata";
  facts.instance_id = VPS_TRY(client.instance_id());
  auto user_data = VPS_TRY(client.user_data());
  if (user_data) {
    auto hints = VPS_TRY(parse_enrollment_hints(*user_data));
    facts.token = std::move(hints.token);
    facts.endpoint = std::move(hints.endpoint);
  }
  return facts;
}

}  // namespace

Result<std::string> read_dmi_serial(const std::filesystem::path& path) {
  auto text = VPS_TRY(sys::read_text_file(path, 4096));
  std::string_view line = text;
  line = line.substr(0, line.find('\n'));
  line = vps::text::trim(line, " \t\r");
  if (line.empty()) return fail(Errc::missing, "DMI serial number in '" + path.string() + "' is empty");
  const bool ok = line.size() <= 64 && std::all_of(line.begin(), line.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '_' || c == '-';
                  });
  if (!ok) return fail(Errc::malformed, "DMI serial number in '" + path.string() + "' is not a plain identifier");
  return std::string(line);
}

Result<InstanceFacts> discover(const DiscoveryOptions& options, const std::function<void(const std::string&)>& warn) {
  if (options.metadata_enabled) {
    auto facts = from_metadata(options.metadata);
    if (facts) {
      if (options.require_token && !facts->token) {
        return fail(Errc::config, "require_token is set but the instance's user-data has no enrollment token");
      }
      return facts;
    }
    // A bad base URL is a configuration error, not an outage: do not paper over it.
    if (facts.error().code == Errc::config) return fail(std::move(facts).error());
    if (options.require_token) {
      return fail(Errc::retry, "enrollment token required but " + facts.error().message);
    }
    warn(facts.error().message + "; falling back to DMI for the instance id, without a token");
  } else if (options.require_token) {
    return fail(Errc::config, "require_token is set but the metadata service is disabled");
  }
  InstanceFacts facts;
  facts.source = "dmi";
  auto serial = read_dmi_serial(options.dmi_path);
  if (!serial) return fail(std::move(serial).error().context("no instance id"));
  facts.instance_id = std::move(*serial);
  return facts;
}

}  // namespace vps::net::metadata
