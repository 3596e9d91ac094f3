// State behind core/precision.h. Atomic because a setter on one Python thread may race a GEMM launch on
// another; the default is "highest" (no TF32), as torch's.
#include "precision.h"
#include <atomic>

namespace tl {

namespace {
std::atomic<int> g_precision{static_cast<int>(MatmulPrecision::Highest)};
}

MatmulPrecision float32_matmul_precision() {
  return static_cast<MatmulPrecision>(g_precision.load(std::memory_order_relaxed));
}

void set_float32_matmul_precision(MatmulPrecision p) {
  g_precision.store(static_cast<int>(p), std::memory_order_relaxed);
}

const char* matmul_precision_name(MatmulPrecision p) {
  switch (p) {
    case MatmulPrecision::Highest: return "highest";
    case MatmulPrecision::High: return "high";
    case MatmulPrecision::Medium: return "medium";
  }
  return "highest";
}

bool parse_matmul_precision(const std::string& name, MatmulPrecision* out) {
  for (MatmulPrecision p : {MatmulPrecision::Highest, MatmulPrecision::High, MatmulPrecision::Medium}) {
    if (name == matmul_precision_name(p)) {
      *out = p;
      return true;
    }
  }
  return false;
}

}  // namespace tl
