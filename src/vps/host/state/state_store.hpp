#pragma once
// state.json on disk: bounded read, atomic 0644 write, and a locked read-modify-write for
// writers outside firstboot (publish records enrollment progress with update_state).

#include <filesystem>
#include <functional>
#include <optional>

#include <vps/base/result.hpp>
#include <vps/sys/fs/atomic_file.hpp>
#include <vps/host/state/state.hpp>

namespace vps::host::state {

std::filesystem::path state_file(const std::filesystem::path& state_dir);  // <dir>/state.json

// nullopt when absent; Errc::malformed (naming the file) when unparsable; Errc::io otherwise.
Result<std::optional<State>> load_state(const std::filesystem::path& state_dir);
// Atomic replace, mode 0644; durable (temp + fsync + rename + dir fsync) unless told otherwise.
// Caller holds StateLock.
Status save_state(const std::filesystem::path& state_dir, const State& state,
                  sys::Durability durability = sys::Durability::durable);

// Takes StateLock, loads (Errc::no_key if there is no state yet: firstboot has not run),
// applies change, saves. Returns the saved state.
Result<State> update_state(const std::filesystem::path& state_dir, const std::function<void(State&)>& change);

}  // namespace vps::host::state
