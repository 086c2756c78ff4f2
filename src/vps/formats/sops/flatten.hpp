#pragma once
// sops' flattening of the metadata block for line-oriented stores (dotenv, ini):
// {"pgp": [{"fp": "X"}]} <-> "pgp__list_0__map_fp" = "X". Newlines travel as "\n" escapes.

#include <string>
#include <utility>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops {

using FlatItems = std::vector<std::pair<std::string, std::string>>;

// Sorted by key, as sops' dotenv store writes them; nulls and empty lists vanish.
FlatItems flatten_metadata(const Node& block);

// Rebuilds the block from flattened keys (values are strings). Errc::malformed for list
// indices above 1000 or keys that are both a list and a mapping.
Result<Node> unflatten_metadata(const FlatItems& items);

}  // namespace vps::formats::sops
