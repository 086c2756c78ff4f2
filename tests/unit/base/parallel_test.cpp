#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <vps/base/parallel.hpp>

TEST_SUITE("base::parallel") {
  TEST_CASE("every index runs exactly once, whatever the worker count") {
    for (unsigned workers : {0u, 1u, 2u, 4u, 16u}) {
      for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
        std::vector<std::atomic<int>> runs(count);
        vps::parallel_for(count, workers, [&](std::size_t i) { runs[i].fetch_add(1); });
        for (std::size_t i = 0; i < count; ++i) CHECK(runs[i].load() == 1);
      }
    }
  }

  TEST_CASE("one worker runs inline, on the calling thread") {
    const auto caller = std::this_thread::get_id();
    bool inline_only = true;
    vps::parallel_for(50, 1, [&](std::size_t) { inline_only = inline_only && std::this_thread::get_id() == caller; });
    CHECK(inline_only);
  }

  TEST_CASE("worker count is bounded by items, cores and the cap") {
    CHECK(vps::parallel_workers(0, 8) == 1);
    CHECK(vps::parallel_workers(7, 8) == 1);
    CHECK(vps::parallel_workers(1000, 8, 1) == 1);
    CHECK(vps::parallel_workers(1000, 8) <= 4);
    CHECK(vps::parallel_workers(1000, 8) <= std::max(1u, std::thread::hardware_concurrency()));
    CHECK(vps::parallel_workers(1000, 0) >= 1);
  }
}
