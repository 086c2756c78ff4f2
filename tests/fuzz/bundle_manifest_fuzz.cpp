// Fuzzes the bundle manifest parser: the host reads manifests from the endpoint, which the threat
// model does not trust. Properties: whatever parses is canonical (printing it gives back the very
// bytes), and the signed form (text, then a NUL, then the base64 signature) never crashes the
// signature check.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <vps/protocol/bundle_manifest.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto parsed = vps::protocol::parse_bundle_manifest(input)) {
    auto text = vps::protocol::canonical_text(*parsed);
    if (!text || *text != input) std::abort();
  }
  const auto split = input.find('\0');
  if (split != std::string_view::npos) {
    if (auto signed_manifest =
            vps::protocol::parse_signed_bundle_manifest(input.substr(0, split), input.substr(split + 1))) {
      (void)vps::protocol::authorize_bundle(*signed_manifest, {});
      (void)vps::protocol::check_bundle_applicable(signed_manifest->manifest, "web1", "SHA256:x", "a.yaml", 0, 0);
      (void)vps::protocol::check_bundle_content(signed_manifest->manifest, input);
    }
  }
  return 0;
}
