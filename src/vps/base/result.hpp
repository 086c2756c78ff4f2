#pragma once
// Result<T>: a value or a vps::Error. tl::expected now, std::expected once C++23 is allowed.

#include <tl/expected.hpp>

#include <vps/base/error.hpp>

namespace vps {

template <class T>
using Result = tl::expected<T, Error>;

using Status = Result<void>;

inline tl::unexpected<Error> fail(Errc code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}
inline tl::unexpected<Error> fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

}  // namespace vps

// Propagate an error from an expression returning Result<...>; yields the value otherwise.
// Uses a GNU statement expression (gcc and clang), as ccache's TRY does.
#define VPS_TRY(expr)                                                   \
  ({                                                                    \
    auto vps_try_result_ = (expr);                                      \
    if (!vps_try_result_) return ::tl::unexpected(std::move(vps_try_result_).error()); \
    std::move(vps_try_result_).value();                                 \
  })

// As VPS_TRY for Result<void>.
#define VPS_CHECK(expr)                                                 \
  do {                                                                  \
    auto vps_check_result_ = (expr);                                    \
    if (!vps_check_result_) return ::tl::unexpected(std::move(vps_check_result_).error()); \
  } while (0)
