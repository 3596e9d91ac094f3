// Matrix-vector kernels for the GEMM's one-row path (csrc/cpu/gemm/driver.cpp), compiled once per ISA.
//   gemm_block: C (mb, nb) += A (mb, kb) @ B (kb, nb)      all row-major with leading dims
//   gemm_nt:    C (mb, nb) += A (mb, kb) @ B (nb, kb)^T    both operands K-contiguous (dot products)
// Both are register-blocked with GCC vector extensions, which the compiler lowers to the widest
// vectors of the ISA this copy is built for (SSE2 / AVX2+FMA / AVX-512), so one source serves all
// three variants. Every output element is reduced as (0 + its K-sum in a fixed order), then added to
// C once: the result depends on the block sizes the caller picks, never on which thread runs it.
// Products with more than one row go through the packed micro-kernels in csrc/cpu/gemm instead.
#include <cstdint>
#include <cstring>
#include <utility>
#include "isa.h"
#include "isa_fill.h"
#include "vec.h"

namespace tl::cpu::TL_ISA_NS {

namespace {

using namespace vec;
constexpr int kVecBytes = vec::kBytes;
// Rows per register tile: 8 x 2 = 16 accumulators of 32 zmm; 6 x 2 = 12 (+ 2 B vectors + 1 broadcast) of 16.
constexpr int kRows = kVecBytes == 64 ? 8 : 6;

// R rows of A times NV vectors of B columns, summed over all kb.
template <class T, int R, int NV>
inline void tile_nn(int64_t kb, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc) {
  using V = typename Vec<T>::type;
  constexpr int L = kVecBytes / sizeof(T);
  V acc[R][NV];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = V{};
  for (int64_t k = 0; k < kb; ++k) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = loadu<V>(b + k * ldb + v * L);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const T ar = a[r * lda + k];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] += bv[v] * ar;
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      T* cp = c + r * ldc + v * L;
      storeu(cp, loadu<V>(cp) + acc[r][v]);
    }
}

// R rows, all nb columns: two-vector blocks, then one vector, then scalar columns.
template <class T, int R>
inline void rows_nn(int64_t nb, int64_t kb, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc) {
  constexpr int L = kVecBytes / sizeof(T);
  int64_t j = 0;
  for (; j + 2 * L <= nb; j += 2 * L) tile_nn<T, R, 2>(kb, a, lda, b + j, ldb, c + j, ldc);
  for (; j + L <= nb; j += L) tile_nn<T, R, 1>(kb, a, lda, b + j, ldb, c + j, ldc);
  for (; j < nb; ++j)
    for (int r = 0; r < R; ++r) {
      T s = 0;
      for (int64_t k = 0; k < kb; ++k) s += a[r * lda + k] * b[k * ldb + j];
      c[r * ldc + j] += s;
    }
}

template <class T, int R>
inline void rows_nn_dispatch(int rows, int64_t nb, int64_t kb, const T* a, int64_t lda, const T* b, int64_t ldb,
                             T* c, int64_t ldc) {
  if constexpr (R > 0) {
    if (rows == R) return rows_nn<T, R>(nb, kb, a, lda, b, ldb, c, ldc);
    return rows_nn_dispatch<T, R - 1>(rows, nb, kb, a, lda, b, ldb, c, ldc);
  }
}

template <class T>
void gemm_block(int64_t mb, int64_t nb, int64_t kb, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                int64_t ldc) {
  // Row panels of A (kRows x kb) stay in L1 while the B block streams from L2.
  int64_t i = 0;
  for (; i + kRows <= mb; i += kRows) rows_nn<T, kRows>(nb, kb, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
  if (i < mb)
    rows_nn_dispatch<T, kRows - 1>(static_cast<int>(mb - i), nb, kb, a + i * lda, lda, b, ldb, c + i * ldc, ldc);
}

// Horizontal sum as a fixed pairwise tree, kept in registers: each step adds the vector rotated by half
// of the remaining width (a spill to memory and scalar reloads stalls on store forwarding).

template <class T, int W, class V, size_t... I>
inline V fold_half(V v, std::index_sequence<I...>) {
  constexpr int L = sizeof...(I);
  using M = typename Vec<T>::mask;
  using E = typename Vec<T>::mask_elem;
  const M mask = {static_cast<E>((I + W) % L)...};
  return v + __builtin_shuffle(v, mask);
}

template <class T, int W, class V>
inline V fold_all(V v) {
  if constexpr (W >= 1) {
    constexpr int L = kVecBytes / sizeof(T);
    return fold_all<T, W / 2>(fold_half<T, W>(v, std::make_index_sequence<L>{}));
  } else {
    return v;
  }
}

template <class T, class V>
inline T hsum(V v) {
  constexpr int L = kVecBytes / sizeof(T);
  return fold_all<T, L / 2>(v)[0];
}

// RI rows of A against RJ rows of B (dot products over kb).
template <class T, int RI, int RJ>
inline void tile_nt(int64_t kb, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc) {
  using V = typename Vec<T>::type;
  constexpr int L = kVecBytes / sizeof(T);
  V acc[RI][RJ];
#pragma GCC unroll 4
  for (int r = 0; r < RI; ++r)
#pragma GCC unroll 4
    for (int s = 0; s < RJ; ++s) acc[r][s] = V{};
  int64_t k = 0;
  for (; k + L <= kb; k += L) {
    V av[RI], bv[RJ];
#pragma GCC unroll 4
    for (int r = 0; r < RI; ++r) av[r] = loadu<V>(a + r * lda + k);
#pragma GCC unroll 4
    for (int s = 0; s < RJ; ++s) bv[s] = loadu<V>(b + s * ldb + k);
#pragma GCC unroll 4
    for (int r = 0; r < RI; ++r)
#pragma GCC unroll 4
      for (int s = 0; s < RJ; ++s) acc[r][s] += av[r] * bv[s];
  }
  for (int r = 0; r < RI; ++r)
    for (int s = 0; s < RJ; ++s) {
      T sum = hsum<T>(acc[r][s]);
      for (int64_t kk = k; kk < kb; ++kk) sum += a[r * lda + kk] * b[s * ldb + kk];
      c[r * ldc + s] += sum;
    }
}

template <class T, int RI, int RJ>
inline void tile_nt_dispatch(int ri, int rj, int64_t kb, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                             int64_t ldc) {
  if constexpr (RI > 0 && RJ > 0) {
    if (ri == RI && rj == RJ) return tile_nt<T, RI, RJ>(kb, a, lda, b, ldb, c, ldc);
    if (rj < RJ) return tile_nt_dispatch<T, RI, RJ - 1>(ri, rj, kb, a, lda, b, ldb, c, ldc);
    return tile_nt_dispatch<T, RI - 1, RJ>(ri, rj, kb, a, lda, b, ldb, c, ldc);
  }
}

template <class T>
void gemm_nt(int64_t mb, int64_t nb, int64_t kb, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
             int64_t ldc) {
  // 2 x 4 tiles: 8 accumulators fed by 6 loads per k-vector.
  constexpr int RI = 2, RJ = 4;
  for (int64_t j = 0; j < nb; j += RJ) {
    int rj = static_cast<int>(nb - j < RJ ? nb - j : RJ);
    for (int64_t i = 0; i < mb; i += RI) {
      int ri = static_cast<int>(mb - i < RI ? mb - i : RI);
      tile_nt_dispatch<T, RI, RJ>(ri, rj, kb, a + i * lda, lda, b + j * ldb, ldb, c + i * ldc + j, ldc);
    }
  }
}

}  // namespace

void fill_gemm(IsaKernels& k) {
  k.gemm_block_f32 = gemm_block<float>;
  k.gemm_block_f64 = gemm_block<double>;
  k.gemm_nt_f32 = gemm_nt<float>;
  k.gemm_nt_f64 = gemm_nt<double>;
}

}  // namespace tl::cpu::TL_ISA_NS
