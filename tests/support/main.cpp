// The test executables' main: doctest's runner, plus the honest-skip rule (test_support.hpp).
// A test case that skipped (and failed no check) ends the process with k_skip_exit_code, which
// CTest's SKIP_RETURN_CODE reports as skipped; any failure wins over a skip.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "test_support.hpp"

namespace vps::test::detail {

// doctest counts the checks of the running test case only inside its implementation unit.
int checks_in_current_test() {
  return doctest::detail::g_cs ? doctest::detail::g_cs->numAssertsCurrentTest_atomic.load() : 0;
}

}  // namespace vps::test::detail

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit() || result != 0) return result;
  return vps::test::skipped() ? vps::test::k_skip_exit_code : 0;
}
