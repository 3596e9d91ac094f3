// C (mb, nb) += A (mb, kb) * B (kb, nb), all row-major with leading dims; the inner kernel of the
// cache-blocked matmul. Written so the compiler vectorises the j loop for each ISA this file is
// built for; the fast GEMM issue replaces it with packed, register-blocked micro-kernels.
#include <cstdint>
#include "isa.h"

namespace tl::cpu::TL_ISA_NS {

template <class T>
static void gemm_block(int64_t mb, int64_t nb, int64_t kb, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                       int64_t ldc) {
  for (int64_t i = 0; i < mb; ++i) {
    T* __restrict ci = c + i * ldc;
    for (int64_t k = 0; k < kb; ++k) {
      const T aik = a[i * lda + k];
      const T* __restrict bk = b + k * ldb;
      for (int64_t j = 0; j < nb; ++j) ci[j] += aik * bk[j];
    }
  }
}

static void gemm_block_f32(int64_t mb, int64_t nb, int64_t kb, const float* a, int64_t lda, const float* b,
                           int64_t ldb, float* c, int64_t ldc) {
  gemm_block<float>(mb, nb, kb, a, lda, b, ldb, c, ldc);
}
static void gemm_block_f64(int64_t mb, int64_t nb, int64_t kb, const double* a, int64_t lda, const double* b,
                           int64_t ldb, double* c, int64_t ldc) {
  gemm_block<double>(mb, nb, kb, a, lda, b, ldb, c, ldc);
}

const IsaKernels& kernels() {
  static const IsaKernels k{TL_ISA_NAME, gemm_block_f32, gemm_block_f64};
  return k;
}

}  // namespace tl::cpu::TL_ISA_NS
