// Benchmark: signed host publications per second against the real endpoint (in-process
// EnrollServer on 127.0.0.1, SQLite in a temp dir), from a loopback load generator with a few
// client threads, one connection per request as the agent does. Bounded in count and time.
//
//   enroll_publish_bench [--count N (default 2000)] [--concurrency C (4)] [--seconds S (60)]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <vps/enroll/server/enroll_server.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include "bench_support.hpp"

#include <vps/net/http/client.hpp>
#include <vps/protocol/signed_publication.hpp>

namespace {

using Clock = std::chrono::steady_clock;

using vps::bench::percentile;

std::string signed_body(std::size_t index, const std::string& origin) {
  return vps::bench::publication_body(vps::crypto::ed25519_generate(), "bench" + std::to_string(index), origin,
                                      std::to_string(10000 + index));
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 2000;
  unsigned concurrency = 4;
  double seconds = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--count") count = std::clamp<std::size_t>(std::strtoull(argv[i + 1], nullptr, 10), 1, 100000);
    else if (flag == "--concurrency") concurrency = std::clamp(static_cast<unsigned>(std::atoi(argv[i + 1])), 1u, 64u);
    else if (flag == "--seconds") seconds = std::clamp(std::atof(argv[i + 1]), 1.0, 600.0);
  }
  char pattern[] = "/tmp/enroll-bench-XXXXXX";
  const std::filesystem::path dir = mkdtemp(pattern);
  std::ofstream(dir / "operators") << "# none\n";
  vps::enroll::server::ServeConfig config;
  config.http.port = 0;
  config.database = dir / "enroll.db";
  config.operators = dir / "operators";
  // One client publishing thousands of new names is what the abuse limits refuse; lift them so
  // the benchmark measures the endpoint's work, not its rate limit.
  config.policy.publish_rate.per_minute = 1'000'000;
  config.policy.publish_rate.burst = 1'000'000;
  config.policy.max_pending_per_address = 10'000'000;
  config.policy.max_pending = 10'000'000;
  auto server = vps::enroll::server::EnrollServer::start(config);
  if (!server) {
    std::fprintf(stderr, "bench: %s\n", server.error().message.c_str());
    return 1;
  }
  const auto url = vps::net::http::parse_url("http://127.0.0.1:" + std::to_string((*server)->port())).value();
  std::printf("signing %zu publications...\n", count);
  std::vector<std::string> bodies;
  bodies.reserve(count);
  for (std::size_t i = 0; i < count; ++i) bodies.push_back(signed_body(i, url.origin()));

  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> failures{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < concurrency; ++t) {
    workers.emplace_back([&] {
      std::vector<double> local;
      vps::net::http::ClientOptions options;
      for (std::size_t i = next++; i < count && Clock::now() < deadline; i = next++) {
        vps::net::http::Request request;
        request.method = "POST";
        request.target = "/v1/enrollments";
        request.headers = {{"Content-Type", "application/json"}};
        request.body = bodies[i];
        const auto t0 = Clock::now();
        auto response = vps::net::http::send(url, request, options);
        local.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!response || response->status != 202) ++failures;  // pending: waiting for an operator
      }
      std::lock_guard lock(mutex);
      latencies_ms.insert(latencies_ms.end(), local.begin(), local.end());
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  (*server)->stop();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::printf("publications: %zu in %.2f s with %u clients (%zu failed)\n", latencies_ms.size(), elapsed, concurrency,
              failures.load());
  std::printf("throughput:   %.0f publications/s\n", static_cast<double>(latencies_ms.size()) / elapsed);
  std::printf("latency:      p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(latencies_ms, 0.5),
              percentile(latencies_ms, 0.99), latencies_ms.empty() ? 0.0 : latencies_ms.back());
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return failures.load() == 0 ? 0 : 1;
}
