// The packed GEMM driver: C (M, N) = alpha * A (M, K) @ B (K, N) + beta * C for float32/float64,
// over a batch of strided operands (GemmArgs, csrc/cpu/matmul.h).
//
// Loop nest (Goto / BLIS), around the micro-kernel of gemm.h:
//   for jc in N by NC:                       B block (KC x NC), from L3
//     for pc in K by KC:
//       pack B[pc.., jc..] into NR-column panels
//       for ic in M by MC:                   A block (MC x KC) stays in this core's L2
//         pack A[ic.., pc..] into MR-row slivers (or read A in place, see below)
//         for jr in NC by NR:                B micro-panel (KC x NR) stays in L1 ...
//           for ir in MC by MR:              ... while the A slivers stream past it from L2
//             micro-kernel: C tile (MR x NR) = alpha * sliver @ panel + (pc == 0 ? beta : 1) * C tile
// Every transpose and stride is absorbed by the packing (a transposed B is packed with in-register
// transposes), so there is never a separate transpose copy.
//
// Two choices per problem:
//   - orientation: C = A B or C^T = B^T A^T. The micro-kernel's vectors run along C's columns and the
//     packed B panels are the operand it reloads, so the operand on the vector side must be packed
//     while the broadcast side can be read in place (when it has a unit stride). Packing costs K x
//     (vector-side size); for an MLP's x @ W^T with a small batch the small x goes on the vector side
//     and the big W is read in place. plan_cost weighs that against the padding of a narrow vector
//     side and against storing a transposed C. A column-major C is always turned around.
//   - packing A: in place when it has a unit stride and N is too small to amortise packing, else packed.
// One-row products (M == 1 after orientation) are matrix-vector products, memory-bound: the ISA's
// dot-product or axpy kernel runs on the operands in place.
//
// Threads: each takes a slab of C (see run_packed). Block sizes depend only on the shape and the ISA,
// and every C tile is computed by one micro-kernel call with the same inputs whichever thread runs
// it, so results are bitwise independent of the thread count.
#include "gemm.h"
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>
#include <unistd.h>
#include "../../core/parallel.h"
#include "../../core/storage.h"
#include "../isa/isa.h"
#include "../matmul.h"

namespace tl::cpu {

namespace {

int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return cdiv(a, b) * b; }
int64_t round_down(int64_t a, int64_t b) { return std::max(b, a / b * b); }

constexpr int64_t kMinThreadFlops = 1 << 20;  // ~6 us of one core: less than that is not worth a thread

template <class T> const GemmKernel<T>& kernel();
template <> const GemmKernel<float>& kernel<float>() { return isa().gemm_f32; }
template <> const GemmKernel<double>& kernel<double>() { return isa().gemm_f64; }

struct FreeDeleter {
  void operator()(void* p) const { cpu_free(p); }
};

// One GEMM (batch item) in oriented form.
template <class T>
struct Problem {
  int64_t M, N, K;
  const T* a; int64_t rsa, csa;
  const T* b; int64_t rsb, csb;
  T* c; int64_t rsc, csc;
};

template <class T>
Problem<T> transposed(const Problem<T>& p) {
  return {p.N, p.M, p.K, p.b, p.csb, p.rsb, p.a, p.csa, p.rsa, p.c, p.csc, p.rsc};
}

struct Plan {
  bool transpose = false;
  bool pack_a = true;
  bool gemv = false;
  int64_t kc = 0, mc = 0, nc = 0, mr = 0, nr = 0;
};

bool unit_stride(int64_t rs, int64_t cs) { return rs == 1 || cs == 1; }

// Estimated cycles for one orientation (M, N as seen by the micro-kernel): packing at about a cycle
// per element, C stored element by element when its tile rows are not contiguous, and the
// arithmetic at 64 flops per cycle on the padded tiles (a 6-wide vector side wastes 90% of a 64-wide
// kernel, which must outweigh the packing it saves).
int64_t plan_cost(int64_t M, int64_t N, int64_t K, bool a_unit, bool c_rowmajor, int64_t mr, int64_t nr) {
  int64_t cost = K * N;                               // B panels, always packed
  if (!a_unit || N > 4 * nr) cost += K * M;           // A slivers, when not read in place
  if (!c_rowmajor) cost += 2 * M * N;                 // tiles stored element by element
  return cost + round_up(M, mr) * round_up(N, nr) * K / 32;
}

template <class T>
Plan make_plan(const Problem<T>& p0) {
  const GemmKernel<T>& uk = kernel<T>();
  const GemmBlocking blk = gemm_blocking(sizeof(T) == 8);
  const GemmOverrides& ov = gemm_overrides();
  Plan pl;
  pl.mr = uk.mr;
  pl.nr = uk.nr;
  const bool c_row = p0.csc == 1, c_col = p0.rsc == 1 && p0.csc != 1;
  if (ov.orient) {
    pl.transpose = ov.orient == 2;
  } else if (p0.M == 1 || p0.N == 1) {
    pl.transpose = p0.N == 1 && p0.M != 1;
  } else if (c_col) {
    pl.transpose = true;
  } else {
    const int64_t as_is = plan_cost(p0.M, p0.N, p0.K, unit_stride(p0.rsa, p0.csa), c_row, pl.mr, pl.nr);
    const int64_t flipped = plan_cost(p0.N, p0.M, p0.K, unit_stride(p0.rsb, p0.csb), false, pl.mr, pl.nr);
    pl.transpose = flipped < as_is;
  }
  const Problem<T> p = pl.transpose ? transposed(p0) : p0;
  pl.gemv = ov.path != 1 && p.M == 1 && (p.rsb == 1 || p.csb == 1);
  if (ov.pack_a) pl.pack_a = ov.pack_a == 1 || !unit_stride(p.rsa, p.csa);
  else pl.pack_a = !unit_stride(p.rsa, p.csa) || p.N > 4 * pl.nr;
  pl.kc = ov.kc ? ov.kc : blk.kc;
  pl.mc = ov.mc ? round_up(ov.mc, pl.mr) : blk.mc;
  pl.nc = ov.nc ? round_up(ov.nc, pl.nr) : blk.nc;
  if (!ov.kc && p.csc != 1) {
    // C is written element by element (its tile columns are not contiguous): take K in as few
    // blocks as L2 holds packed B panels for, so each C element is stored once, not K/KC times
    // (measured: 256x4096 @ 4096x1000 runs 10% faster with KC = 2048 than with 1024).
    const int64_t fit = cache_sizes().l2 / (static_cast<int64_t>(sizeof(T)) * round_up(p.N, pl.nr));
    pl.kc = std::max(pl.kc, round_down(fit, 16));
  }
  pl.kc = std::min(pl.kc, std::max<int64_t>(p.K, 1));
  pl.mc = std::min(pl.mc, round_up(p.M, pl.mr));
  pl.nc = std::min(pl.nc, round_up(p.N, pl.nr));
  return pl;
}

// Per-thread scratch, sized once per call: a packed B block (KC x NC), a packed A block (MC x KC)
// and an edge sliver (MR x KC).
template <class T>
struct Buffers {
  std::unique_ptr<void, FreeDeleter> mem;
  int64_t b_size = 0, a_size = 0, per_thread = 0;
  Buffers(const Plan& pl, int threads) {
    b_size = round_up(pl.kc * pl.nc, 16);
    a_size = round_up(pl.mc * pl.kc, 16);
    per_thread = b_size + a_size + round_up(pl.mr * pl.kc, 16);
    mem.reset(cpu_alloc(sizeof(T) * static_cast<size_t>(per_thread * threads)));
  }
  T* bpack(int t) const { return static_cast<T*>(mem.get()) + per_thread * t; }
  T* apack(int t) const { return bpack(t) + b_size; }
  T* sliver(int t) const { return apack(t) + a_size; }
};

// The loop nest of the header comment over one problem, on the calling thread.
template <class T>
void run_serial(const Problem<T>& p, const Plan& pl, T alpha, T beta, T* bpack, T* apack, T* sliver) {
  const GemmKernel<T>& uk = kernel<T>();
  const int64_t mr = pl.mr, nr = pl.nr;
  for (int64_t jc = 0; jc < p.N; jc += pl.nc) {
    const int64_t nb = std::min(pl.nc, p.N - jc);
    for (int64_t pc = 0; pc < p.K; pc += pl.kc) {
      const int64_t kb = std::min(pl.kc, p.K - pc);
      const T beta_k = pc == 0 ? beta : T(1);
      for (int64_t jr = 0; jr < nb; jr += nr)
        uk.pack_b(kb, std::min(nr, nb - jr), p.b + pc * p.rsb + (jc + jr) * p.csb, p.rsb, p.csb, bpack + jr * kb);
      for (int64_t ic = 0; ic < p.M; ic += pl.mc) {
        const int64_t mb = std::min(pl.mc, p.M - ic);
        const T* ablk = p.a + ic * p.rsa + pc * p.csa;
        if (pl.pack_a)
          for (int64_t ir = 0; ir < mb; ir += mr)
            uk.pack_a(std::min(mr, mb - ir), kb, ablk + ir * p.rsa, p.rsa, p.csa, apack + ir * kb);
        auto tile = [&](int64_t ir, int64_t jr) {
          const int64_t m = std::min(mr, mb - ir), n = std::min(nr, nb - jr);
          const T* bp = bpack + jr * kb;
          T* c = p.c + (ic + ir) * p.rsc + (jc + jr) * p.csc;
          if (pl.pack_a) {
            uk.ukr(kb, apack + ir * kb, 1, mr, bp, c, p.rsc, p.csc, m, n, alpha, beta_k);
          } else if (m == mr) {
            uk.ukr(kb, ablk + ir * p.rsa, p.rsa, p.csa, bp, c, p.rsc, p.csc, m, n, alpha, beta_k);
          } else {  // the last rows: a zero-padded sliver, so the kernel never reads past A
            uk.pack_a(m, kb, ablk + ir * p.rsa, p.rsa, p.csa, sliver);
            uk.ukr(kb, sliver, 1, mr, bp, c, p.rsc, p.csc, m, n, alpha, beta_k);
          }
        };
        for (int64_t jr = 0; jr < nb; jr += nr)
          for (int64_t ir = 0; ir < mb; ir += mr) tile(ir, jr);
      }
    }
  }
}

// Threads: C is cut into one slab per thread along its longer side, at MR / NR multiples, and each
// thread runs the whole loop nest on its slab with its own packed blocks. The operand both slabs
// need is packed once per thread, which costs little next to the barriers a shared block would need
// every KC step (and barriers stall badly when the machine is oversubscribed). The micro-tiles and
// K blocks are the same as on one thread, so the result is too.
template <class T>
void run_packed(const Problem<T>& p, const Plan& pl, T alpha, T beta, int threads, const Buffers<T>& buf) {
#ifdef _OPENMP
  if (threads > 1) {
    const bool split_m = p.M >= p.N;
    const int64_t unit = split_m ? pl.mr : pl.nr;
    const int64_t units = cdiv(split_m ? p.M : p.N, unit);
#pragma omp parallel num_threads(threads)
    {
      const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t u0 = units * tid / nt, u1 = units * (tid + 1) / nt;
      if (u0 < u1) {
        Problem<T> q = p;
        if (split_m) {
          q.M = std::min(p.M, u1 * unit) - u0 * unit;
          q.a += u0 * unit * p.rsa;
          q.c += u0 * unit * p.rsc;
        } else {
          q.N = std::min(p.N, u1 * unit) - u0 * unit;
          q.b += u0 * unit * p.csb;
          q.c += u0 * unit * p.csc;
        }
        run_serial(q, pl, alpha, beta, buf.bpack(tid), buf.apack(tid), buf.sliver(tid));
      }
    }
    return;
  }
#endif
  run_serial(p, pl, alpha, beta, buf.bpack(0), buf.apack(0), buf.sliver(0));
}

template <class T> struct Gemv;
template <> struct Gemv<float> {
  static void nn(int64_t n, int64_t k, const float* a, const float* b, int64_t ldb, float* c) {
    isa().gemm_block_f32(1, n, k, a, k, b, ldb, c, n);
  }
  static void nt(int64_t n, int64_t k, const float* a, const float* b, int64_t ldb, float* c) {
    isa().gemm_nt_f32(1, n, k, a, k, b, ldb, c, n);
  }
};
template <> struct Gemv<double> {
  static void nn(int64_t n, int64_t k, const double* a, const double* b, int64_t ldb, double* c) {
    isa().gemm_block_f64(1, n, k, a, k, b, ldb, c, n);
  }
  static void nt(int64_t n, int64_t k, const double* a, const double* b, int64_t ldb, double* c) {
    isa().gemm_nt_f64(1, n, k, a, k, b, ldb, c, n);
  }
};

// c (1 x N) = alpha * a (1 x K) @ B + beta * c, B with a unit stride. Each output is one dot product
// in k order (nt) or one k-ordered chain of axpys (nn) whatever the column split, so any thread count
// gives the same bits.
template <class T>
void run_gemv(const Problem<T>& p, T alpha, T beta, int threads) {
  const int64_t N = p.N, K = p.K;
  std::unique_ptr<void, FreeDeleter> mem(cpu_alloc(sizeof(T) * static_cast<size_t>(K + N)));
  T* a = static_cast<T*>(mem.get());
  T* acc = a + K;
  for (int64_t k = 0; k < K; ++k) a[k] = p.a[k * p.csa];
  std::fill(acc, acc + N, T(0));
  const bool nt = p.rsb == 1 && (p.csb != 1 || N < K);
  const int64_t grain = std::max<int64_t>(64, kMinThreadFlops / (2 * std::max<int64_t>(K, 1)));
  auto body = [&](int64_t j0, int64_t j1) {
    if (nt) Gemv<T>::nt(j1 - j0, K, a, p.b + j0 * p.csb, p.csb, acc + j0);
    else Gemv<T>::nn(j1 - j0, K, a, p.b + j0, p.rsb, acc + j0);
    for (int64_t j = j0; j < j1; ++j) {
      T* cj = p.c + j * p.csc;
      *cj = beta == T(0) ? alpha * acc[j] : alpha * acc[j] + beta * *cj;
    }
  };
  if (threads > 1) parallel_for(0, N, grain, body);
  else body(0, N);
}

// beta * C, for when there is no product to add; beta == 0 writes zeros.
template <class T>
void scale_c(const Problem<T>& p, T beta) {
  for (int64_t i = 0; i < p.M; ++i)
    for (int64_t j = 0; j < p.N; ++j) {
      T* c = p.c + i * p.rsc + j * p.csc;
      *c = beta == T(0) ? T(0) : beta * *c;
    }
}

template <class T>
void gemm_float(const GemmArgs& g, T alpha, T beta) {
  if (g.batch == 0 || g.M == 0 || g.N == 0) return;
  auto item = [&](int64_t i) {
    Problem<T> p{g.M, g.N, g.K,
                 static_cast<const T*>(g.a) + g.a_off[i], g.rsa, g.csa,
                 static_cast<const T*>(g.b) + g.b_off[i], g.rsb, g.csb,
                 static_cast<T*>(g.c) + g.c_off[i], g.rsc, g.csc};
    // A size-1 dim's stride is arbitrary: make it unit so the layout tests below see through it.
    if (p.K == 1) p.csa = p.rsb = 1;
    if (p.M == 1) p.rsa = p.rsc = 1;
    if (p.N == 1) p.csb = p.csc = 1;
    return p;
  };
  const int64_t flops = 2 * g.M * g.N * std::max<int64_t>(g.K, 1);
  const int nt_max = in_parallel_region() ? 1 : std::max(1, get_num_threads());
  if (g.K == 0 || alpha == T(0)) {  // no product to add (BLAS and torch skip it even with Inf/NaN in A, B)
    parallel_for(0, g.batch, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) scale_c(item(i), beta);
    });
    return;
  }
  const Plan pl = make_plan(item(0));
  // Many small items: one item per thread. Otherwise items in turn, each using all threads.
  const bool per_item = g.batch >= nt_max && flops < 8 * kMinThreadFlops;
  const int threads = per_item ? 1 : static_cast<int>(std::min<int64_t>(nt_max, std::max<int64_t>(1, flops / kMinThreadFlops)));
  auto run_items = [&](int64_t b0, int64_t b1, int th) {
    std::unique_ptr<Buffers<T>> buf;
    for (int64_t i = b0; i < b1; ++i) {
      Problem<T> p = item(i);
      if (pl.transpose) p = transposed(p);
      if (pl.gemv) {
        run_gemv(p, alpha, beta, th);
        continue;
      }
      if (!buf) buf = std::make_unique<Buffers<T>>(pl, th);
      run_packed(p, pl, alpha, beta, th, *buf);
    }
  };
  if (per_item && g.batch > 1) {
    parallel_for(0, g.batch, 1, [&](int64_t b0, int64_t b1) { run_items(b0, b1, 1); });
  } else {
    run_items(0, g.batch, threads);
  }
}

int64_t sysconf_or(int name, int64_t fallback) {
  const long v = sysconf(name);
  return v > 0 ? static_cast<int64_t>(v) : fallback;
}

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes c{sysconf_or(_SC_LEVEL1_DCACHE_SIZE, 32 << 10), sysconf_or(_SC_LEVEL2_CACHE_SIZE, 512 << 10),
                            sysconf_or(_SC_LEVEL3_CACHE_SIZE, 8 << 20)};
  return c;
}

GemmOverrides& gemm_overrides() {
  static GemmOverrides o;
  return o;
}

// Block sizes from the cache sizes (docs/gemm.md has the measurements behind them). The textbook rule
// (Low et al.) keeps the B micro-panel (KC x NR) in half of L1; with NR = 64 that gives KC = 96, and
// then the C tile is reloaded K / 96 times, from L3 for big matrices. Measured here, a micro-panel of
// 1/20 of L2 (KC = 384: 96 KiB, streamed from L2 at 256 bytes per 12 cycles) is 15% faster. The packed
// A block (MC x KC) takes a quarter of L2; NC is capped where a bigger B block stops paying.
GemmBlocking gemm_blocking(bool f64) {
  const CacheSizes& cs = cache_sizes();
  const int64_t s = f64 ? 8 : 4;
  const int64_t mr = f64 ? isa().gemm_f64.mr : isa().gemm_f32.mr;
  const int64_t nr = f64 ? isa().gemm_f64.nr : isa().gemm_f32.nr;
  GemmBlocking b;
  b.mr = mr;
  b.nr = nr;
  b.kc = std::clamp<int64_t>(round_down(cs.l2 / 20 / (nr * s), 32), 64, 1024);
  b.mc = std::clamp<int64_t>(round_down(cs.l2 / 4 / (b.kc * s), mr), mr, 1020);
  b.nc = std::clamp<int64_t>(round_down(cs.l3 / 4 / (b.kc * s), nr), nr, 4096);
  return b;
}

void gemm_f32(const GemmArgs& g, float alpha, float beta) { gemm_float<float>(g, alpha, beta); }
void gemm_f64(const GemmArgs& g, double alpha, double beta) { gemm_float<double>(g, alpha, beta); }

}  // namespace tl::cpu
