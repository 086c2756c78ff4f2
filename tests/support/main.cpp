// The test executables' main: doctest's runner, plus two honesty rules (test_support.hpp):
//  - a test case that skipped (and failed no check) ends the process with k_skip_exit_code,
//    which CTest's SKIP_RETURN_CODE reports as skipped; any failure wins over a skip;
//  - a run asked for specific test cases (--test-case=..., as CTest runs each one) that ran
//    none fails: a name CTest split or mangled (a ';' in it) must not pass by running nothing.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <string_view>

#include "test_support.hpp"

namespace vps::test::detail {

// doctest counts the checks of the running test case only inside its implementation unit.
int checks_in_current_test() {
  return doctest::detail::g_cs ? doctest::detail::g_cs->numAssertsCurrentTest_atomic.load() : 0;
}

namespace {

int g_test_cases_started = 0;

struct CountingListener : doctest::IReporter {
  explicit CountingListener(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override { ++g_test_cases_started; }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

}  // namespace vps::test::detail

DOCTEST_REGISTER_LISTENER("vps-counting", 1, vps::test::detail::CountingListener);

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit() || result != 0) return result;
  bool filtered = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    filtered = filtered || arg.starts_with("--test-case=") || arg.starts_with("-tc=");
  }
  if (filtered && vps::test::detail::g_test_cases_started == 0) {
    std::fprintf(stderr, "no test case matched the filter: a test that runs nothing does not pass\n");
    return 1;
  }
  return vps::test::skipped() ? vps::test::k_skip_exit_code : 0;
}
