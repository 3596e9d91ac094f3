// GEMM micro-kernels and panel packing (contract in gemm.h), compiled once per ISA with that ISA's
// flags (CMakeLists.txt), so one source gives the AVX-512, AVX2+FMA and portable variants:
//   avx512:  MR x NR = 6 x 64 float / 6 x 32 double: 24 zmm accumulators, 4 B vectors, 1 broadcast
//   avx2:    6 x 16 float / 6 x 8 double: 12 ymm accumulators, 2 B vectors, 1 broadcast
//   generic: 6 x 8 float / 6 x 4 double on 16-byte vectors (SSE2 on x86-64, NEON-sized elsewhere)
// Broadcasting A along rows and loading B along C's columns keeps C's tile rows contiguous for the
// usual row-major output. Per k step the AVX-512 kernel issues 24 FMAs (12 cycles on two FMA ports)
// against 4 vector loads and 6 broadcasts: load ports stay under one per cycle, and 24 independent
// accumulators cover the 4-cycle FMA latency twice over.
#include <cstdint>
#include <utility>
#if defined(__SSE2__)
#include <immintrin.h>
#endif
#include "../isa/isa.h"
#include "../isa/isa_fill.h"
#include "../isa/vec.h"

namespace tl::cpu::TL_ISA_NS {

namespace {

using namespace vec;
constexpr int kVecBytes = vec::kBytes;
constexpr int kNV = kVecBytes == 64 ? 4 : 2;  // B vectors per k step: 4 zmm, 2 ymm, 2 xmm
constexpr int kMR = 6;

// All lanes = s, as one broadcast instruction (a memory operand folds into it). Spelled per ISA:
// V{} + s would be an extra dependent add (turning -0 into +0), and a lane loop becomes masked inserts.
inline vf bcast(float s) {
#if defined(__AVX512F__)
  return _mm512_set1_ps(s);
#elif defined(__AVX2__)
  return _mm256_set1_ps(s);
#elif defined(__SSE2__)
  return _mm_set1_ps(s);
#else
  return vf{s, s, s, s};
#endif
}
inline vd bcast(double s) {
#if defined(__AVX512F__)
  return _mm512_set1_pd(s);
#elif defined(__AVX2__)
  return _mm256_set1_pd(s);
#elif defined(__SSE2__)
  return _mm_set1_pd(s);
#else
  return vd{s, s};
#endif
}

// acc + a * b as one fused instruction where the ISA has one (the portable build has no FMA).
inline vf fmadd(vf a, vf b, vf acc) {
#if defined(__AVX512F__)
  return _mm512_fmadd_ps(a, b, acc);
#elif defined(__AVX2__)
  return _mm256_fmadd_ps(a, b, acc);
#else
  return acc + a * b;
#endif
}
inline vd fmadd(vd a, vd b, vd acc) {
#if defined(__AVX512F__)
  return _mm512_fmadd_pd(a, b, acc);
#elif defined(__AVX2__)
  return _mm256_fmadd_pd(a, b, acc);
#else
  return acc + a * b;
#endif
}

// The k loop: acc[i][v] = sum_k A(i, k) * B(k, v*L .. v*L+L). A is read k-major (a[k*ld + i]: a
// packed sliver, ld = MR, or a column-major operand) or row-major (a[i*ld + k]).
template <class T, bool KMajor>
inline void kloop(int64_t kc, const T* a, int64_t ld, const T* b, typename Vec<T>::type (&acc)[kMR][kNV]) {
  using V = typename Vec<T>::type;
  constexpr int L = kVecBytes / sizeof(T);
  constexpr int NR = kNV * L;
#pragma GCC unroll 8
  for (int i = 0; i < kMR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < kNV; ++v) acc[i][v] = V{};
  const T* rows[kMR];
#pragma GCC unroll 8
  for (int i = 0; i < kMR; ++i) rows[i] = a + i * ld;
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    V bv[kNV];
#pragma GCC unroll 4
    for (int v = 0; v < kNV; ++v) bv[v] = loadu<V>(b + k * NR + v * L);
#pragma GCC unroll 8
    for (int i = 0; i < kMR; ++i) {
      const V ai = bcast(KMajor ? a[k * ld + i] : rows[i][k]);
#pragma GCC unroll 4
      for (int v = 0; v < kNV; ++v) acc[i][v] = fmadd(ai, bv[v], acc[i][v]);
    }
  }
}

template <class T>
void ukr(int64_t kc, const T* a, int64_t ars, int64_t acs, const T* b, T* c, int64_t rsc, int64_t csc, int64_t m,
         int64_t n, T alpha, T beta) {
  using V = typename Vec<T>::type;
  constexpr int L = kVecBytes / sizeof(T);
  constexpr int NR = kNV * L;
  V acc[kMR][kNV];
  // The C tile is read at the end: start fetching it now, behind the k loop (C is the one operand
  // that is not packed, and its rows are often far apart).
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; j += 64 / sizeof(T)) __builtin_prefetch(c + i * rsc + j * csc, 1, 3);
  if (ars == 1) kloop<T, true>(kc, a, acs, b, acc);
  else kloop<T, false>(kc, a, ars, b, acc);
  const V va = bcast(alpha), vb = bcast(beta);
  if (m == kMR && n == NR && csc == 1) {
#pragma GCC unroll 8
    for (int i = 0; i < kMR; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < kNV; ++v) {
        T* p = c + i * rsc + v * L;
        storeu(p, beta == T(0) ? va * acc[i][v] : fmadd(vb, loadu<V>(p), va * acc[i][v]));
      }
    return;
  }
  // Edge tiles and strided C: through a small buffer, only the m x n valid elements touched.
  alignas(64) T tile[kMR][NR];
#pragma GCC unroll 8
  for (int i = 0; i < kMR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < kNV; ++v) storeu(&tile[i][v * L], acc[i][v]);
  for (int64_t i = 0; i < m; ++i) {
    T* ci = c + i * rsc;
    if (beta == T(0)) {
      for (int64_t j = 0; j < n; ++j) ci[j * csc] = alpha * tile[i][j];
    } else {
      for (int64_t j = 0; j < n; ++j) ci[j * csc] = alpha * tile[i][j] + beta * ci[j * csc];
    }
  }
}

// In-register transpose of an L x L block: log2(L) butterfly stages of two-input shuffles (stage s
// swaps the off-diagonal s x s sub-blocks of every 2s x 2s block).
template <class T, int S, class V, size_t... I>
inline void butterfly(V* v, std::index_sequence<I...>) {
  constexpr int L = sizeof...(I);
  using M = typename Vec<T>::mask;
  using E = typename Vec<T>::mask_elem;
  const M lo = {static_cast<E>((I & S) == 0 ? I : L + I - S)...};
  const M hi = {static_cast<E>((I & S) == 0 ? I + S : L + I)...};
#pragma GCC unroll 16
  for (int i = 0; i < L; ++i) {
    if (i & S) continue;
    V x = v[i], y = v[i + S];
    v[i] = __builtin_shuffle(x, y, lo);
    v[i + S] = __builtin_shuffle(x, y, hi);
  }
}

template <class T, int S, class V>
inline void transpose(V* v) {
  if constexpr (S >= 1) {
    constexpr int L = kVecBytes / sizeof(T);
    butterfly<T, S>(v, std::make_index_sequence<L>{});
    transpose<T, S / 2>(v);
  }
}

template <class T>
void pack_b(int64_t kc, int64_t n, const T* src, int64_t rs, int64_t cs, T* dst) {
  using V = typename Vec<T>::type;
  constexpr int L = kVecBytes / sizeof(T);
  constexpr int NR = kNV * L;
  if (cs == 1 && n == NR) {  // row-major B: each k row of the panel is one contiguous run
    for (int64_t k = 0; k < kc; ++k)
#pragma GCC unroll 4
      for (int v = 0; v < kNV; ++v) storeu(dst + k * NR + v * L, loadu<V>(src + k * rs + v * L));
    return;
  }
  int64_t j0 = 0;
  if (rs == 1) {  // B^T stored row-major (x @ W^T): transpose L x L blocks of k-contiguous columns
    for (; j0 + L <= n; j0 += L) {
      int64_t k0 = 0;
      for (; k0 + L <= kc; k0 += L) {
        V v[L];
#pragma GCC unroll 16
        for (int j = 0; j < L; ++j) v[j] = loadu<V>(src + (j0 + j) * cs + k0);
        transpose<T, L / 2>(v);
#pragma GCC unroll 16
        for (int k = 0; k < L; ++k) storeu(dst + (k0 + k) * NR + j0, v[k]);
      }
      for (int64_t j = j0; j < j0 + L; ++j)
        for (int64_t k = k0; k < kc; ++k) dst[k * NR + j] = src[k + j * cs];
    }
  }
  for (int64_t k = 0; k < kc; ++k) {
    T* d = dst + k * NR;
    const T* s = src + k * rs;
    for (int64_t j = j0; j < n; ++j) d[j] = s[j * cs];
    for (int64_t j = n; j < NR; ++j) d[j] = T(0);
  }
}

template <class T>
void pack_a(int64_t m, int64_t kc, const T* src, int64_t rs, int64_t cs, T* dst) {
  if (rs == 1 && m == kMR) {  // k-major already (a transposed A): MR contiguous values per k
    for (int64_t k = 0; k < kc; ++k)
#pragma GCC unroll 8
      for (int i = 0; i < kMR; ++i) dst[k * kMR + i] = src[k * cs + i];
    return;
  }
  for (int64_t i = 0; i < m; ++i) {  // row by row: each source row is read as one stream
    const T* s = src + i * rs;
    for (int64_t k = 0; k < kc; ++k) dst[k * kMR + i] = s[k * cs];
  }
  for (int64_t i = m; i < kMR; ++i)
    for (int64_t k = 0; k < kc; ++k) dst[k * kMR + i] = T(0);
}

template <class T>
GemmKernel<T> make_kernel() {
  GemmKernel<T> k;
  k.mr = kMR;
  k.nr = kNV * (kVecBytes / static_cast<int>(sizeof(T)));
  k.ukr = ukr<T>;
  k.pack_a = pack_a<T>;
  k.pack_b = pack_b<T>;
  return k;
}

}  // namespace

void fill_gemm_packed(IsaKernels& k) {
  k.gemm_f32 = make_kernel<float>();
  k.gemm_f64 = make_kernel<double>();
}

}  // namespace tl::cpu::TL_ISA_NS
