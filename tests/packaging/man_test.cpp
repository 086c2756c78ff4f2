// The man pages in packaging/man/ (shipped gzipped in the .deb, see deb_test.cpp): they render
// without a single groff warning, they cannot fall behind the command line (every subcommand and
// long option of the real binaries' --help is documented), and every man: reference of a unit
// names one of them.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

using namespace vps;
namespace fs = std::filesystem;

namespace {

struct Page {
  std::string program;  // as in --help and in the page's headings
  fs::path binary;
  fs::path source;
};

std::vector<Page> pages() {
  const auto dir = test::source_dir() / "packaging/man";
  return {{"vps-agent", test::agent_binary(), dir / "vps-agent.8"},
          {"vps-enroll", test::enroll_binary(), dir / "vps-enroll.1"}};
}

// One command's --help (CLI11's layout): long options and subcommand names.
struct Help {
  std::vector<std::string> long_options;
  std::vector<std::string> subcommands;
};

Help parse_help(const std::string& text) {
  Help help;
  std::istringstream lines(text);
  std::string line, section;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') {
      section = line;
      continue;
    }
    // Entries are indented by two spaces; wrapped descriptions by more.
    if (line.size() < 3 || line.compare(0, 2, "  ") != 0 || line[2] == ' ') continue;
    std::istringstream fields(line.substr(2));
    std::string first;
    fields >> first;
    if (section == "Options:") {
      std::istringstream names(first);  // "-i,--identity" or "--json"
      std::string name;
      while (std::getline(names, name, ','))
        if (name.rfind("--", 0) == 0) help.long_options.push_back(name);
    } else if (section == "Subcommands:") {
      help.subcommands.push_back(first);
    }
  }
  return help;
}

// Every command path ("", "firstboot", "token", "token create", ...) with its --help.
void collect(const Page& page, const std::vector<std::string>& path, std::vector<std::pair<std::string, Help>>& out) {
  REQUIRE(path.size() <= 3);  // bounded recursion
  std::vector<std::string> argv = {page.binary.string()};
  argv.insert(argv.end(), path.begin(), path.end());
  argv.push_back("--help");
  auto r = test::run(argv);
  std::string name;
  for (const auto& word : path) name += (name.empty() ? "" : " ") + word;
  INFO(page.program << " " << name << " --help: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto help = parse_help(r.out);
  CHECK(!help.long_options.empty());
  out.emplace_back(name, help);
  for (const auto& sub : help.subcommands) {
    auto next = path;
    next.push_back(sub);
    collect(page, next, out);
  }
}

// The page's text with roff escapes undone, one string per source line: "\-\-json" -> "--json",
// font changes and zero-width characters dropped.
std::vector<std::string> plain_lines(const fs::path& page) {
  static const std::regex escapes(R"(\\f(\(..|\[[^\]]*\]|.)|\\&)");
  std::vector<std::string> lines;
  std::istringstream text(test::read_text(page));
  std::string line;
  while (std::getline(text, line)) {
    std::string plain;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line.compare(i, 2, "\\-") == 0) {
        plain += '-';
        ++i;
      } else {
        plain += line[i];
      }
    }
    plain = std::regex_replace(plain, escapes, "");
    plain.erase(std::remove(plain.begin(), plain.end(), '"'), plain.end());
    lines.push_back(plain);
  }
  return lines;
}

// The long options a page documents: those in the tag line of a .TP paragraph.
std::set<std::string> documented_options(const std::vector<std::string>& lines) {
  static const std::regex option(R"(--[a-z0-9][a-z0-9-]*)");
  std::set<std::string> found;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i] != ".TP") continue;
    const auto& tag = lines[i + 1];
    for (std::sregex_iterator it(tag.begin(), tag.end(), option), end; it != end; ++it) found.insert(it->str());
  }
  return found;
}

// The page's ".SS" headings, e.g. "vps-agent publish [--force] ...".
std::vector<std::string> headings(const std::vector<std::string>& lines) {
  std::vector<std::string> found;
  for (const auto& line : lines)
    if (line.rfind(".SS ", 0) == 0) found.push_back(line.substr(4));
  return found;
}

}  // namespace

TEST_SUITE("packaging::man") {
  TEST_CASE("both pages render without warnings, in groff and as lintian runs man") {
    VPS_REQUIRE_PROGRAM(groff, "groff");
    const auto man = test::find_program("man");
    for (const auto& page : pages()) {
      INFO(page.source.string());
      REQUIRE(fs::exists(page.source));
      auto r = test::run({groff.string(), "-man", "-ww", "-z", "-t", page.source.string()});
      CHECK(r.exit_code == 0);
      CHECK(r.err == "");
      if (!man) continue;  // man-db: optional
      test::ProcessOptions options;
      options.env = {"LC_ALL=C.UTF-8", "MANROFFSEQ=", "MANWIDTH=80"};
      r = test::run({man->string(), "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page.source.string()}, options);
      CHECK(r.exit_code == 0);
      CHECK(r.err == "");
    }
  }

  TEST_CASE("every subcommand in --help has its own section in the page") {
    for (const auto& page : pages()) {
      std::vector<std::pair<std::string, Help>> commands;
      collect(page, {}, commands);
      CHECK(commands.size() >= 8);  // the program and its subcommands
      const auto sections = headings(plain_lines(page.source));
      for (const auto& command : commands) {
        const auto& name = command.first;
        if (name.empty()) continue;
        const std::string prefix = page.program + " " + name;
        bool found = false;
        for (const auto& heading : sections)
          found = found || heading == prefix || heading.rfind(prefix + " ", 0) == 0;
        CHECK_MESSAGE(found, page.source.filename().string() << " has no .SS \"" << prefix << " ...\"");
      }
    }
  }

  TEST_CASE("every long option in --help is documented in the page") {
    for (const auto& page : pages()) {
      std::vector<std::pair<std::string, Help>> commands;
      collect(page, {}, commands);
      const auto documented = documented_options(plain_lines(page.source));
      for (const auto& command : commands) {
        // Named copies: clang 14 cannot capture structured bindings in doctest's message lambdas.
        const auto& name = command.first;
        const auto& help = command.second;
        for (const auto& option : help.long_options) {
          INFO(page.source.filename().string() << " has no .TP for '" << page.program << " " << name << " " << option
                                               << "'");
          CHECK(documented.count(option) == 1);
        }
      }
    }
  }

  TEST_CASE("every Documentation=man: reference in units/ names a page in packaging/man") {
    static const std::regex reference(R"(man:([A-Za-z0-9._-]+)\(([1-9][a-z]*)\))");
    std::size_t references = 0;
    for (const auto& entry : fs::directory_iterator(test::source_dir() / "units")) {
      if (!entry.is_regular_file()) continue;
      std::istringstream lines(test::read_text(entry.path()));
      std::string line;
      while (std::getline(lines, line)) {
        if (line.rfind("Documentation=", 0) != 0) continue;
        for (std::sregex_iterator it(line.begin(), line.end(), reference), end; it != end; ++it) {
          ++references;
          const auto page = test::source_dir() / "packaging/man" / ((*it)[1].str() + "." + (*it)[2].str());
          CHECK_MESSAGE(fs::exists(page), entry.path().filename().string() << ": " << it->str() << " but no " << page);
        }
      }
    }
    CHECK(references >= 2);  // vps-agent(8) and vps-enroll(1) at least
  }
}
