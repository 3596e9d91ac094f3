// The fast CUDA GEMM for float32 and float64:
//   C (M, N) = alpha * A (M, K) @ B (K, N) + beta * C,  for each of `batch` items (strided, any strides)
// beta == 0: C is write-only (NaN in C does not leak). K == 0 or alpha == 0: beta * C (A, B not read).
// Deterministic: every output is one thread's (SIMT) or one warp's (TF32) fixed-order sum over K; no atomics,
// no split-K.
//
// Two kernels share the tile loader and the epilogue:
//   - gemm_simt<T, BM, BN, TM, TN> (float32 without TF32, float64): a BM x BN tile of C per 256-thread block,
//     K in slices of BK = 16 staged through shared memory. 8 warps each own a (4 TM) x (8 TN) sub-tile
//     (warp tiling); a lane owns TM x TN outputs in runs of 4 (register blocking) at rows
//     lm * 4 + 16 i, cols ln * 4 + 32 j (lm = lane / 8, ln = lane % 8). Both tiles sit in shared memory
//     k-major (A transposed to As[k][m]), so a lane reads its A and B values as 16-byte vectors, and the
//     warp's reads touch 16 (A) + 32 (B) consecutive words: conflict-free, the rest broadcasts.
//   - gemm_tf32<BM, BN, WARPS_M, WARPS_N> (float32 with allow_tf32, sm_80+): the same staging, tiles
//     row-major in k (As[m][k], Bs[n][k], pitch BK + 4, which makes the fragment reads conflict-free),
//     inputs rounded with cvt.rna.tf32.f32 (as cuBLAS) when stored to shared memory, and each warp
//     issuing mma.sync.m16n8k8 over its (BM / WARPS_M) x (BN / WARPS_N) sub-tile, accumulating in float32.
// Shared pipeline: two shared buffers plus a register prefetch. While the block computes slice k from
// one buffer, each thread's global loads of slice k + 1 are in flight into registers; it then stores them
// into the other buffer, and one barrier per slice separates the phases (see the loop for the argument).
//
// Tile loads: each thread moves "chunks" of 4 consecutive elements of an operand along its unit-stride
// dimension (K for row-major A or transposed B, M/N otherwise), as one 16-byte vector when the launch found
// that dimension contiguous and every batch item's base and leading stride 16-byte aligned (a view
// starting at element 1 is not), else as 4 scalar loads with any strides. Out-of-range elements read 0:
// for k >= K both operands are 0, so the padding never multiplies a valid row's Inf/NaN. The thread-to-chunk
// maps are chosen per layout so that global reads use whole 32-byte sectors and the shared stores are
// conflict-free (or nearly so; see chunk_coords).
//
// Tile sizes: 128 x 128 (f32, 8 x 8 per thread; TF32 128 x 128 with 64 x 32 per warp) when that still
// gives every SM a block, else 64 x 64 (f32 4 x 4 per thread; TF32 32 x 32 per warp, 128 threads). float64
// always uses 64 x 64 with 4 x 4 doubles per thread (an 8 x 8 double accumulator would need 128 registers).
// Tiles are visited in groups of 8 tile-rows (all columns of a group before the next), so blocks running
// together share A rows and B columns in L2. Not yet run on a GPU: compiled for sm_80/sm_90 and reviewed.
#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <type_traits>
#include <vector>
#include "../core/precision.h"
#include "common.cuh"
#include "gemm.cuh"

namespace tl::cuda {

namespace {

constexpr int kTf32BK = 16;  // K slice staged per step by the TF32 kernel (the SIMT one: SimtCfg::BK)
constexpr int kGroupM = 8;  // tile-rows per L2 group

// One operand as tiles see it: "rows" are M for A and N for B, so A and B load with the same code.
template <class T>
struct Operand {
  const T* ptr;
  int64_t rs, ks;  // element strides along rows and along K
  bool kvec;       // chunks run along K (else along rows)
  bool vec16;      // chunks are contiguous and 16-byte aligned for every batch item
};

template <class T>
struct FastParams {
  Operand<T> a, b;
  T* c;
  int64_t rsc, csc;
  bool c_vec;  // C rows contiguous and aligned for the epilogue's vector access
  int64_t M, N, K, batch, tiles_m, tiles_n;
  const int64_t* offs;  // [3 * batch] on the device, or null (offsets folded into the pointers)
  T alpha, beta;
};

// ---- 16-byte and 8-byte vector access ---------------------------------------------------------------
__device__ __forceinline__ void ld16(float (&v)[4], const float* p) {
  const float4 x = *reinterpret_cast<const float4*>(p);
  v[0] = x.x; v[1] = x.y; v[2] = x.z; v[3] = x.w;
}
__device__ __forceinline__ void ld16(double (&v)[4], const double* p) {  // two 16-byte halves
  const double2 x = *reinterpret_cast<const double2*>(p);
  const double2 y = *reinterpret_cast<const double2*>(p + 2);
  v[0] = x.x; v[1] = x.y; v[2] = y.x; v[3] = y.y;
}
__device__ __forceinline__ void st16(float* p, const float (&v)[4]) {
  *reinterpret_cast<float4*>(p) = make_float4(v[0], v[1], v[2], v[3]);
}
__device__ __forceinline__ void st16(double* p, const double (&v)[4]) {
  *reinterpret_cast<double2*>(p) = make_double2(v[0], v[1]);
  *reinterpret_cast<double2*>(p + 2) = make_double2(v[2], v[3]);
}
__device__ __forceinline__ void ld8(float (&v)[2], const float* p) {
  const float2 x = *reinterpret_cast<const float2*>(p);
  v[0] = x.x; v[1] = x.y;
}
__device__ __forceinline__ void st8(float* p, const float (&v)[2]) {
  *reinterpret_cast<float2*>(p) = make_float2(v[0], v[1]);
}

// ---- tile loading -------------------------------------------------------------------------------------
// Where chunk c (0 <= c < BR * BK / 4) of a BR x BK operand tile comes from (tile row r, tile k) and goes
// to in shared memory (soff, then soff + j * sstep for element j). lane = c % 32 (blocks have a multiple of
// 32 threads and chunk c is thread c % threads), which the maps use to spread a warp's stores over banks.
//   KMajor (SIMT, tile[k][r], pitch P = BR + 16 bytes; P = 4 mod 32 words):
//     kvec: a warp takes 16 rows x 2 chunks (32 contiguous bytes per row); store j of chunk (r, k) hits
//           word k * P + r + j * P: the two chunks are 4 * P = 16 words apart, rows 0..15: 32 banks.
//     rows: consecutive chunks along the row (one contiguous run per k), stored as one 16-byte vector.
//   RowMajor (TF32, tile[r][k], pitch BK + 4 = 20 words):
//     kvec: a warp takes 8 rows x 4 chunks, stored as 16-byte vectors; each 8-lane phase pairs rows r and
//           r + 4 (20 * 4 = 16 mod 32 words apart), so the phase covers 32 banks.
//     rows: a warp takes 16 k x 2 chunks of 4 rows (32 contiguous bytes per k); store j hits word
//           (r + j) * 20 + k: k spans 16 banks and the two chunks are 4 * 20 = 16 mod 32 apart.
template <bool KMajor, int BR, int BK, int P>
__device__ __forceinline__ void chunk_coords(int c, bool kvec, int& r, int& k, int& soff, int& sstep) {
  const int q = c >> 5, l = c & 31;
  if constexpr (KMajor) {
    static_assert(BR % 16 == 0 && BK % 8 == 0, "kvec map: 16 rows x 2 chunks per warp");
    if (kvec) {
      r = 16 * (q % (BR / 16)) + (l >> 1);
      k = 4 * (2 * (q / (BR / 16)) + (l & 1));
    } else {
      k = c / (BR / 4);
      r = 4 * (c % (BR / 4));
    }
    soff = k * P + r;
    sstep = kvec ? P : 1;
  } else {
    static_assert(BK == 16 && BR % 8 == 0, "TF32 maps: 8 rows x 4 chunks or 16 k x 2 chunks per warp");
    if (kvec) {
      const int rr = l >> 2;
      r = 8 * q + (rr >> 1) + 4 * (rr & 1);
      k = 4 * (l & 3);
    } else {
      k = l & 15;
      r = 4 * (2 * q + (l >> 4));
    }
    soff = r * P + k;
    sstep = kvec ? 1 : P;
  }
}

inline __device__ int clamp4(int64_t v) { return static_cast<int>(v < 0 ? 0 : (v > 4 ? 4 : v)); }

// A thread's NCH chunks of one operand: their global addresses (advanced one slice at a time), shared
// offsets, and the registers that carry a slice from the global load to the shared store.
template <class T, int NCH, int BK>
struct Chunks {
  const T* p[NCH];
  int soff[NCH];
  int k[NCH];     // chunk's k within the slice
  int rlim[NCH];  // elements of the chunk (kvec: 1 or 0 for its row) inside the operand's rows, 0..4
  int sstep;
  T v[NCH][4];

  // Set up for a tile whose first row is r0 (rows: the operand's M or N).
  template <bool KMajor, int BR, int P, int THREADS>
  __device__ __forceinline__ void init(const Operand<T>& op, const T* base, int64_t r0, int64_t rows) {
#pragma unroll
    for (int i = 0; i < NCH; ++i) {
      int r, kk, so, ss;
      chunk_coords<KMajor, BR, BK, P>(static_cast<int>(threadIdx.x) + i * THREADS, op.kvec, r, kk, so, ss);
      p[i] = base + (r0 + r) * op.rs + kk * op.ks;
      soff[i] = so;
      k[i] = kk;
      sstep = ss;
      const int64_t left = rows - r0 - r;  // rows from this chunk's first to the operand's end
      rlim[i] = op.kvec ? (left > 0 ? 1 : 0) : clamp4(left);
    }
  }

  // Global -> registers for the slice starting at k0; then step the addresses to the next slice.
  __device__ __forceinline__ void load(const Operand<T>& op, int64_t k0, int64_t K) {
#pragma unroll
    for (int i = 0; i < NCH; ++i) {
      const int klim = clamp4(K - k0 - k[i]);  // elements of the chunk inside K (kvec), or 0 / >0 (rows)
      const int n = op.kvec ? (rlim[i] ? klim : 0) : (klim ? rlim[i] : 0);
      if (op.vec16 && n == 4) {
        ld16(v[i], p[i]);
      } else {
        const int64_t step = op.kvec ? op.ks : op.rs;
#pragma unroll
        for (int j = 0; j < 4; ++j) v[i][j] = j < n ? p[i][j * step] : T(0);
      }
      p[i] += BK * op.ks;
    }
  }

  // Registers -> shared tile `s` (f: the TF32 rounding, or identity).
  template <class F>
  __device__ __forceinline__ void store(T* s, F f) const {
#pragma unroll
    for (int i = 0; i < NCH; ++i) {
      T w[4];
#pragma unroll
      for (int j = 0; j < 4; ++j) w[j] = f(v[i][j]);
      if (sstep == 1) {
        st16(s + soff[i], w);
      } else {
#pragma unroll
        for (int j = 0; j < 4; ++j) s[soff[i] + j * sstep] = w[j];
      }
    }
  }
};

struct Identity {
  template <class X> __device__ __forceinline__ X operator()(X x) const { return x; }
};

// ---- the epilogue --------------------------------------------------------------------------------------
// Writes W consecutive outputs C[m, n .. n + W - 1] = alpha * acc + beta * C (C not read when beta == 0).
template <class T, int W>
__device__ __forceinline__ void write_run(const FastParams<T>& p, T* c, int64_t m, int64_t n, const T (&acc)[W]) {
  if (m >= p.M) return;
  T* row = c + m * p.rsc;
  if (p.c_vec && n + W <= p.N) {
    T v[W];
    if (p.beta != T(0)) {
      if constexpr (W == 4) ld16(v, row + n); else ld8(v, row + n);
#pragma unroll
      for (int j = 0; j < W; ++j) v[j] = p.alpha * acc[j] + p.beta * v[j];
    } else {
#pragma unroll
      for (int j = 0; j < W; ++j) v[j] = p.alpha * acc[j];
    }
    if constexpr (W == 4) st16(row + n, v); else st8(row + n, v);
    return;
  }
#pragma unroll
  for (int j = 0; j < W; ++j) {
    if (n + j >= p.N) break;
    T* cp = row + (n + j) * p.csc;
    T v = p.alpha * acc[j];
    if (p.beta != T(0)) v += p.beta * *cp;
    *cp = v;
  }
}

// Tile t of a tiles_m x tiles_n grid, visited in groups of kGroupM tile-rows, column by column in a group.
__device__ __forceinline__ void tile_of(int64_t t, int64_t tiles_m, int64_t tiles_n, int64_t& tm, int64_t& tn) {
  const int64_t width = kGroupM * tiles_n;
  const int64_t group = t / width, first = group * kGroupM;
  const int64_t rows = tiles_m - first < kGroupM ? tiles_m - first : kGroupM;
  const int64_t in = t - group * width;
  tm = first + in % rows;
  tn = in / rows;
}

// ---- SIMT kernel (float32, float64) -------------------------------------------------------------------------
template <class T, int BM, int BN, int TM, int TN, int BK_, int MINB>
struct SimtCfg {
  static constexpr int BK = BK_;
  static constexpr int LM = 4, LN = 8;  // lanes of a warp along M and N
  static constexpr int WM = TM * LM, WN = TN * LN;
  static constexpr int WARPS_M = BM / WM, WARPS_N = BN / WN;
  static constexpr int THREADS = 32 * WARPS_M * WARPS_N;
  static constexpr int PAD = 16 / static_cast<int>(sizeof(T));  // 4 words: see chunk_coords
  static constexpr int PA = BM + PAD, PB = BN + PAD;
  static constexpr int NCA = BM * BK / 4 / THREADS, NCB = BN * BK / 4 / THREADS;
  static_assert(TM % 4 == 0 && TN % 4 == 0 && BM % WM == 0 && BN % WN == 0, "runs of 4 per lane");
  static_assert(THREADS == 256, "tuned for 8 warps");
  static_assert(NCA * THREADS * 4 == BM * BK && NCB * THREADS * 4 == BN * BK, "whole chunks per thread");
};

// MINB: blocks per SM that the register budget must allow (2: at most 128 registers per thread).
template <class T, int BM, int BN, int TM, int TN, int BK, int MINB>
__global__ void __launch_bounds__(256, MINB)  // 256: SimtCfg::THREADS
gemm_simt(const FastParams<T> p) {
  using Cfg = SimtCfg<T, BM, BN, TM, TN, BK, MINB>;
  constexpr int PA = Cfg::PA, PB = Cfg::PB;
  __shared__ __align__(16) T As[2][BK * PA];  // As[buf][k * PA + m]
  __shared__ __align__(16) T Bs[2][BK * PB];  // Bs[buf][k * PB + n]

  const int tid = static_cast<int>(threadIdx.x);
  const int warp = tid >> 5, lane = tid & 31;
  const int wm = warp / Cfg::WARPS_N, wn = warp % Cfg::WARPS_N;
  const int lm = lane / Cfg::LN, ln = lane % Cfg::LN;
  const int a_col = wm * Cfg::WM + lm * 4;  // + 16 i: this lane's rows (of 4) in the tile
  const int b_col = wn * Cfg::WN + ln * 4;  // + 32 j: this lane's columns (of 4)
  const int64_t tiles = p.tiles_m * p.tiles_n;
  const int64_t ktiles = (p.K + BK - 1) / BK;

  // Both loop bounds depend on blockIdx only: every thread runs the same iterations, so no barrier inside
  // is divergent.
  for (int64_t bi = blockIdx.y; bi < p.batch; bi += gridDim.y) {
    const T* a = p.a.ptr + (p.offs ? p.offs[bi] : 0);
    const T* b = p.b.ptr + (p.offs ? p.offs[p.batch + bi] : 0);
    T* c = p.c + (p.offs ? p.offs[2 * p.batch + bi] : 0);
    for (int64_t t = blockIdx.x; t < tiles; t += gridDim.x) {
      int64_t tm, tn;
      tile_of(t, p.tiles_m, p.tiles_n, tm, tn);
      const int64_t m0 = tm * BM, n0 = tn * BN;
      Chunks<T, Cfg::NCA, BK> la;
      Chunks<T, Cfg::NCB, BK> lb;
      la.template init<true, BM, PA, Cfg::THREADS>(p.a, a, m0, p.M);
      lb.template init<true, BN, PB, Cfg::THREADS>(p.b, b, n0, p.N);

      T acc[TM][TN];
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = T(0);

      if (ktiles > 0) {
        la.load(p.a, 0, p.K);
        lb.load(p.b, 0, p.K);
        la.store(As[0], Identity{});
        lb.store(Bs[0], Identity{});
      }
      // Slice 0 visible to all. This barrier also orders this tile's stores to buffer 0 after the previous
      // tile's last reads of it: those came before that tile's final barrier, which every thread passed.
      __syncthreads();
      for (int64_t kt = 0; kt < ktiles; ++kt) {
        const int cur = static_cast<int>(kt & 1);
        const bool more = kt + 1 < ktiles;
        if (more) {  // in flight while this slice is computed
          la.load(p.a, (kt + 1) * BK, p.K);
          lb.load(p.b, (kt + 1) * BK, p.K);
        }
        const T* as = As[cur];
        const T* bs = Bs[cur];
#pragma unroll
        for (int kk = 0; kk < BK; ++kk) {
          T av[TM], bv[TN];
#pragma unroll
          for (int i = 0; i < TM / 4; ++i) {
            T v[4];
            ld16(v, as + kk * PA + a_col + 16 * i);
#pragma unroll
            for (int r = 0; r < 4; ++r) av[4 * i + r] = v[r];
          }
#pragma unroll
          for (int j = 0; j < TN / 4; ++j) {
            T v[4];
            ld16(v, bs + kk * PB + b_col + 32 * j);
#pragma unroll
            for (int r = 0; r < 4; ++r) bv[4 * j + r] = v[r];
          }
#pragma unroll
          for (int i = 0; i < TM; ++i)
#pragma unroll
            for (int j = 0; j < TN; ++j) acc[i][j] += av[i] * bv[j];
        }
        // The other buffer was last read in iteration kt - 1, before its closing barrier: free to fill.
        if (more) {
          la.store(As[cur ^ 1], Identity{});
          lb.store(Bs[cur ^ 1], Identity{});
        }
        // Slice kt + 1 complete before anyone reads it, and buffer `cur` read by all before iteration
        // kt + 1 refills it.
        __syncthreads();
      }

#pragma unroll
      for (int i = 0; i < TM / 4; ++i)
#pragma unroll
        for (int r = 0; r < 4; ++r)
#pragma unroll
          for (int j = 0; j < TN / 4; ++j) {
            const T run[4] = {acc[4 * i + r][4 * j], acc[4 * i + r][4 * j + 1], acc[4 * i + r][4 * j + 2],
                              acc[4 * i + r][4 * j + 3]};
            write_run<T, 4>(p, c, m0 + a_col + 16 * i + r, n0 + b_col + 32 * j, run);
          }
    }
  }
}

// ---- TF32 tensor-core kernel (float32, sm_80+) ------------------------------------------------------------
__device__ __forceinline__ float to_tf32(float x) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  uint32_t r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
  return __uint_as_float(r);  // a float whose low 13 mantissa bits are 0
#else
  return x;
#endif
}

struct ToTf32 {
  __device__ __forceinline__ float operator()(float x) const { return to_tf32(x); }
};

// d += a (16 x 8, row) @ b (8 x 8, col). Fragments (g = lane / 4, t = lane % 4), as the PTX ISA gives them:
// a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4); b0 (k = t, n = g), b1 (t + 4, g);
// d0 (g, 2t), d1 (g, 2t + 1), d2 (g + 8, 2t), d3 (g + 8, 2t + 1).
__device__ __forceinline__ void mma_tf32(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
               "{%0,%1,%2,%3};\n"
               : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#else
  __trap();  // never launched: the host takes this kernel only on compute capability 8.0 and above
#endif
}

template <int BM, int BN, int WARPS_M, int WARPS_N>
struct Tf32Cfg {
  static constexpr int THREADS = 32 * WARPS_M * WARPS_N;
  static constexpr int WTM = BM / WARPS_M, WTN = BN / WARPS_N;  // warp tile
  static constexpr int MI = WTM / 16, NI = WTN / 8;              // mma tiles per warp
  static constexpr int P = kTf32BK + 4;                              // see chunk_coords
  static constexpr int NCA = BM * kTf32BK / 4 / THREADS, NCB = BN * kTf32BK / 4 / THREADS;
  static_assert(WTM % 16 == 0 && WTN % 8 == 0, "whole mma tiles per warp");
  static_assert(NCA * THREADS * 4 == BM * kTf32BK && NCB * THREADS * 4 == BN * kTf32BK, "whole chunks per thread");
};

template <int BM, int BN, int WARPS_M, int WARPS_N>
__global__ void __launch_bounds__(32 * WARPS_M * WARPS_N, 2)
gemm_tf32(const FastParams<float> p) {
  using Cfg = Tf32Cfg<BM, BN, WARPS_M, WARPS_N>;
  constexpr int P = Cfg::P, MI = Cfg::MI, NI = Cfg::NI;
  __shared__ __align__(16) float As[2][BM * P];  // As[buf][m * P + k], TF32-rounded
  __shared__ __align__(16) float Bs[2][BN * P];  // Bs[buf][n * P + k]

  const int tid = static_cast<int>(threadIdx.x);
  const int warp = tid >> 5, lane = tid & 31;
  const int g = lane >> 2, tq = lane & 3;
  const int wrow = (warp / WARPS_N) * Cfg::WTM, wcol = (warp % WARPS_N) * Cfg::WTN;
  const int64_t tiles = p.tiles_m * p.tiles_n;
  const int64_t ktiles = (p.K + kTf32BK - 1) / kTf32BK;

  for (int64_t bi = blockIdx.y; bi < p.batch; bi += gridDim.y) {  // block-uniform bounds, as gemm_simt
    const float* a = p.a.ptr + (p.offs ? p.offs[bi] : 0);
    const float* b = p.b.ptr + (p.offs ? p.offs[p.batch + bi] : 0);
    float* c = p.c + (p.offs ? p.offs[2 * p.batch + bi] : 0);
    for (int64_t t = blockIdx.x; t < tiles; t += gridDim.x) {
      int64_t tm, tn;
      tile_of(t, p.tiles_m, p.tiles_n, tm, tn);
      const int64_t m0 = tm * BM, n0 = tn * BN;
      Chunks<float, Cfg::NCA, kTf32BK> la;
      Chunks<float, Cfg::NCB, kTf32BK> lb;
      la.template init<false, BM, P, Cfg::THREADS>(p.a, a, m0, p.M);
      lb.template init<false, BN, P, Cfg::THREADS>(p.b, b, n0, p.N);

      float acc[MI][NI][4];
#pragma unroll
      for (int i = 0; i < MI; ++i)
#pragma unroll
        for (int j = 0; j < NI; ++j)
#pragma unroll
          for (int q = 0; q < 4; ++q) acc[i][j][q] = 0.f;

      if (ktiles > 0) {
        la.load(p.a, 0, p.K);
        lb.load(p.b, 0, p.K);
        la.store(As[0], ToTf32{});
        lb.store(Bs[0], ToTf32{});
      }
      __syncthreads();  // as in gemm_simt: slice 0 visible, previous tile's reads of buffer 0 done
      for (int64_t kt = 0; kt < ktiles; ++kt) {
        const int cur = static_cast<int>(kt & 1);
        const bool more = kt + 1 < ktiles;
        if (more) {
          la.load(p.a, (kt + 1) * kTf32BK, p.K);
          lb.load(p.b, (kt + 1) * kTf32BK, p.K);
        }
        const float* as = As[cur];
        const float* bs = Bs[cur];
#pragma unroll
        for (int ks = 0; ks < kTf32BK; ks += 8) {
          uint32_t af[MI][4], bf[NI][2];
#pragma unroll
          for (int i = 0; i < MI; ++i) {
            const float* s = as + (wrow + 16 * i + g) * P + ks + tq;
            af[i][0] = __float_as_uint(s[0]);
            af[i][1] = __float_as_uint(s[8 * P]);
            af[i][2] = __float_as_uint(s[4]);
            af[i][3] = __float_as_uint(s[8 * P + 4]);
          }
#pragma unroll
          for (int j = 0; j < NI; ++j) {
            const float* s = bs + (wcol + 8 * j + g) * P + ks + tq;
            bf[j][0] = __float_as_uint(s[0]);
            bf[j][1] = __float_as_uint(s[4]);
          }
#pragma unroll
          for (int i = 0; i < MI; ++i)
#pragma unroll
            for (int j = 0; j < NI; ++j) mma_tf32(acc[i][j], af[i], bf[j]);
        }
        if (more) {  // the other buffer's last readers finished before the previous barrier
          la.store(As[cur ^ 1], ToTf32{});
          lb.store(Bs[cur ^ 1], ToTf32{});
        }
        __syncthreads();
      }

#pragma unroll
      for (int i = 0; i < MI; ++i)
#pragma unroll
        for (int j = 0; j < NI; ++j)
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            const float run[2] = {acc[i][j][2 * h], acc[i][j][2 * h + 1]};
            write_run<float, 2>(p, c, m0 + wrow + 16 * i + g + 8 * h, n0 + wcol + 8 * j + 2 * tq, run);
          }
    }
  }
}

// ---- host side --------------------------------------------------------------------------------------------
bool aligned_for_all(const void* base, const std::vector<int64_t>& off, bool batched, int64_t batch, size_t elem,
                     size_t bytes) {
  if (reinterpret_cast<uintptr_t>(base) % bytes != 0) return false;
  if (batched)
    for (int64_t i = 0; i < batch; ++i)
      if ((off[static_cast<size_t>(i)] * static_cast<int64_t>(elem)) % static_cast<int64_t>(bytes) != 0) return false;
  return true;
}

int64_t iabs(int64_t v) { return v < 0 ? -v : v; }

// rs/ks: strides along the operand's rows (M or N) and K.
template <class T>
Operand<T> make_operand(const T* ptr, int64_t rs, int64_t ks, const std::vector<int64_t>& off, bool batched,
                        int64_t batch) {
  Operand<T> op;
  op.ptr = ptr;
  op.rs = rs;
  op.ks = ks;
  // Chunks follow the unit stride; with none, the smaller stride (closer elements) is the better gather.
  op.kvec = ks == 1 || (rs != 1 && iabs(ks) <= iabs(rs));
  constexpr int64_t V = 16 / sizeof(T);
  const int64_t unit = op.kvec ? ks : rs, lead = op.kvec ? rs : ks;
  op.vec16 = unit == 1 && lead % V == 0 && aligned_for_all(ptr, off, batched, batch, sizeof(T), 16);
  return op;
}

int device_attr(cudaDeviceAttr attr, int dev) {
  int v = 0;
  TL_CUDA_CHECK(cudaDeviceGetAttribute(&v, attr, dev), "matmul");
  return v;
}

// Whether the device runs gemm_tf32 from sm_80+ code. Compute capability 8.0 is not enough: a build whose
// architectures are all below 8.0 runs their PTX JIT-compiled on the device, where the kernel's mma path
// is __trap(). Both tile variants come from the same architecture list; the answer is cached per device
// (dev is the current device: the caller holds a DeviceGuard).
bool tf32_code_for(int dev) {
  if (device_attr(cudaDevAttrComputeCapabilityMajor, dev) < 8) return false;
  static std::atomic<int> known[64];  // 0: not asked yet, 1: yes, -1: no
  if (dev >= 0 && dev < 64 && known[dev].load(std::memory_order_relaxed) != 0) return known[dev].load() > 0;
  cudaFuncAttributes fa;
  TL_CUDA_CHECK(cudaFuncGetAttributes(&fa, gemm_tf32<64, 64, 2, 2>), "matmul");
  const bool ok = fa.ptxVersion >= 80;
  if (dev >= 0 && dev < 64) known[dev].store(ok ? 1 : -1, std::memory_order_relaxed);
  return ok;
}

dim3 grid_of(int64_t tiles, int64_t batch) {
  return dim3(static_cast<unsigned>(std::min<int64_t>(tiles, INT_MAX)),
              static_cast<unsigned>(std::min<int64_t>(batch, 65535)), 1);
}

template <class T, int BM, int BN, int TM, int TN, int BK, int MINB>
void launch_simt(FastParams<T> p, cudaStream_t stream) {
  p.tiles_m = (p.M + BM - 1) / BM;
  p.tiles_n = (p.N + BN - 1) / BN;
  gemm_simt<T, BM, BN, TM, TN, BK, MINB>
      <<<grid_of(p.tiles_m * p.tiles_n, p.batch), SimtCfg<T, BM, BN, TM, TN, BK, MINB>::THREADS, 0, stream>>>(p);
  TL_CUDA_LAUNCH_CHECK("matmul");
}

template <int BM, int BN, int WARPS_M, int WARPS_N>
void launch_tf32(FastParams<float> p, cudaStream_t stream) {
  p.tiles_m = (p.M + BM - 1) / BM;
  p.tiles_n = (p.N + BN - 1) / BN;
  gemm_tf32<BM, BN, WARPS_M, WARPS_N>
      <<<grid_of(p.tiles_m * p.tiles_n, p.batch), Tf32Cfg<BM, BN, WARPS_M, WARPS_N>::THREADS, 0, stream>>>(p);
  TL_CUDA_LAUNCH_CHECK("matmul");
}

}  // namespace

template <class T>
void gemm_fast(const GemmArgs& g, const T* a, const T* b, T* c, const int64_t* offs_dev, T alpha, T beta,
               cudaStream_t stream) {
  const bool batched = offs_dev != nullptr;
  FastParams<T> p;
  p.a = make_operand(a, g.rsa, g.csa, g.a_off, batched, g.batch);
  p.b = make_operand(b, g.csb, g.rsb, g.b_off, batched, g.batch);
  p.c = c;
  p.rsc = g.rsc;
  p.csc = g.csc;
  p.M = g.M;
  p.N = g.N;
  p.K = alpha == T(0) ? 0 : g.K;  // no product (matmul.cu: run), so no 0 * Inf from A or B
  p.batch = g.batch;
  p.offs = offs_dev;
  p.alpha = alpha;
  p.beta = beta;
  p.tiles_m = p.tiles_n = 0;  // set by the launcher from its tile size

  // Fill every SM with at least one block, else take the smaller tile (more blocks, less reuse).
  const int64_t sms = device_attr(cudaDevAttrMultiProcessorCount, g.device);
  const int64_t big_blocks = ((g.M + 127) / 128) * ((g.N + 127) / 128) * g.batch;
  const bool big = big_blocks >= sms;
  if constexpr (std::is_same<T, float>::value) {
    if (allow_tf32() && tf32_code_for(g.device)) {
      // The TF32 epilogue writes pairs (8 bytes).
      p.c_vec = g.csc == 1 && g.rsc % 2 == 0 && aligned_for_all(c, g.c_off, batched, g.batch, sizeof(T), 8);
      if (big) launch_tf32<128, 128, 2, 4>(p, stream);
      else launch_tf32<64, 64, 2, 2>(p, stream);
      return;
    }
  }
  p.c_vec = g.csc == 1 && g.rsc % static_cast<int64_t>(16 / sizeof(T)) == 0 &&
            aligned_for_all(c, g.c_off, batched, g.batch, sizeof(T), 16);
  if constexpr (std::is_same<T, float>::value) {
    if (big) launch_simt<float, 128, 128, 8, 8, 16, 1>(p, stream);
    else launch_simt<float, 64, 64, 4, 4, 16, 2>(p, stream);
  } else {
    launch_simt<double, 64, 64, 4, 4, 16, 2>(p, stream);
  }
}

template void gemm_fast<float>(const GemmArgs&, const float*, const float*, float*, const int64_t*, float, float,
                               cudaStream_t);
template void gemm_fast<double>(const GemmArgs&, const double*, const double*, double*, const int64_t*, double,
                                double, cudaStream_t);

}  // namespace tl::cuda
