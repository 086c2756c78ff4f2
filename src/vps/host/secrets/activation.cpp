#include <vps/host/secrets/activation.hpp>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/base/log.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/sys/fs/root_directory.hpp>
#include <vps/host/mounts/generations.hpp>
#include <vps/host/mounts/memory_fs.hpp>
#include <vps/host/secrets/changes.hpp>
#include <vps/host/secrets/credentials.hpp>
#include <vps/host/secrets/names.hpp>
#include <vps/host/secrets/ownership.hpp>
#include <vps/host/secrets/template.hpp>
#include <vps/host/secrets/writer.hpp>

namespace vps::host::secrets {

namespace {

namespace fs = std::filesystem;

// One file of the new generation, validated and ready to write.
struct PlannedFile {
  std::string relative;  // "<name>" or "rendered/<name>"
  ByteView data;         // into a Material's plaintext or Plan::rendered
  sys::FileOwner owner{};
  mode_t mode = 0400;
  std::optional<fs::path> link_path;
  const std::vector<std::string>* restart_units = nullptr;
  const std::vector<std::string>* reload_units = nullptr;
};

struct Plan {
  std::vector<SecretBytes> rendered;  // owns template renderings; wiped on destruction
  std::vector<PlannedFile> files;
};

Status check_mode(std::string_view kind, std::string_view name, mode_t mode) {
  if ((mode & ~static_cast<mode_t>(0777)) == 0) return {};
  return fail(Errc::config, std::string(kind) + " '" + std::string(name) +
                                "': mode may only hold permission bits (0000-0777), not set-id or sticky bits");
}

// Why a link's directory is refused, with what to do about it.
Error untrusted_link_directory(std::string_view name, const fs::path& path, const Error& why) {
  return Error{why.code, "secret '" + std::string(name) + "': path '" + path.string() + "': " + why.message +
                             "; links are only made in directories that only root can change (choose another path, "
                             "or make every directory on it root's and not writable by group or others)"};
}

// A custom path must be absolute, in directories only root can change, and either absent or
// already a symlink: we never replace a real file or directory someone else put there.
Status check_link_path(std::string_view name, const fs::path& path) {
  if (!path.is_absolute() || path.filename().empty())
    return fail(Errc::config, "secret '" + std::string(name) + "': path '" + path.string() + "' must be an absolute file path");
  if (auto trusted = sys::check_root_directory(path.parent_path()); !trusted)
    return fail(untrusted_link_directory(name, path, trusted.error()));
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISLNK(st.st_mode))
    return fail(Errc::config, "secret '" + std::string(name) + "': path '" + path.string() +
                                  "' exists and is not a symlink; refusing to replace it");
  return {};
}

// resolve_owner goes through NSS (reads /etc/passwd and /etc/group) on every call; thousands
// of secrets usually share a handful of owners, so each pair is resolved once per activation.
class OwnerCache {
 public:
  Result<sys::FileOwner> resolve(const std::string& owner, const std::string& group) {
    auto key = std::make_pair(owner, group);
    if (auto it = m_resolved.find(key); it != m_resolved.end()) return it->second;
    auto resolved = VPS_TRY(resolve_owner(owner, group));
    m_resolved.emplace(std::move(key), resolved);
    return resolved;
  }

 private:
  std::map<std::pair<std::string, std::string>, sys::FileOwner> m_resolved;
};

template <class Spec>
Result<PlannedFile> plan_file(std::string_view kind, const Spec& spec, std::string relative, ByteView data,
                              OwnerCache& owners) {
  VPS_CHECK(check_mode(kind, spec.name, spec.mode));
  auto owner = owners.resolve(spec.owner, spec.group);
  if (!owner) return fail(std::move(owner).error().context(std::string(kind) + " '" + spec.name + "'"));
  if (spec.path) VPS_CHECK(check_link_path(spec.name, *spec.path));
  return PlannedFile{std::move(relative), data, *owner, spec.mode, spec.path, &spec.restart_units, &spec.reload_units};
}

Result<Plan> make_plan(const std::vector<Material>& materials, const std::vector<TemplateSpec>& templates) {
  Plan plan;
  OwnerCache owners;
  std::vector<std::string> secret_names, template_names, credential_names;
  for (const auto& material : materials) {
    VPS_CHECK(check_name("secret", material.spec.name));
    if (material.spec.name == k_rendered_dir || material.spec.name.starts_with(std::string(k_rendered_dir) + "/"))
      return fail(Errc::config, "invalid secret name '" + material.spec.name + "': 'rendered' is reserved for templates");
    secret_names.push_back(material.spec.name);
    credential_names.push_back(credential_name(material.spec.name));
  }
  VPS_CHECK(check_name_set("secret", secret_names));
  VPS_CHECK(check_name_set("credential (secret name with '/' as '_')", credential_names));
  for (const auto& material : materials) {
    plan.files.push_back(VPS_TRY(plan_file("secret", material.spec, material.spec.name,
                                           ByteView(material.plaintext.data(), material.plaintext.size()), owners)));
  }

  auto lookup = [&](std::string_view name) -> std::optional<ByteView> {
    for (const auto& material : materials) {
      if (material.spec.name == name) return ByteView(material.plaintext.data(), material.plaintext.size());
    }
    return std::nullopt;
  };
  plan.rendered.reserve(templates.size());  // PlannedFile views must not move
  for (const auto& spec : templates) {
    VPS_CHECK(check_name("template", spec.name));
    template_names.push_back(spec.name);
    auto parsed = Template::parse(spec.content);
    if (!parsed) return fail(std::move(parsed).error().context("template '" + spec.name + "'"));
    auto rendered = parsed->render(lookup);
    if (!rendered) return fail(std::move(rendered).error().context("template '" + spec.name + "'"));
    plan.rendered.push_back(std::move(*rendered));
    const auto& bytes = plan.rendered.back();
    plan.files.push_back(VPS_TRY(plan_file("template", spec, std::string(k_rendered_dir) + "/" + spec.name,
                                           ByteView(bytes.data(), bytes.size()), owners)));
  }
  VPS_CHECK(check_name_set("template", template_names));
  return plan;
}

// Removes the half-built generation unless dismissed: the previous one stays current.
class GenerationGuard {
 public:
  GenerationGuard(int mount_fd, fs::path path) : m_mount_fd(mount_fd), m_path(std::move(path)) {}
  ~GenerationGuard() {
    if (!m_dismissed) {
      auto removed = mounts::remove_tree_at(m_mount_fd, m_path.filename().string(), m_path);
      if (!removed) log::warning("cannot clean up failed generation: " + removed.error().message);
    }
  }
  GenerationGuard(const GenerationGuard&) = delete;
  GenerationGuard& operator=(const GenerationGuard&) = delete;
  void dismiss() { m_dismissed = true; }

 private:
  int m_mount_fd;
  fs::path m_path;
  bool m_dismissed = false;
};

Result<sys::Fd> create_generation(int mount_fd, const fs::path& path) {
  auto name = path.filename().string();
  if (::mkdirat(mount_fd, name.c_str(), k_secret_dir_mode) != 0)
    return fail(Errc::io, "cannot create generation '" + path.string() + "': " + sys::errno_text(errno));
  sys::Fd fd(::openat(mount_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail(Errc::io, "cannot open generation '" + path.string() + "': " + sys::errno_text(errno));
  if (::fchmod(fd.get(), k_secret_dir_mode) != 0)
    return fail(Errc::io, "cannot chmod generation '" + path.string() + "': " + sys::errno_text(errno));
  VPS_CHECK(mounts::require_memory_fs(fd.get(), path));
  return fd;
}

void add_units(const std::vector<std::string>& from, std::set<std::string>& to) { to.insert(from.begin(), from.end()); }

// Fills changed/removed/restart_units/reload_units by comparing with generation `previous`.
Status diff_previous(int mount_fd, const fs::path& mount, std::optional<std::uint64_t> previous, const Plan& plan,
                     ActivationReport& report) {
  sys::Fd previous_fd;
  std::vector<std::string> previous_files;
  if (previous) {
    auto name = std::to_string(*previous);
    previous_fd.reset(::openat(mount_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (previous_fd) previous_files = VPS_TRY(list_files(previous_fd.get(), mount / name));
  }
  std::set<std::string> restart, reload;
  for (const auto& file : plan.files) {
    if (previous_fd && same_as_previous(previous_fd.get(), file.relative, file.data)) continue;
    report.changed.push_back(file.relative);
    add_units(*file.restart_units, restart);
    add_units(*file.reload_units, reload);
  }
  // Sorted lookup: a linear scan per old file is quadratic in the number of secrets.
  std::vector<std::string_view> planned;
  planned.reserve(plan.files.size());
  for (const auto& file : plan.files) planned.push_back(file.relative);
  std::sort(planned.begin(), planned.end());
  for (const auto& old : previous_files) {
    if (!std::binary_search(planned.begin(), planned.end(), std::string_view(old))) report.removed.push_back(old);
  }
  for (const auto& unit : restart) reload.erase(unit);  // a restart also picks up the new bytes
  report.restart_units.assign(restart.begin(), restart.end());
  report.reload_units.assign(reload.begin(), reload.end());
  return {};
}

// Steps after the switch: each failure is recorded, none undoes the switch.
void finish(int mount_fd, const std::vector<Material>& materials, const Plan& plan, const ActivationOptions& options,
            ActivationReport& report) {
  for (const auto& file : plan.files) {
    if (!file.link_path || *file.link_path == options.link / file.relative) continue;
    // Checked again, descriptor by descriptor: the directory may have changed since step 1.
    auto dir = sys::open_root_directory(file.link_path->parent_path(), /*create_missing=*/true);
    if (!dir) {
      report.errors.push_back(untrusted_link_directory(file.relative, *file.link_path, dir.error()));
      continue;
    }
    auto linked = mounts::replace_symlink_at(dir->get(), file.link_path->filename().string(),
                                             options.link / file.relative, *file.link_path);
    if (!linked) report.errors.push_back(std::move(linked).error());
  }
  if (options.credstore) {
    std::vector<Credential> credentials;
    for (const auto& material : materials) {
      credentials.push_back({credential_name(material.spec.name),
                             ByteView(material.plaintext.data(), material.plaintext.size())});
    }
    auto exported = export_credentials(*options.credstore, credentials);
    if (!exported) report.errors.push_back(std::move(exported).error().context("exporting credentials"));
  }
  auto pruned = mounts::prune_generations(mount_fd, options.mount.mount_point, report.generation, options.keep_generations);
  if (pruned) report.pruned = std::move(*pruned);
  else report.errors.push_back(std::move(pruned).error().context("pruning old generations"));
}

// One activation at a time: a second agent (or a manual run) fails fast instead of
// interleaving generations. The lock goes with the descriptor.
Status lock_mount(int mount_fd, const fs::path& mount) {
  if (::flock(mount_fd, LOCK_EX | LOCK_NB) == 0) return {};
  if (errno == EWOULDBLOCK)
    return fail(Errc::retry, "another activation holds the lock on '" + mount.string() + "'; try again later");
  return fail(Errc::io, "cannot lock '" + mount.string() + "': " + sys::errno_text(errno));
}

// Generations above the live one were never switched to (a crash mid-activation): remove them
// so they are not mistaken for a previous generation worth keeping.
Status remove_abandoned(int mount_fd, const fs::path& mount, std::uint64_t live) {
  auto existing = VPS_TRY(mounts::list_generations(mount_fd, mount));
  for (auto number : existing) {
    if (number <= live) continue;
    log::warning("removing abandoned secrets generation " + std::to_string(number));
    VPS_CHECK(mounts::remove_tree_at(mount_fd, std::to_string(number), mount / std::to_string(number)));
  }
  return {};
}

Result<ActivationReport> activate_plan(const std::vector<Material>& materials, const Plan& plan,
                                       const ActivationOptions& options) {
  const auto& mount = options.mount.mount_point;
  if (options.ensure_mount) VPS_TRY(mounts::ensure_mounted(options.mount));
  auto mount_fd = VPS_TRY(mounts::open_memory_dir(mount));
  VPS_CHECK(lock_mount(mount_fd.get(), mount));

  ActivationReport report;
  report.previous = VPS_TRY(mounts::current_generation(options.link, mount));
  if (report.previous) VPS_CHECK(remove_abandoned(mount_fd.get(), mount, *report.previous));
  auto existing = VPS_TRY(mounts::list_generations(mount_fd.get(), mount));
  std::uint64_t highest = existing.empty() ? 0 : existing.back();
  if (report.previous) highest = std::max(highest, *report.previous);
  report.generation = highest + 1;
  auto generation_path = mount / std::to_string(report.generation);

  GenerationGuard guard(mount_fd.get(), generation_path);
  auto generation_fd = VPS_TRY(create_generation(mount_fd.get(), generation_path));
  GenerationWriter writer(generation_fd.get(), generation_path);
  for (const auto& file : plan.files) VPS_CHECK(writer.write(file.relative, file.data, file.owner, file.mode));
  VPS_CHECK(diff_previous(mount_fd.get(), mount, report.previous, plan, report));
  VPS_CHECK(mounts::replace_symlink(generation_path, options.link));
  guard.dismiss();

  finish(mount_fd.get(), materials, plan, options, report);
  return report;
}

}  // namespace

Result<ActivationReport> activate(const std::vector<Material>& materials, const ActivationOptions& options) {
  return activate(materials, {}, options);
}

Result<ActivationReport> activate(const std::vector<Material>& materials, const std::vector<TemplateSpec>& templates,
                                  const ActivationOptions& options) {
  auto plan = make_plan(materials, templates);
  if (!plan) return fail(std::move(plan).error().context("activating secrets"));
  auto report = activate_plan(materials, *plan, options);
  if (!report) return fail(std::move(report).error().context("activating secrets"));
  return report;
}

}  // namespace vps::host::secrets
