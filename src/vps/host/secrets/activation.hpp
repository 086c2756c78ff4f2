#pragma once
// Activation: materialise decrypted secrets as generation N+1 on the memory filesystem and
// switch the current-generation link to it atomically.
//
//  1. validate everything (names, modes, owners, templates, link paths) before touching disk;
//  2. mount ramfs/tmpfs if needed; check the filesystem of every directory written into;
//  3. write <mount>/<N+1>/<name> and <mount>/<N+1>/rendered/<template> with owner and mode;
//  4. compare with generation N (constant time) to report what changed;
//  5. switch <link> -> <mount>/<N+1> (temp symlink + rename): readers see N or N+1, whole;
//  6. then custom-path symlinks (-> <link>/<name>), credential export, pruning.
//
// Custom-path symlinks are made as root, so only in directories that root alone can change
// (host/fs/root_directory.hpp): every directory on the way owned by root, none a symlink, the
// link's own directory writable by root alone. Step 1 refuses any other (Errc::config, nothing
// changed); step 6 walks the path again with O_NOFOLLOW descriptors and creates the link
// relative to the directory it checked, so a directory swapped in between gets nothing.
//
// A failure up to step 5 removes N+1 and leaves generation N and the link untouched.
// Failures in step 6 do not undo the switch; they are listed in ActivationReport::errors.

#include <vector>

#include <vps/base/result.hpp>
#include <vps/host/secrets/spec.hpp>

namespace vps::host::secrets {

Result<ActivationReport> activate(const std::vector<Material>& materials, const ActivationOptions& options);
Result<ActivationReport> activate(const std::vector<Material>& materials, const std::vector<TemplateSpec>& templates,
                                  const ActivationOptions& options);

}  // namespace vps::host::secrets
