// C (M, N) = alpha * A (M, K) @ B (K, N) + beta * C over a batch of strided operands: the entry point.
// float32/float64 go to the packed GEMM (csrc/cpu/gemm/driver.cpp); integers use a plain loop with
// wrapping arithmetic, parallel over output rows, as torch's CPU path.
#include "matmul.h"
#include <algorithm>
#include <type_traits>
#include <vector>
#include "../core/parallel.h"
#include "gemm/gemm.h"

namespace tl::cpu {

namespace {

// Integer matmul: torch's CPU path accumulates in the operand type and wraps on overflow; unsigned
// arithmetic gives the same bits without signed-overflow UB.
template <class T>
void gemm_int(const GemmArgs& g, T alpha, T beta) {
  using U = std::make_unsigned_t<std::conditional_t<(sizeof(T) < sizeof(int)), unsigned, T>>;
  const T* A = static_cast<const T*>(g.a);
  const T* B = static_cast<const T*>(g.b);
  T* C = static_cast<T*>(g.c);
  const int64_t rows = g.batch * g.M;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, g.N * std::max<int64_t>(g.K, 1)));
  parallel_for(0, rows, grain, [&](int64_t r0, int64_t r1) {
    std::vector<U> acc(static_cast<size_t>(g.N));
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t bi = r / g.M, i = r % g.M;
      const T* a = A + g.a_off[bi] + i * g.rsa;
      const T* b = B + g.b_off[bi];
      T* c = C + g.c_off[bi] + i * g.rsc;
      std::fill(acc.begin(), acc.end(), U(0));
      for (int64_t k = 0; k < g.K; ++k) {
        const U aik = static_cast<U>(a[k * g.csa]);
        const T* bk = b + k * g.rsb;
        for (int64_t j = 0; j < g.N; ++j) acc[j] += aik * static_cast<U>(bk[j * g.csb]);
      }
      for (int64_t j = 0; j < g.N; ++j) {
        U v = static_cast<U>(alpha) * acc[j];
        if (beta != T(0)) v += static_cast<U>(beta) * static_cast<U>(c[j * g.csc]);
        c[j * g.csc] = static_cast<T>(v);
      }
    }
  });
}

}  // namespace

void gemm(DType dt, const GemmArgs& g, const Scalar& alpha, const Scalar& beta) {
  if (g.batch == 0 || g.M == 0 || g.N == 0) return;
  switch (dt) {
    case DType::Float32: return gemm_f32(g, alpha.to<float>(), beta.to<float>());
    case DType::Float64: return gemm_f64(g, alpha.to<double>(), beta.to<double>());
    case DType::Int64: return gemm_int<int64_t>(g, alpha.to<int64_t>(), beta.to<int64_t>());
    case DType::Int32: return gemm_int<int32_t>(g, alpha.to<int32_t>(), beta.to<int32_t>());
    case DType::UInt8: return gemm_int<uint8_t>(g, alpha.to<uint8_t>(), beta.to<uint8_t>());
    default: TL_THROW(NotImplemented, "\"addmm_impl_cpu_\" not implemented for '", dtype_torch_name(dt), "'");
  }
}

}  // namespace tl::cpu
