#include "dtype.h"

#include <atomic>

namespace tl {

namespace {
std::atomic<DType> g_default_float{DType::Float32};
}

DType default_float_dtype() { return g_default_float.load(std::memory_order_relaxed); }

void set_default_float_dtype(DType t) {
  TL_CHECK_TYPE(is_floating(t), "only floating-point types are supported as the default type");
  g_default_float.store(t, std::memory_order_relaxed);
}

}  // namespace tl
