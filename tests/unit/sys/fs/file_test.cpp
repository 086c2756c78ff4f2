#include <doctest/doctest.h>

#include <string>

#include <vps/sys/fs/file.hpp>

#include "test_support.hpp"

using namespace vps;

TEST_SUITE("host::fs::read_file") {
  TEST_CASE("reads files of every size around the read chunk completely") {
    test::TempDir dir;
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{16383}, std::size_t{16384},
                             std::size_t{16385}, std::size_t{100000}}) {
      std::string text(size, 'x');
      for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + i % 26);
      test::write_text(dir / "f", text);
      auto bytes = sys::read_file(dir / "f", 1 << 20);
      REQUIRE(bytes);
      CHECK(std::string(as_chars(*bytes)) == text);
    }
  }

  TEST_CASE("files that report no size (procfs) are read to their end") {
    // /proc/self/maps says size 0 and is produced in pieces; it is several KiB for any process.
    auto bytes = sys::read_file("/proc/self/maps", 1 << 20);
    REQUIRE(bytes);
    const std::string text(as_chars(*bytes));
    CHECK(text.size() > 1000);
    CHECK(text.back() == '\n');
  }

  TEST_CASE("the size limit holds, and a missing file is Errc::missing") {
    test::TempDir dir;
    test::write_text(dir / "big", std::string(5000, 'x'));
    auto big = sys::read_file(dir / "big", 4999);
    REQUIRE_FALSE(big);
    CHECK(big.error().code == Errc::malformed);
    CHECK(sys::read_file(dir / "big", 5000));
    auto missing = sys::read_file(dir / "absent");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::missing);
  }
}
