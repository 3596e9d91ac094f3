// C (M, N) = alpha * A (M, K) @ B (K, N) + beta * C over a batch of strided operands.
//
// Floating point: C is cut into tiles (mc x nc), one per task; a task accumulates its tile in a
// private aligned buffer over K blocks of kc, in order, then writes alpha * acc + beta * C once. The
// tile and block sizes depend only on the problem's shape, and every tile is computed by exactly one
// thread, so results are bitwise independent of the thread count. Within a K block the inner kernel
// (csrc/cpu/isa, chosen at run time for the CPU) runs on blocks that are
//   - general path: both packed into aligned row-major buffers, which handles any strides (a
//     transposed input is just a different gather order) and keeps the blocks in L1/L2;
//   - small-M path (M <= kSmallM, after turning C = A B into C^T = B^T A^T when N is the small side):
//     used in place, since packing B would cost as much as the arithmetic; B^T that is K-contiguous
//     (x @ W^T, matrix-vector) goes to the dot-product kernel, K x N row-major B to the block kernel.
// Integers: a plain loop with wrapping arithmetic, parallel over output rows.
#include "matmul.h"
#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>
#include "../core/parallel.h"
#include "../core/storage.h"
#include "isa/isa.h"

namespace tl::cpu {

namespace {

constexpr int64_t kSmallM = 16;
constexpr int64_t kAlignElems = 16;   // leading dims of packed buffers: 64 bytes for float
constexpr int64_t kMinTaskFlops = 1 << 21;  // ~20 us of one core: below that a tile is not worth a thread
constexpr int64_t kTargetTasks = 16;  // enough tiles for 16 threads; shape-only, never thread count

int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

template <class T>
struct Kern;
template <>
struct Kern<float> {
  static void nn(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                 int64_t ldc) {
    isa().gemm_block_f32(m, n, k, a, lda, b, ldb, c, ldc);
  }
  static void nt(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                 int64_t ldc) {
    isa().gemm_nt_f32(m, n, k, a, lda, b, ldb, c, ldc);
  }
  static void pack_t(int64_t rows, int64_t cols, const float* src, int64_t cs, float* dst, int64_t ld) {
    isa().pack_t_f32(rows, cols, src, cs, dst, ld);
  }
};
template <>
struct Kern<double> {
  static void nn(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b, int64_t ldb,
                 double* c, int64_t ldc) {
    isa().gemm_block_f64(m, n, k, a, lda, b, ldb, c, ldc);
  }
  static void nt(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b, int64_t ldb,
                 double* c, int64_t ldc) {
    isa().gemm_nt_f64(m, n, k, a, lda, b, ldb, c, ldc);
  }
  static void pack_t(int64_t rows, int64_t cols, const double* src, int64_t cs, double* dst, int64_t ld) {
    isa().pack_t_f64(rows, cols, src, cs, dst, ld);
  }
};

struct FreeDeleter {
  void operator()(void* p) const { cpu_free(p); }
};

// dst (rows, cols) row-major with leading dim ld <- src[r * rs + c * cs]: row copies, the ISA's register
// transpose for a column-contiguous source, else a gather in 16 x 16 squares that stays in cache.
template <class T>
void pack(int64_t rows, int64_t cols, const T* src, int64_t rs, int64_t cs, T* dst, int64_t ld) {
  if (cs == 1) {
    for (int64_t r = 0; r < rows; ++r) std::memcpy(dst + r * ld, src + r * rs, sizeof(T) * cols);
    return;
  }
  if (rs == 1) {
    Kern<T>::pack_t(rows, cols, src, cs, dst, ld);
    return;
  }
  constexpr int64_t S = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += S) {
    int64_t r1 = std::min(rows, r0 + S);
    for (int64_t c0 = 0; c0 < cols; c0 += S) {
      int64_t c1 = std::min(cols, c0 + S);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) dst[r * ld + c] = src[r * rs + c * cs];
    }
  }
}

enum class Mode { Packed, SmallNN, SmallNT };

template <class T>
struct Plan {
  GemmArgs g;  // possibly transposed (C^T = B^T A^T)
  Mode mode = Mode::Packed;
  int64_t mc = 0, nc = 0, kc = 0, tm = 0, tn = 0;
};

template <class T>
Plan<T> make_plan(const GemmArgs& in) {
  Plan<T> p;
  p.g = in;
  GemmArgs& g = p.g;
  if (g.N < g.M && g.N <= kSmallM) {
    std::swap(g.M, g.N);
    std::swap(g.a, g.b);
    std::swap(g.a_off, g.b_off);
    int64_t rsa = g.rsa, csa = g.csa;
    g.rsa = g.csb; g.csa = g.rsb;
    g.rsb = csa; g.csb = rsa;
    std::swap(g.rsc, g.csc);
  }
  // Strides of size-1 dims are meaningless; normalise so the layout tests below see through them.
  if (g.K == 1) { g.csa = 1; g.rsb = 1; }
  if (g.N == 1) g.csb = 1;
  const int64_t flops = 2 * g.batch * g.M * g.N * std::max<int64_t>(g.K, 1);
  if (g.M <= kSmallM) {
    if (g.rsb == 1 && (g.csb != 1 || g.N < g.K)) p.mode = Mode::SmallNT;
    else if (g.csb == 1) p.mode = Mode::SmallNN;
  }
  p.kc = 256;
  if (p.mode == Mode::Packed) {
    p.mc = std::min<int64_t>(g.M, sizeof(T) == 4 ? 128 : 64);
    p.nc = std::min<int64_t>(g.N, sizeof(T) == 4 ? 256 : 128);
  } else {
    p.mc = g.M;
    p.nc = std::min<int64_t>(g.N, p.mode == Mode::SmallNT ? 64 : 256);
  }
  // Smaller tiles until there is enough parallel work, while each task stays worth a thread.
  auto tiles = [&] { return g.batch * ((g.M + p.mc - 1) / p.mc) * ((g.N + p.nc - 1) / p.nc); };
  while (tiles() < kTargetTasks && flops / (2 * tiles()) > kMinTaskFlops) {
    if (p.nc >= 2 * p.mc && p.nc > 32) p.nc = round_up(p.nc / 2, 16);
    else if (p.mode == Mode::Packed && p.mc > 16) p.mc = round_up(p.mc / 2, 8);
    else if (p.nc > 32) p.nc = round_up(p.nc / 2, 16);
    else break;
  }
  p.tm = (g.M + p.mc - 1) / p.mc;
  p.tn = (g.N + p.nc - 1) / p.nc;
  return p;
}

template <class T>
void gemm_float(const GemmArgs& in, T alpha, T beta) {
  const Plan<T> p = make_plan<T>(in);
  const GemmArgs& g = p.g;
  const T* A = static_cast<const T*>(g.a);
  const T* B = static_cast<const T*>(g.b);
  T* C = static_cast<T*>(g.c);
  const int64_t ld_acc = round_up(p.nc, kAlignElems);
  const int64_t kc_max = std::min(p.kc, std::max<int64_t>(g.K, 1));
  const int64_t ntasks = g.batch * p.tm * p.tn;
  const int64_t flops = 2 * g.batch * g.M * g.N * std::max<int64_t>(g.K, 1);
  const int64_t grain = flops >= 2 * kMinTaskFlops ? 1 : ntasks;

  parallel_for(0, ntasks, grain, [&](int64_t t0, int64_t t1) {
    // One allocation per thread: A block, B block, accumulator tile.
    const int64_t na = round_up(p.mc * kc_max, kAlignElems), nbk = kc_max * ld_acc, nacc = p.mc * ld_acc;
    std::unique_ptr<void, FreeDeleter> mem(cpu_alloc(sizeof(T) * (na + nbk + nacc)));
    T* apack = static_cast<T*>(mem.get());
    T* bpack = apack + na;
    T* acc = bpack + nbk;
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t bi = t / (p.tm * p.tn), ti = (t / p.tn) % p.tm, tj = t % p.tn;
      const int64_t i0 = ti * p.mc, j0 = tj * p.nc;
      const int64_t mb = std::min(p.mc, g.M - i0), nb = std::min(p.nc, g.N - j0);
      const T* a = A + g.a_off[bi] + i0 * g.rsa;
      const T* b = B + g.b_off[bi] + j0 * g.csb;
      T* c = C + g.c_off[bi] + i0 * g.rsc + j0 * g.csc;
      for (int64_t i = 0; i < mb; ++i) std::fill(acc + i * ld_acc, acc + i * ld_acc + nb, T(0));
      for (int64_t k0 = 0; k0 < g.K; k0 += p.kc) {
        const int64_t kb = std::min(p.kc, g.K - k0);
        const T* ablk = a + k0 * g.csa;
        int64_t lda = g.rsa;
        if (p.mode == Mode::Packed || g.csa != 1) {
          pack(mb, kb, ablk, g.rsa, g.csa, apack, kb);
          ablk = apack;
          lda = kb;
        }
        const T* bblk = b + k0 * g.rsb;
        if (p.mode == Mode::SmallNT) {
          Kern<T>::nt(mb, nb, kb, ablk, lda, bblk, g.csb, acc, ld_acc);
        } else if (p.mode == Mode::SmallNN) {
          Kern<T>::nn(mb, nb, kb, ablk, lda, bblk, g.rsb, acc, ld_acc);
        } else {
          pack(kb, nb, bblk, g.rsb, g.csb, bpack, ld_acc);
          Kern<T>::nn(mb, nb, kb, ablk, lda, bpack, ld_acc, acc, ld_acc);
        }
      }
      for (int64_t i = 0; i < mb; ++i) {
        const T* ai = acc + i * ld_acc;
        T* ci = c + i * g.rsc;
        if (beta == T(0)) {
          for (int64_t j = 0; j < nb; ++j) ci[j * g.csc] = alpha * ai[j];
        } else {
          for (int64_t j = 0; j < nb; ++j) ci[j * g.csc] = alpha * ai[j] + beta * ci[j * g.csc];
        }
      }
    }
  });
}

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
    case DType::Float32: return gemm_float<float>(g, alpha.to<float>(), beta.to<float>());
    case DType::Float64: return gemm_float<double>(g, alpha.to<double>(), beta.to<double>());
    case DType::Int64: return gemm_int<int64_t>(g, alpha.to<int64_t>(), beta.to<int64_t>());
    case DType::Int32: return gemm_int<int32_t>(g, alpha.to<int32_t>(), beta.to<int32_t>());
    case DType::UInt8: return gemm_int<uint8_t>(g, alpha.to<uint8_t>(), beta.to<uint8_t>());
    default: TL_THROW(NotImplemented, "\"addmm_impl_cpu_\" not implemented for '", dtype_torch_name(dt), "'");
  }
}

}  // namespace tl::cpu
