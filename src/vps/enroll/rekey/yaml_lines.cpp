#include <vps/enroll/rekey/yaml_lines.hpp>

#include <vps/base/text.hpp>

namespace vps::enroll::rekey {

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(pos, end - pos);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    lines.push_back({pos, content});
    pos = end + 1;
  }
  return lines;
}

std::size_t indent_of(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

bool is_blank_or_comment(std::string_view line) {
  const std::string_view t = text::trim(line, " \t\n");
  return t.empty() || t.front() == '#';
}

}  // namespace vps::enroll::rekey
