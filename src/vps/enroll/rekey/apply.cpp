#include <vps/enroll/rekey/apply.hpp>
#include <vps/enroll/rekey/io.hpp>

#include <algorithm>
#include <optional>


#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/sops.hpp>
#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::enroll::rekey {
namespace {

namespace fs = std::filesystem;
namespace age = vps::formats::age;
namespace sops = vps::formats::sops;

constexpr int k_max_parent_levels = 128;

struct Loaded {
  fs::path path;
  FileInput input;
  std::string text;  // the file's bytes
};




// found_in_directory: a file that is neither sops nor age is skipped (out.input.path empty and
// skip_reason set) instead of refused.
Result<Loaded> load_file(const fs::path& path, const fs::path& config_dir, bool found_in_directory,
                         std::string* skip_reason) {
  Loaded out;
  out.path = path;
  out.input.path = path.string();
  out.input.relative = relative_to(path, config_dir);
  auto bytes = VPS_TRY(sys::read_file(path, k_max_rekey_file_size));
  out.text.assign(bytes.begin(), bytes.end());
  if (found_in_directory) {
    if (auto reason = not_encrypted(path, out.text)) {
      *skip_reason = *reason;
      return out;
    }
  }
  if (is_age_file(path)) {
    out.input.kind = FileKind::age;
    return out;
  }
  auto file = sops::load(out.text, sops::format_for_path(path.string()));
  if (!file) return fail(file.error().context(path.string()));
  if (file->metadata.uses_key_groups)
    return fail(Errc::unsupported, path.string() + ": sops key_groups (Shamir) files are not supported by rekey");
  std::vector<std::string> current;
  for (const auto& group : file->metadata.groups)
    for (const auto& key : group.age) current.push_back(key.recipient);
  out.input.current = std::move(current);
  return out;
}




Result<std::string> new_content(const Loaded& file, const FilePlan& plan, const age::IdentityList& identities) {
  std::vector<std::unique_ptr<age::Recipient>> recipients;
  for (const std::string& r : plan.target) {
    auto parsed = age::parse_recipient(r);
    if (!parsed) return fail(parsed.error().context(".sops.yaml recipient"));
    recipients.push_back(std::move(*parsed));
  }
  const auto rs = age::pointers(recipients);
  const auto ids = age::pointers(identities);
  if (file.input.kind == FileKind::sops) {
    auto out = sops::rewrap(file.text, sops::format_for_path(file.path.string()), rs, ids);
    if (!out) return fail(out.error().context(file.input.path));
    return *out;
  }
  auto plain = age::decrypt(as_bytes(file.text), ids, nullptr, k_max_rekey_file_size);
  if (!plain) return fail(plain.error().context(file.input.path));
  const bool armor = file.text.starts_with(k_age_armor_begin);
  auto cipher = age::encrypt(ByteView(plain->data(), plain->size()), rs, armor);
  if (!cipher) return fail(cipher.error().context(file.input.path));
  return std::string(cipher->begin(), cipher->end());
}



}  // namespace

Result<fs::path> find_sops_config(const fs::path& start) {
  fs::path dir = fs::absolute(start);
  for (int i = 0; i < k_max_parent_levels; ++i) {
    if (fs::exists(dir / ".sops.yaml")) return dir / ".sops.yaml";
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  return fail(Errc::missing, "no .sops.yaml found in " + fs::absolute(start).string() + " or its parents; use --config-file");
}

Result<RekeyReport> prepare(const RekeyOptions& options) {
  if (options.files.empty()) return fail(Errc::usage, "rekey: no files given");
  RekeyReport report;
  report.config_file = options.config_file.empty() ? VPS_TRY(find_sops_config(fs::current_path())) : options.config_file;
  const std::string config = VPS_TRY(sys::read_text_file(report.config_file, k_max_config_size));
  const fs::path config_dir = fs::absolute(report.config_file).parent_path();
  auto parsed = parse_sops_config(config);
  if (!parsed) return fail(parsed.error().context(report.config_file.string()));

  // The files: named ones as given, directories walked for what a rule matches (as sops
  // matches path_regex: against the path relative to the .sops.yaml directory).
  std::vector<Loaded> files;
  std::vector<FileInput> inputs;
  for (const auto& candidate : VPS_TRY(gather_files(*parsed, report.config_file, options.files))) {
    std::string skip;
    Loaded loaded = VPS_TRY(load_file(candidate.path, config_dir, candidate.walked, &skip));
    if (!skip.empty()) {
      report.skipped.push_back({candidate.path.string(), skip});
      continue;
    }
    inputs.push_back(loaded.input);
    files.push_back(std::move(loaded));
  }
  if (files.empty())
    return fail(Errc::missing, "rekey: no sops or age file under a creation rule of " + report.config_file.string() +
                                   " in the given directories");
  auto plan = make_plan(config, options.recipient, inputs, options.name_hint);
  if (!plan) return fail(plan.error().context(report.config_file.string()));
  report.plan = std::move(*plan);
  if (options.dry_run) return report;

  const auto identities = VPS_TRY(load_identities(options.identity_files));
  for (std::size_t i = 0; i < files.size(); ++i) {
    const FilePlan& fp = report.plan.files[i];
    // As `sops updatekeys`: a sops file already keyed for its rule is left alone.
    if (fp.input.kind == FileKind::sops && !fp.changed()) continue;
    std::string content = VPS_TRY(new_content(files[i], fp, identities));
    report.contents.push_back({i, NewContent{files[i].path, std::move(files[i].text), std::move(content)}});
  }
  if (report.plan.config_changed)
    report.contents.push_back({files.size(), NewContent{report.config_file, config, report.plan.config_text}});
  return report;
}

Status write(RekeyReport& report) {
  for (std::size_t i = 0; i < report.contents.size(); ++i) {
    const NewContent& c = report.contents[i].second;
    auto st = write_keeping_mode(c.path, c.content);
    if (st) continue;
    // Put back what was already written; a file that cannot be restored is named.
    std::string unrestored;
    for (std::size_t j = 0; j < i; ++j) {
      const NewContent& done = report.contents[j].second;
      if (!write_keeping_mode(done.path, done.original)) unrestored += " " + done.path.string();
    }
    if (!unrestored.empty())
      return fail(st.error().context("rekey: could not restore" + unrestored + " after a failed write"));
    return fail(st.error().context("rekey (every file left as it was)"));
  }
  report.written = true;
  return {};
}

Result<RekeyReport> rekey(const RekeyOptions& options) {
  RekeyReport report = VPS_TRY(prepare(options));
  if (!options.dry_run) VPS_CHECK(write(report));
  return report;
}

}  // namespace vps::enroll::rekey
