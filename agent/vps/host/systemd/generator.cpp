#include <vps/host/systemd/generator.hpp>

#include <vps/host/fs/atomic_file.hpp>
#include <vps/host/systemd/units.hpp>

namespace vps::host::systemd {

Result<GeneratorDirs> parse_generator_args(const std::vector<std::string_view>& args) {
  if (args.size() != 1 && args.size() != 3)
    return fail(Errc::usage, "generator: expected 1 or 3 output directories, got " + std::to_string(args.size()));
  for (auto arg : args) {
    if (arg.empty() || arg.front() != '/')
      return fail(Errc::usage, "generator: output directory '" + std::string(arg) + "' is not absolute");
  }
  GeneratorDirs dirs{std::filesystem::path(args[0]), {}, {}};
  dirs.early = args.size() == 3 ? std::filesystem::path(args[1]) : dirs.normal;
  dirs.late = args.size() == 3 ? std::filesystem::path(args[2]) : dirs.normal;
  return dirs;
}

Status write_dropin(const std::filesystem::path& dir, std::string_view unit, std::string_view name,
                    std::string_view content) {
  if (!is_valid_unit_name(unit)) return fail(Errc::config, "generator: invalid unit name '" + std::string(unit) + "'");
  if (name.empty() || name.find('/') != std::string_view::npos || name.front() == '.')
    return fail(Errc::config, "generator: invalid drop-in name '" + std::string(name) + "'");
  auto dropin_dir = dir / (std::string(unit) + ".d");
  std::error_code ec;
  std::filesystem::create_directories(dropin_dir, ec);
  if (ec) return fail(Errc::io, "generator: cannot create '" + dropin_dir.string() + "': " + ec.message());
  return write_file_atomic(dropin_dir / (std::string(name) + ".conf"), as_bytes(content), 0644);
}

}  // namespace vps::host::systemd
