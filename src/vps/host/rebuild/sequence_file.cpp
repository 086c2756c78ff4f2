#include <vps/host/rebuild/sequence_file.hpp>

#include <limits>

#include <vps/base/text.hpp>

#include <algorithm>
#include <string>
#include <system_error>

#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::rebuild {

std::filesystem::path sequence_file_path(const config::Config& config) {
  return config.rebuild.state_file.empty() ? config.state_dir / "rebuild-sequence" : config.rebuild.state_file;
}

Result<std::int64_t> load_last_sequence(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::int64_t{0};
  auto text = VPS_TRY(sys::read_text_file(path, 64));
  std::string_view digits = text;
  if (digits.ends_with('\n')) digits.remove_suffix(1);
  auto value = vps::text::parse_decimal(digits, 0, std::numeric_limits<std::int64_t>::max());
  if (!value) return fail(Errc::malformed, "rebuild sequence file '" + path.string() + "' is corrupt; refusing rebuilds");
  return *value;
}

Status store_last_sequence(const std::filesystem::path& path, std::int64_t sequence) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return fail(Errc::io, "creating '" + path.parent_path().string() + "': " + ec.message());
  const std::string text = std::to_string(sequence) + "\n";
  return sys::write_file_atomic(path, as_bytes(text), 0644);
}

}  // namespace vps::host::rebuild
