#pragma once
// A bounded parallel loop for independent, CPU-bound items (one X25519 per age file dominates
// activating many small secrets). Items are handed out one at a time through an atomic
// counter, so uneven item costs balance themselves; body(i) must touch only item i's state.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace vps {

// Threads worth starting for `count` items of which each worker should get at least
// `min_per_worker` (thread start-up costs about as much as one small decryption).
inline unsigned parallel_workers(std::size_t count, std::size_t min_per_worker, unsigned max_workers = 4) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t useful = std::max<std::size_t>(1, count / std::max<std::size_t>(1, min_per_worker));
  return static_cast<unsigned>(std::min<std::size_t>({cores, max_workers, useful}));
}

// Runs body(0) .. body(count - 1) on `workers` threads (the caller's among them) and returns
// when all are done. body must not throw.
template <class Body>
void parallel_for(std::size_t count, unsigned workers, const Body& body) {
  if (workers <= 1 || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  auto drain = [&] {
    for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) body(i);
  };
  std::vector<std::jthread> helpers;
  helpers.reserve(workers - 1);
  for (unsigned w = 1; w < workers; ++w) {
    try {
      helpers.emplace_back(drain);
    } catch (const std::system_error&) {
      break;  // out of threads: the ones running (and the caller) still finish every item
    }
  }
  drain();
}  // helpers join here

}  // namespace vps
