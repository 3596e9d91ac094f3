// Matrix-product kernels. One entry point serves mm, bmm, matmul with broadcast batches, mv, dot,
// addmm and linear: the op layer describes every operand as strided matrices plus per-batch offsets.
//   C (M, N) = alpha * A (M, K) @ B (K, N) + beta * C,   for each of `batch` items
#pragma once
#include <cstdint>
#include <vector>
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl::cpu {

struct GemmArgs {
  int64_t batch = 1, M = 0, N = 0, K = 0;
  // Base pointers; batch item i of an operand starts `off[i]` elements after its base.
  const void* a = nullptr;
  const void* b = nullptr;
  void* c = nullptr;
  std::vector<int64_t> a_off, b_off, c_off;
  // Element strides: A[i, k] = a[i * rsa + k * csa], and so on. Any signs/values, 0 included.
  int64_t rsa = 0, csa = 0, rsb = 0, csb = 0, rsc = 0, csc = 0;
  // The operands' CUDA device, where the CUDA kernel launches (the CPU kernel ignores it).
  int device = 0;
};

// beta == 0 means C is write-only (NaN/Inf already in C do not leak, as in BLAS and torch). K == 0
// gives beta * C. C must not overlap A or B. Shapes and dtypes are validated by the caller; dt is
// float32, float64 or an integer type (integers use a plain wrapping loop, as torch's CPU path).
void gemm(DType dt, const GemmArgs& g, const Scalar& alpha, const Scalar& beta);

}  // namespace tl::cpu
