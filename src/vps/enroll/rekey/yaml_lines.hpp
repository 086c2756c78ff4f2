#pragma once
// The line view both .sops.yaml editors work on (sops_config.cpp for age: rules,
// sops_key_groups.cpp for keys: anchors and key_groups): each line with its byte offset, so an
// edit touches only the bytes it means to and leaves comments and layout as they were.
#include <cstddef>
#include <string_view>
#include <vector>

namespace vps::enroll::rekey {

struct Line {
  std::size_t offset = 0;    // of the first byte in the text
  std::string_view content;  // without "\n" / "\r\n"
};

std::vector<Line> split_lines(std::string_view text);
std::size_t indent_of(std::string_view line);  // leading spaces
bool is_blank_or_comment(std::string_view line);

}  // namespace vps::enroll::rekey
