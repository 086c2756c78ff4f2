#pragma once
// Everything a refused request must leave untouched (all tables but the nonce cache and the
// audit trail), as one comparable string.

#include <string>

#include <vps/enroll/store/store.hpp>

namespace vps::test::enroll {

inline std::string snapshot(vps::enroll::store::Store& store) {
  std::string out;
  for (const char* sql : {"SELECT * FROM hosts ORDER BY name", "SELECT * FROM enrollments ORDER BY id",
                          "SELECT * FROM tokens ORDER BY hash", "SELECT host, name, sha256, uploaded_at FROM bundles ORDER BY host, name"}) {
    auto stmt = store.database().prepare(sql).value();
    while (stmt.step().value()) {
      for (int i = 0; i < stmt.column_count(); ++i) out += stmt.optional_text(i).value_or("NULL") + "|";
      out += "\n";
    }
    out += "--\n";
  }
  return out;
}

}  // namespace vps::test::enroll
