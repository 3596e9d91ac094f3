// Run-time ISA dispatch. Every file in this folder is compiled three times (generic, avx2, avx512),
// each time inside namespace tl::cpu::TL_ISA_NS with that ISA's flags (see CMakeLists.txt). Each
// compilation contributes one IsaKernels table; select_isa() picks the best one this CPU supports,
// or the one named by the environment variable TENSORLITE_ISA (generic|avx2|avx512) so tests can
// exercise every variant on one machine.
#pragma once
#include <cstdint>

namespace tl::cpu {

struct IsaKernels {
  const char* name;
  // C[m,n] (+)= sum_k A[m,k] B[k,n] on packed, contiguous blocks: the inner part of matmul.
  //   a: (mb, kb) row-major, lda; b: (kb, nb) row-major, ldb; c: (mb, nb) row-major, ldc
  void (*gemm_block_f32)(int64_t mb, int64_t nb, int64_t kb, const float* a, int64_t lda, const float* b,
                         int64_t ldb, float* c, int64_t ldc);
  void (*gemm_block_f64)(int64_t mb, int64_t nb, int64_t kb, const double* a, int64_t lda, const double* b,
                         int64_t ldb, double* c, int64_t ldc);
  // C[m,n] += sum_k A[m,k] B[n,k]: both operands K-contiguous (x @ W^T, matrix-vector products); used
  // unpacked on small-M problems where packing would cost more than the arithmetic.
  //   a: (mb, kb) row-major, lda; b: (nb, kb) row-major, ldb; c: (mb, nb) row-major, ldc
  void (*gemm_nt_f32)(int64_t mb, int64_t nb, int64_t kb, const float* a, int64_t lda, const float* b,
                      int64_t ldb, float* c, int64_t ldc);
  void (*gemm_nt_f64)(int64_t mb, int64_t nb, int64_t kb, const double* a, int64_t lda, const double* b,
                      int64_t ldb, double* c, int64_t ldc);
  // dst (rows, cols) row-major with leading dim ld  <-  src[r + c * cs]: the transposing copy that packs
  // a K-contiguous operand into the row-major blocks gemm_block reads.
  void (*pack_t_f32)(int64_t rows, int64_t cols, const float* src, int64_t cs, float* dst, int64_t ld);
  void (*pack_t_f64)(int64_t rows, int64_t cols, const double* src, int64_t cs, double* dst, int64_t ld);
};

namespace isa_generic { const IsaKernels& kernels(); }
#ifdef TL_HAVE_X86_VARIANTS
namespace isa_avx2 { const IsaKernels& kernels(); }
namespace isa_avx512 { const IsaKernels& kernels(); }
#endif

// The table in use (chosen once, on first call). Raises ValueError on an unknown TENSORLITE_ISA and
// RuntimeError when the forced ISA is not supported by this CPU.
const IsaKernels& isa();
// Which variants this CPU can run, best first, and which ones were compiled.
const char* isa_compiled();
const char* isa_supported();

}  // namespace tl::cpu
