// The packed GEMM's pieces (BLIS / Goto structure), shared by the per-ISA kernels
// (csrc/cpu/gemm/ukernel.cpp, compiled once per ISA into csrc/cpu/isa's table) and the driver
// (csrc/cpu/gemm/driver.cpp: blocking, packing order, threads).
//
// The micro-kernel computes one MR x NR tile of C, vectors running along C's columns (j) and A's
// elements broadcast along its rows (i):
//   C[i*rsc + j*csc] = alpha * sum_k A(i, k) * B(k, j) + beta * C[...]     i < m <= MR, j < n <= NR
//   A(i, k) = a[i*ars + k*acs]: either a packed sliver (ars = 1, acs = MR, zero-padded to MR rows) or
//            the operand itself when it has a unit stride (ars == 1: k-major; acs == 1: row-major)
//            and all MR rows exist;
//   B(k, j) = b[k*NR + j]: a packed panel, zero-padded to NR columns.
// beta == 0 makes C write-only (NaN/Inf already in C do not leak, as in BLAS). Every output is
// (0 + its kc products in k order), then scaled and added once: the value depends on kc, never on
// which thread ran the tile.
#pragma once
#include <cstdint>

namespace tl::cpu {

template <class T>
struct GemmKernel {
  int mr = 0, nr = 0;
  void (*ukr)(int64_t kc, const T* a, int64_t ars, int64_t acs, const T* b, T* c, int64_t rsc, int64_t csc,
              int64_t m, int64_t n, T alpha, T beta) = nullptr;
  // One A sliver: dst[k*MR + i] = src[i*rs + k*cs] for i < m (zero for m <= i < MR), k < kc.
  void (*pack_a)(int64_t m, int64_t kc, const T* src, int64_t rs, int64_t cs, T* dst) = nullptr;
  // One B panel: dst[k*NR + j] = src[k*rs + j*cs] for j < n (zero for n <= j < NR), k < kc.
  void (*pack_b)(int64_t kc, int64_t n, const T* src, int64_t rs, int64_t cs, T* dst) = nullptr;
};

}  // namespace tl::cpu

// ---- the driver (driver.cpp) ------------------------------------------------------------------
namespace tl::cpu {
struct GemmArgs;

// Block sizes and path choices. Derived once from the cache sizes and the selected ISA's MR/NR;
// `overrides` exist for tuning experiments and for tests that force a path (0 = automatic).
struct GemmBlocking {
  int64_t mr, nr, kc, mc, nc;
};
struct GemmOverrides {
  int64_t kc = 0, mc = 0, nc = 0;
  int orient = 0;  // 1: as given, 2: transposed (C^T = B^T A^T)
  int pack_a = 0;  // 1: always pack A, 2: never (A used in place when it has a unit stride)
  int path = 0;    // 1: always the packed path (no matrix-vector shortcut)
};
struct CacheSizes {
  int64_t l1d, l2, l3;
};
const CacheSizes& cache_sizes();
GemmBlocking gemm_blocking(bool f64);
GemmOverrides& gemm_overrides();

void gemm_f32(const GemmArgs& g, float alpha, float beta);
void gemm_f64(const GemmArgs& g, double alpha, double beta);
}  // namespace tl::cpu
