#include <vps/host/state/state_store.hpp>

#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/host/state/lock.hpp>

namespace vps::host::state {

std::filesystem::path state_file(const std::filesystem::path& state_dir) { return state_dir / "state.json"; }

Result<std::optional<State>> load_state(const std::filesystem::path& state_dir) {
  auto path = state_file(state_dir);
  auto text = sys::read_text_file(path, k_max_state_size);
  if (!text) {
    if (text.error().code == Errc::missing) return std::optional<State>();
    return fail(std::move(text).error());
  }
  auto state = VPS_TRY(parse_state(*text, path.string()));
  return std::optional<State>(std::move(state));
}

Status save_state(const std::filesystem::path& state_dir, const State& state, sys::Durability durability) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return fail(Errc::io, "cannot create '" + state_dir.string() + "': " + ec.message());
  auto text = format_state(state);
  return sys::write_file_atomic(state_file(state_dir), as_bytes(text), 0644, std::nullopt, durability);
}

Result<State> update_state(const std::filesystem::path& state_dir, const std::function<void(State&)>& change) {
  auto lock = VPS_TRY(StateLock::acquire(state_dir));
  auto state = VPS_TRY(load_state(state_dir));
  if (!state)
    return fail(Errc::no_key, "no agent state in '" + state_dir.string() + "'; run 'vps-agent firstboot' first");
  change(*state);
  VPS_CHECK(save_state(state_dir, *state));
  return std::move(*state);
}

}  // namespace vps::host::state
