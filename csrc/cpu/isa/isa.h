// Run-time ISA dispatch. Every file in this folder is compiled three times (generic, avx2, avx512),
// each time inside namespace tl::cpu::TL_ISA_NS with that ISA's flags (see CMakeLists.txt). Each
// compilation contributes one IsaKernels table; select_isa() picks the best one this CPU supports,
// or the one named by the environment variable TENSORLITE_ISA (generic|avx2|avx512) so tests can
// exercise every variant on one machine.
#pragma once
#include <cstdint>
#include "../gemm/gemm.h"

namespace tl::cpu {

// Unary ops with a contiguous row kernel in the table (csrc/cpu/isa/vmath.cpp).
enum class VecUnary : int { exp, sigmoid, silu, tanh, gelu_tanh, log, count };
constexpr int kVecUnaryCount = static_cast<int>(VecUnary::count);

struct IsaKernels {
  const char* name;
  // Matrix-vector kernels of the GEMM's one-row path (csrc/cpu/gemm/driver.cpp).
  // C[m,n] += sum_k A[m,k] B[k,n], B row-major: rows of B scaled and accumulated (axpy form).
  //   a: (mb, kb) row-major, lda; b: (kb, nb) row-major, ldb; c: (mb, nb) row-major, ldc
  void (*gemm_block_f32)(int64_t mb, int64_t nb, int64_t kb, const float* a, int64_t lda, const float* b,
                         int64_t ldb, float* c, int64_t ldc);
  void (*gemm_block_f64)(int64_t mb, int64_t nb, int64_t kb, const double* a, int64_t lda, const double* b,
                         int64_t ldb, double* c, int64_t ldc);
  // C[m,n] += sum_k A[m,k] B[n,k]: both operands K-contiguous (dot-product form: x @ W^T for one row x).
  //   a: (mb, kb) row-major, lda; b: (nb, kb) row-major, ldb; c: (mb, nb) row-major, ldc
  void (*gemm_nt_f32)(int64_t mb, int64_t nb, int64_t kb, const float* a, int64_t lda, const float* b,
                      int64_t ldb, float* c, int64_t ldc);
  void (*gemm_nt_f64)(int64_t mb, int64_t nb, int64_t kb, const double* a, int64_t lda, const double* b,
                      int64_t ldb, double* c, int64_t ldc);
  // The packed GEMM (csrc/cpu/gemm): micro-kernel and panel packing.
  GemmKernel<float> gemm_f32;
  GemmKernel<double> gemm_f64;

  // y[i] = f(x[i]) for i < n on contiguous runs (y may be x), indexed by VecUnary. About 1 ulp;
  // inf/NaN/overflow/underflow/-0 as the scalar definitions in core/math.h.
  void (*unary_f32[kVecUnaryCount])(const float* x, float* y, int64_t n);
  void (*unary_f64[kVecUnaryCount])(const double* x, double* y, int64_t n);
  // Softmax row pieces. row_max skips NaN (it still poisons the row through exp). exp_sum writes
  // y[i] = exp(x[i] - shift) (unless y is null) and returns their sum, in a lane order that is the same
  // for every ISA. scale: y *= s. sub2: y = (x - a) - b.
  float (*row_max_f32)(const float* x, int64_t n);
  double (*row_max_f64)(const double* x, int64_t n);
  double (*exp_sum_f32)(const float* x, float* y, int64_t n, float shift);
  double (*exp_sum_f64)(const double* x, double* y, int64_t n, double shift);
  void (*scale_f32)(float* y, int64_t n, float s);
  void (*scale_f64)(double* y, int64_t n, double s);
  void (*sub2_f32)(const float* x, float* y, int64_t n, float a, float b);
  void (*sub2_f64)(const double* x, double* y, int64_t n, double a, double b);
  // float32 sums with double accumulation: of a contiguous run, and acc[j] += sum_r p[r * st + j]
  // (r < nr, j < jl <= 256) for the "sum over a leading dim" loop.
  double (*sum_f32)(const float* p, int64_t n);
  void (*sum_rows_f32)(double* acc, const float* p, int64_t st, int64_t nr, int64_t jl);
  // Cross-entropy rows (csrc/cpu/loss.cpp): ce_lse writes *m = max(x) and returns sum(exp(x - *m))
  // (double lanes, tail padded with -inf); ce_exp_scale: y = exp(x - shift) * s.
  double (*ce_lse_f32)(const float* x, int64_t n, float* m);
  double (*ce_lse_f64)(const double* x, int64_t n, double* m);
  void (*ce_exp_scale_f32)(const float* x, float* y, int64_t n, float shift, float s);
  void (*ce_exp_scale_f64)(const double* x, double* y, int64_t n, double shift, double s);
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
