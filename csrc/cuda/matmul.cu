// C (M, N) = alpha * A (M, K) @ B (K, N) + beta * C for each of `batch` items; operands are strided
// matrices (any element strides, 0 and negative included) at per-batch element offsets, as described
// in csrc/cpu/matmul.h. beta == 0: C is write-only. K == 0 or alpha == 0: beta * C (no product, so
// Inf/NaN in A, B or alpha do not leak, as BLAS, torch and the CPU GEMM). float32
// accumulates in float32 (as cuBLAS), float64 in double, integers in the unsigned type of their width
// (at least 32 bits), so overflow wraps exactly like the CPU loop (wrapping sums are order-free, so
// integer results are bit-identical to the CPU; float results agree to rounding, not bitwise).
//
// This file is the entry point: it uploads the batch offsets and picks a kernel, all deterministic (fixed
// summation order per output, no atomics):
//   - gemv_rows: N == 1 (mv, dot, x @ w for a vector w) or M == 1 with B^T row-contiguous (x @ W^T for
//     one row x): one block per output element, a strided partial sum per thread then block_allreduce.
//     The block size depends only on K, so the summation order depends only on the shape.
//   - float32 / float64 otherwise: gemm_fast (csrc/cuda/gemm.cu: tiled, vectorised, double-buffered, warp
//     tiled; TF32 tensor cores for float32 when backends.cuda.matmul.allow_tf32).
//   - integers otherwise: gemm_int, the simple tiled kernel: 64 x 64 C tile per 256-thread block, K in
//     slices of 16 staged through shared memory; each thread owns a 4 x 4 register tile at rows
//     ty + 16 i, cols tx + 16 j (interleaved, so shared reads are conflict-free or broadcast, and row-major
//     C stores are coalesced). Tile loads check bounds and zero-fill. The thread-to-element mapping of each
//     load follows the operand's unit stride, so row-major and transposed inputs are both read coalesced.
//     Blocks stride over (batch, tile) pairs, so any batch and M, N fit a bounded grid. Integer matmul is
//     rare (torch has no CUDA integer matmul at all), so it stays simple.
#include <algorithm>
#include <vector>
#include <type_traits>
#include "common.cuh"
#include "gemm.cuh"
#include "matmul.h"

namespace tl::cuda {

namespace {

constexpr int kBM = 64, kBN = 64, kBK = 16, kTM = 4, kTN = 4;
constexpr int kGemmThreads = (kBM / kTM) * (kBN / kTN);  // 256: a 16 x 16 grid of threads
constexpr int kPad = 1;  // breaks the power-of-two row pitch of the shared tiles (bank conflicts on store)
static_assert(kBM == 16 * kTM && kBN == 16 * kTN, "thread (tx, ty) owns rows ty + 16 i, cols tx + 16 j");
static_assert((kBM * kBK) % kGemmThreads == 0 && (kBK * kBN) % kGemmThreads == 0, "whole tile loads");

// Accumulator type: floating types as themselves, integers as the unsigned type of their width (at
// least 32 bits, as C++ promotes anyway), so the arithmetic wraps without signed-overflow UB.
template <class T> struct AccOf { using type = T; };
template <> struct AccOf<int64_t> { using type = unsigned long long; };
template <> struct AccOf<int32_t> { using type = unsigned int; };
template <> struct AccOf<uint8_t> { using type = unsigned int; };

struct TileParams {
  int64_t batch, M, N, K;
  int64_t rsa, csa, rsb, csb, rsc, csc;
  int64_t tiles_m, tiles_n;
  const int64_t* offs;  // [3 * batch]: A, B, C element offsets per batch item; null: all 0
  bool a_kfast;         // A tile load: consecutive threads walk k (else m)
  bool b_kfast;         // B tile load: consecutive threads walk k (else n)
};

template <class T>
__global__ void __launch_bounds__(kGemmThreads, 2)
gemm_int(const T* __restrict__ A, const T* __restrict__ B, T* __restrict__ C, TileParams p, T alpha, T beta) {
  using U = typename AccOf<T>::type;
  __shared__ T As[kBK][kBM + kPad];  // transposed: As[k][m]
  __shared__ T Bs[kBK][kBN + kPad];
  const int tid = static_cast<int>(threadIdx.x);
  const int tx = tid % 16, ty = tid / 16;
  const int64_t per_batch = p.tiles_m * p.tiles_n;
  const int64_t total = p.batch * per_batch;
  // The loop bound depends on blockIdx only: every thread of the block runs the same iterations, so
  // the barriers inside are never divergent.
  for (int64_t t = blockIdx.x; t < total; t += gridDim.x) {
    const int64_t bi = t / per_batch, rem = t - bi * per_batch;
    const int64_t m0 = (rem / p.tiles_n) * kBM, n0 = (rem % p.tiles_n) * kBN;
    const T* a = A + (p.offs ? p.offs[bi] : 0);
    const T* b = B + (p.offs ? p.offs[p.batch + bi] : 0);
    T* c = C + (p.offs ? p.offs[2 * p.batch + bi] : 0);

    U acc[kTM][kTN];
#pragma unroll
    for (int i = 0; i < kTM; ++i)
#pragma unroll
      for (int j = 0; j < kTN; ++j) acc[i][j] = U(0);

    for (int64_t k0 = 0; k0 < p.K; k0 += kBK) {
#pragma unroll
      for (int r = 0; r < kBM * kBK / kGemmThreads; ++r) {
        const int idx = tid + r * kGemmThreads;
        const int kk = p.a_kfast ? idx % kBK : idx / kBM;
        const int mm = p.a_kfast ? idx / kBK : idx % kBM;
        const int64_t m = m0 + mm, k = k0 + kk;
        As[kk][mm] = (m < p.M && k < p.K) ? a[m * p.rsa + k * p.csa] : T(0);
      }
#pragma unroll
      for (int r = 0; r < kBK * kBN / kGemmThreads; ++r) {
        const int idx = tid + r * kGemmThreads;
        const int kk = p.b_kfast ? idx % kBK : idx / kBN;
        const int nn = p.b_kfast ? idx / kBK : idx % kBN;
        const int64_t k = k0 + kk, n = n0 + nn;
        Bs[kk][nn] = (k < p.K && n < p.N) ? b[k * p.rsb + n * p.csb] : T(0);
      }
      __syncthreads();  // tiles complete before anyone reads them
#pragma unroll
      for (int kk = 0; kk < kBK; ++kk) {
        U av[kTM], bv[kTN];
#pragma unroll
        for (int i = 0; i < kTM; ++i) av[i] = static_cast<U>(As[kk][ty + 16 * i]);
#pragma unroll
        for (int j = 0; j < kTN; ++j) bv[j] = static_cast<U>(Bs[kk][tx + 16 * j]);
#pragma unroll
        for (int i = 0; i < kTM; ++i)
#pragma unroll
          for (int j = 0; j < kTN; ++j) acc[i][j] += av[i] * bv[j];
      }
      __syncthreads();  // everyone done reading before the next slice (or tile) overwrites them
    }

#pragma unroll
    for (int i = 0; i < kTM; ++i) {
      const int64_t m = m0 + ty + 16 * i;
      if (m >= p.M) continue;
#pragma unroll
      for (int j = 0; j < kTN; ++j) {
        const int64_t n = n0 + tx + 16 * j;
        if (n >= p.N) continue;
        T* cp = c + m * p.rsc + n * p.csc;
        U v = static_cast<U>(alpha) * acc[i][j];
        if (beta != T(0)) v += static_cast<U>(beta) * static_cast<U>(*cp);
        *cp = static_cast<T>(v);
      }
    }
  }
}

struct GemvParams {
  int64_t batch, rows, K;
  int64_t rs_m, cs_m;  // matrix element (r, k) at mat[r * rs_m + k * cs_m]
  int64_t cs_v;        // vector element k at vec[k * cs_v]
  int64_t rs_out;      // output element r at out[r * rs_out]
  const int64_t* offs;  // [3 * batch]: mat, vec, out element offsets per batch item; null: all 0
};

struct Plus {
  template <class X> __device__ X operator()(X x, X y) const { return x + y; }
};

template <class T>
__global__ void gemv_rows(const T* __restrict__ mat, const T* __restrict__ vec, T* __restrict__ out, GemvParams p,
                          T alpha, T beta) {
  using U = typename AccOf<T>::type;
  __shared__ U smem[32];
  const int64_t total = p.batch * p.rows;
  for (int64_t t = blockIdx.x; t < total; t += gridDim.x) {  // block-uniform bound: barriers stay converged
    const int64_t bi = t / p.rows, r = t - bi * p.rows;
    const T* m = mat + (p.offs ? p.offs[bi] : 0) + r * p.rs_m;
    const T* v = vec + (p.offs ? p.offs[p.batch + bi] : 0);
    U s = U(0);
    for (int64_t k = threadIdx.x; k < p.K; k += blockDim.x)
      s += static_cast<U>(m[k * p.cs_m]) * static_cast<U>(v[k * p.cs_v]);
    s = block_allreduce(s, Plus{}, U(0), smem);
    if (threadIdx.x == 0) {
      T* o = out + (p.offs ? p.offs[2 * p.batch + bi] : 0) + r * p.rs_out;
      U val = static_cast<U>(alpha) * s;
      if (beta != T(0)) val += static_cast<U>(beta) * static_cast<U>(*o);
      *o = static_cast<T>(val);
    }
  }
}

constexpr int64_t kMaxBlocks = int64_t{1} << 20;  // blocks stride over the rest

unsigned blocks_for(int64_t work) {
  return static_cast<unsigned>(std::min<int64_t>(std::max<int64_t>(work, 1), kMaxBlocks));
}

template <class T>
void gemm_int_launch(const GemmArgs& g, const T* A, const T* B, T* C, const int64_t* offs_dev, T alpha, T beta,
                     cudaStream_t stream) {
  TileParams p;
  p.batch = g.batch;
  p.M = g.M; p.N = g.N; p.K = alpha == T(0) ? 0 : g.K;  // see run()
  p.rsa = g.rsa; p.csa = g.csa; p.rsb = g.rsb; p.csb = g.csb; p.rsc = g.rsc; p.csc = g.csc;
  p.tiles_m = (g.M + kBM - 1) / kBM;
  p.tiles_n = (g.N + kBN - 1) / kBN;
  p.offs = offs_dev;
  // Walk the unit-stride dimension with consecutive threads (a transposed operand has it on the other
  // side); with neither unit, either order gathers.
  p.a_kfast = !(g.rsa == 1 && g.csa != 1);
  p.b_kfast = g.rsb == 1 && g.csb != 1;
  gemm_int<T><<<blocks_for(p.batch * p.tiles_m * p.tiles_n), kGemmThreads, 0, stream>>>(A, B, C, p, alpha, beta);
  TL_CUDA_LAUNCH_CHECK("matmul");
}

template <class T>
void run(const GemmArgs& g, T alpha, T beta) {
  // No product to add when K == 0 or alpha == 0: BLAS, torch and the CPU GEMM then give beta * C even with
  // Inf/NaN in A, B or alpha, where 0 * Inf would make NaN. alpha = 0 tells the kernels to skip the K loop.
  if (g.K == 0) alpha = T(0);
  DeviceGuard guard(g.device);
  cudaStream_t stream = stream_of(g.device);
  const T* A = static_cast<const T*>(g.a);
  const T* B = static_cast<const T*>(g.b);
  T* C = static_cast<T*>(g.c);
  // N == 1 reads A's rows against B's column; M == 1 reads B's columns (rows of B^T) against A's row,
  // worth it only when those columns are contiguous (x @ W^T); else the tiled kernel reads B coalesced.
  const bool gemv_n = g.N == 1;
  const bool gemv_m = !gemv_n && g.M == 1 && g.rsb == 1;

  // One batch item: fold its offsets into the base pointers and skip the upload.
  const T* mat = gemv_m ? B : A;
  const T* vec = gemv_m ? A : B;
  std::vector<int64_t> offs;
  const bool batched = g.batch > 1;
  if (batched) {
    const std::vector<int64_t>& om = gemv_m ? g.b_off : g.a_off;
    const std::vector<int64_t>& ov = gemv_m ? g.a_off : g.b_off;
    offs.reserve(static_cast<size_t>(3 * g.batch));
    offs.insert(offs.end(), om.begin(), om.begin() + g.batch);
    offs.insert(offs.end(), ov.begin(), ov.begin() + g.batch);
    offs.insert(offs.end(), g.c_off.begin(), g.c_off.begin() + g.batch);
  } else {
    mat += gemv_m ? g.b_off[0] : g.a_off[0];
    vec += gemv_m ? g.a_off[0] : g.b_off[0];
    C += g.c_off[0];
  }
  DeviceBuffer doffs(batched ? offs.size() * sizeof(int64_t) : 0, g.device);
  if (batched) upload(doffs, offs.data(), offs.size(), g.device, "matmul");
  const int64_t* offs_dev = batched ? doffs.get<int64_t>() : nullptr;

  if (gemv_n || gemv_m) {
    GemvParams p;
    p.batch = g.batch;
    p.K = alpha == T(0) ? 0 : g.K;
    p.offs = offs_dev;
    if (gemv_n) {
      p.rows = g.M; p.rs_m = g.rsa; p.cs_m = g.csa; p.cs_v = g.rsb; p.rs_out = g.rsc;
    } else {
      p.rows = g.N; p.rs_m = g.csb; p.cs_m = g.rsb; p.cs_v = g.csa; p.rs_out = g.csc;
    }
    const int threads = g.K >= 4096 ? 256 : g.K >= 512 ? 128 : 32;
    gemv_rows<T><<<blocks_for(p.batch * p.rows), threads, 0, stream>>>(mat, vec, C, p, alpha, beta);
    TL_CUDA_LAUNCH_CHECK("matmul");
    return;
  }

  if constexpr (std::is_floating_point<T>::value) {
    gemm_fast<T>(g, mat, vec, C, offs_dev, alpha, beta, stream);
  } else {
    gemm_int_launch(g, mat, vec, C, offs_dev, alpha, beta, stream);
  }
}

}  // namespace

void gemm(DType dt, const GemmArgs& g, const Scalar& alpha, const Scalar& beta) {
  if (g.batch == 0 || g.M == 0 || g.N == 0) return;
  switch (dt) {
    case DType::Float32: return run<float>(g, alpha.to<float>(), beta.to<float>());
    case DType::Float64: return run<double>(g, alpha.to<double>(), beta.to<double>());
    case DType::Int64: return run<int64_t>(g, alpha.to<int64_t>(), beta.to<int64_t>());
    case DType::Int32: return run<int32_t>(g, alpha.to<int32_t>(), beta.to<int32_t>());
    case DType::UInt8: return run<uint8_t>(g, alpha.to<uint8_t>(), beta.to<uint8_t>());
    default: TL_THROW(NotImplemented, "\"addmm_cuda\" not implemented for '", dtype_torch_name(dt), "'");
  }
}

}  // namespace tl::cuda
