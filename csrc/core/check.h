// Errors: TL_CHECK-style macros that throw typed exceptions. bindings.cpp maps each kind to the
// Python exception PyTorch raises in the same situation, so library code never aborts the process.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <cstdint>

namespace tl {

// OutOfMemory is a RuntimeError subclass in Python (tensorlite.OutOfMemoryError, as torch's).
enum class ErrorKind { Runtime, Index, Value, Type, NotImplemented, OutOfMemory };

struct Error : std::runtime_error {
  ErrorKind kind;
  Error(ErrorKind k, const std::string& msg) : std::runtime_error(msg), kind(k) {}
};

namespace detail {
inline void cat_into(std::ostringstream&) {}
template <class T, class... Rest>
void cat_into(std::ostringstream& os, const T& v, const Rest&... rest) {
  os << v;
  cat_into(os, rest...);
}
}  // namespace detail

template <class... A>
std::string str_cat(const A&... a) {
  std::ostringstream os;
  detail::cat_into(os, a...);
  return os.str();
}

// "[2, 3]" -- the way torch prints sizes in its messages.
inline std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

}  // namespace tl

#define TL_THROW(KIND, ...) throw ::tl::Error(::tl::ErrorKind::KIND, ::tl::str_cat(__VA_ARGS__))
#define TL_CHECK(cond, ...) \
  do { if (!(cond)) TL_THROW(Runtime, __VA_ARGS__); } while (0)
#define TL_CHECK_INDEX(cond, ...) \
  do { if (!(cond)) TL_THROW(Index, __VA_ARGS__); } while (0)
#define TL_CHECK_VALUE(cond, ...) \
  do { if (!(cond)) TL_THROW(Value, __VA_ARGS__); } while (0)
#define TL_CHECK_TYPE(cond, ...) \
  do { if (!(cond)) TL_THROW(Type, __VA_ARGS__); } while (0)
