// CUDA softmax / log_softmax over one dim; same contract as csrc/cpu/softmax.h:
//   softmax_kernel(out, in, dim, log)                  x (outer, D, inner) -> y, both contiguous, float dtype
//   softmax_backward_kernel(gin, gout, y, dim, log)    all contiguous, same shape and dtype:
//     softmax: gin = y * (g - sum(g * y))          log_softmax: gin = g - exp(y) * sum(g)
// As the CPU kernel: max-subtracted, exp in T, sums accumulated in double (acc_type) for float32 and
// float64, scale by T(1/s), log variant (x - m) - log(s). Three layouts:
//   rows, D <= 1024     a warp per row, the row held in registers (N = 1..32 elements per lane)
//   rows, D > 1024      a block per row, three passes over the row (re-read from L2)
//   inner > 1           blockDim (32, 8): 32 neighbouring columns per block (coalesced), the 8 thread
//                       rows stride over D and meet in shared memory in thread-row order
// Every reduction is a fixed tree, so results are bitwise reproducible.
#include "softmax.h"
#include <cmath>
#include "common.cuh"

namespace tl::cuda {

namespace {

template <class T> using acc_of = typename acc_type<T>::type;

constexpr int kWarpRows = 4;      // rows per block of the warp kernels
constexpr int kRowThreads = 256;  // threads of the block-per-row kernels
constexpr int kColY = 8;          // thread rows of the column kernels

// ---- forward ---------------------------------------------------------------------------------------

template <class T, int N>
__global__ void softmax_warp_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t rows, int D, bool log) {
  using A = acc_of<T>;
  const int lane = threadIdx.x;
  for (int64_t row = int64_t(blockIdx.x) * blockDim.y + threadIdx.y; row < rows;
       row += int64_t(gridDim.x) * blockDim.y) {  // uniform within a warp
    const T* xr = x + row * D;
    T* yr = y + row * D;
    T v[N];
    T m = T(-INFINITY);
#pragma unroll
    for (int k = 0; k < N; ++k) {
      const int i = k * 32 + lane;
      v[k] = i < D ? xr[i] : T(-INFINITY);
      m = v[k] > m ? v[k] : m;  // a NaN is skipped here but still poisons the sum below, as on the CPU
    }
    m = warp_allreduce(m, MaxF{});
    A s = 0;
#pragma unroll
    for (int k = 0; k < N; ++k) {
      if (k * 32 + lane < D) {
        const T e = dexp(v[k] - m);
        s += static_cast<A>(e);
        if (!log) v[k] = e;
      }
    }
    s = warp_allreduce(s, SumF{});
    if (log) {
      const T ls = static_cast<T>(::log(s));
#pragma unroll
      for (int k = 0; k < N; ++k) {
        const int i = k * 32 + lane;
        if (i < D) yr[i] = (v[k] - m) - ls;
      }
    } else {
      const T sc = static_cast<T>(1.0 / s);
#pragma unroll
      for (int k = 0; k < N; ++k) {
        const int i = k * 32 + lane;
        if (i < D) yr[i] = v[k] * sc;
      }
    }
  }
}

template <class T>
__global__ void softmax_block_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t rows, int64_t D, bool log) {
  using A = acc_of<T>;
  __shared__ T sm_t[32];
  __shared__ A sm_a[32];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {  // uniform within the block
    const T* xr = x + row * D;
    T* yr = y + row * D;
    T m = T(-INFINITY);
    for (int64_t i = threadIdx.x; i < D; i += blockDim.x) m = xr[i] > m ? xr[i] : m;
    m = block_allreduce(m, MaxF{}, T(-INFINITY), sm_t);
    A s = 0;
    for (int64_t i = threadIdx.x; i < D; i += blockDim.x) s += static_cast<A>(dexp(xr[i] - m));
    s = block_allreduce(s, SumF{}, A(0), sm_a);
    if (log) {
      const T ls = static_cast<T>(::log(s));
      for (int64_t i = threadIdx.x; i < D; i += blockDim.x) yr[i] = (xr[i] - m) - ls;
    } else {
      const T sc = static_cast<T>(1.0 / s);
      for (int64_t i = threadIdx.x; i < D; i += blockDim.x) yr[i] = dexp(xr[i] - m) * sc;
    }
  }
}

// Column group item = (o, jb): columns j = jb*32 + threadIdx.x of slab o; thread row ty takes d = ty, ty+8, ...
template <class T>
__global__ void softmax_cols_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t outer, int64_t D, int64_t inner,
                                    bool log) {
  using A = acc_of<T>;
  __shared__ T sm_t[kColY][32];
  __shared__ A sm_a[kColY][32];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t nb = (inner + 31) / 32, items = outer * nb;
  for (int64_t it = blockIdx.x; it < items; it += gridDim.x) {  // uniform within the block
    const int64_t o = it / nb, j = (it - o * nb) * 32 + tx;
    const bool valid = j < inner;
    const T* xo = x + o * D * inner + j;
    T* yo = y + o * D * inner + j;
    T m = T(-INFINITY);
    if (valid)
      for (int64_t d = ty; d < D; d += kColY) m = xo[d * inner] > m ? xo[d * inner] : m;
    sm_t[ty][tx] = m;
    __syncthreads();
    m = sm_t[0][tx];
    for (int k = 1; k < kColY; ++k) m = sm_t[k][tx] > m ? sm_t[k][tx] : m;
    A s = 0;
    if (valid)
      for (int64_t d = ty; d < D; d += kColY) s += static_cast<A>(dexp(xo[d * inner] - m));
    sm_a[ty][tx] = s;
    __syncthreads();
    s = sm_a[0][tx];
    for (int k = 1; k < kColY; ++k) s += sm_a[k][tx];
    __syncthreads();  // sm_t / sm_a are rewritten by the next item
    if (!valid) continue;
    if (log) {
      const T ls = static_cast<T>(::log(s));
      for (int64_t d = ty; d < D; d += kColY) yo[d * inner] = (xo[d * inner] - m) - ls;
    } else {
      const T sc = static_cast<T>(1.0 / s);
      for (int64_t d = ty; d < D; d += kColY) yo[d * inner] = dexp(xo[d * inner] - m) * sc;
    }
  }
}

// ---- backward --------------------------------------------------------------------------------------

// Rows: blockDim (G, Y), G = 32 (a warp per row, Y rows per block) or G = kRowThreads (Y = 1).
template <class T>
__global__ void softmax_bwd_rows_kernel(T* __restrict__ gi, const T* __restrict__ go, const T* __restrict__ y,
                                        int64_t rows, int64_t D, bool log) {
  using A = acc_of<T>;
  __shared__ A sm_a[32];
  for (int64_t row = int64_t(blockIdx.x) * blockDim.y + threadIdx.y; row - threadIdx.y < rows;
       row += int64_t(gridDim.x) * blockDim.y) {  // uniform within the block (row - ty is the block's first row)
    const bool valid = row < rows;
    const T* gr = go + row * D;
    const T* yr = y + row * D;
    A s = 0;
    if (valid)
      for (int64_t i = threadIdx.x; i < D; i += blockDim.x)
        s += log ? static_cast<A>(gr[i]) : static_cast<A>(gr[i]) * static_cast<A>(yr[i]);
    if (blockDim.x == 32) s = warp_allreduce(s, SumF{});
    else s = block_allreduce(s, SumF{}, A(0), sm_a);  // blockDim.y == 1 here
    if (!valid) continue;
    const T st = static_cast<T>(s);
    T* out = gi + row * D;
    if (log)
      for (int64_t i = threadIdx.x; i < D; i += blockDim.x) out[i] = gr[i] - dexp(yr[i]) * st;
    else
      for (int64_t i = threadIdx.x; i < D; i += blockDim.x) out[i] = yr[i] * (gr[i] - st);
  }
}

template <class T>
__global__ void softmax_bwd_cols_kernel(T* __restrict__ gi, const T* __restrict__ go, const T* __restrict__ y,
                                        int64_t outer, int64_t D, int64_t inner, bool log) {
  using A = acc_of<T>;
  __shared__ A sm_a[kColY][32];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t nb = (inner + 31) / 32, items = outer * nb;
  for (int64_t it = blockIdx.x; it < items; it += gridDim.x) {  // uniform within the block
    const int64_t o = it / nb, j = (it - o * nb) * 32 + tx;
    const bool valid = j < inner;
    const int64_t base = o * D * inner + j;
    A s = 0;
    if (valid)
      for (int64_t d = ty; d < D; d += kColY) {
        const int64_t r = base + d * inner;
        s += log ? static_cast<A>(go[r]) : static_cast<A>(go[r]) * static_cast<A>(y[r]);
      }
    sm_a[ty][tx] = s;
    __syncthreads();
    s = sm_a[0][tx];
    for (int k = 1; k < kColY; ++k) s += sm_a[k][tx];
    __syncthreads();
    if (!valid) continue;
    const T st = static_cast<T>(s);
    for (int64_t d = ty; d < D; d += kColY) {
      const int64_t r = base + d * inner;
      gi[r] = log ? go[r] - dexp(y[r]) * st : y[r] * (go[r] - st);
    }
  }
}

struct Geom {
  int64_t outer = 1, D = 1, inner = 1;
};

Geom geom(const Tensor& t, int64_t dim) {
  Geom g;
  if (t.dim() == 0) return g;
  g.D = t.sizes()[dim];
  for (int64_t d = 0; d < dim; ++d) g.outer *= t.sizes()[d];
  for (int64_t d = dim + 1; d < t.dim(); ++d) g.inner *= t.sizes()[d];
  return g;
}

unsigned col_grid(const Geom& g) { return grid_for(g.outer * ((g.inner + 31) / 32), 1); }

template <class T, int N>
void launch_warp(const T* x, T* y, int64_t rows, int D, bool log, cudaStream_t s) {
  softmax_warp_kernel<T, N><<<grid_for(rows, kWarpRows), dim3(32, kWarpRows), 0, s>>>(x, y, rows, D, log);
}

}  // namespace

void softmax_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool log) {
  if (out.numel() == 0) return;
  DeviceGuard guard(out);
  const cudaStream_t s = stream_of(out);
  const Geom g = geom(in, dim);
  const char* name = log ? "log_softmax" : "softmax";
  TL_DISPATCH_FLOATING(in.dtype(), name, [&] {
    using T = scalar_t;
    const T* x = in.data<T>();
    T* y = out.data<T>();
    if (g.inner == 1 && g.D <= 1024) {
      const int D = static_cast<int>(g.D), per_lane = (D + 31) / 32;
      if (per_lane <= 1) launch_warp<T, 1>(x, y, g.outer, D, log, s);
      else if (per_lane <= 2) launch_warp<T, 2>(x, y, g.outer, D, log, s);
      else if (per_lane <= 4) launch_warp<T, 4>(x, y, g.outer, D, log, s);
      else if (per_lane <= 8) launch_warp<T, 8>(x, y, g.outer, D, log, s);
      else if (per_lane <= 16) launch_warp<T, 16>(x, y, g.outer, D, log, s);
      else launch_warp<T, 32>(x, y, g.outer, D, log, s);
    } else if (g.inner == 1) {
      softmax_block_kernel<T><<<grid_for(g.outer, 1), kRowThreads, 0, s>>>(x, y, g.outer, g.D, log);
    } else {
      softmax_cols_kernel<T><<<col_grid(g), dim3(32, kColY), 0, s>>>(x, y, g.outer, g.D, g.inner, log);
    }
    TL_CUDA_LAUNCH_CHECK(name);
  });
}

void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log) {
  if (out.numel() == 0) return;
  DeviceGuard guard(grad_in);
  const cudaStream_t s = stream_of(grad_in);
  const Geom g = geom(out, dim);
  const char* name = log ? "log_softmax_backward" : "softmax_backward";
  TL_DISPATCH_FLOATING(out.dtype(), name, [&] {
    using T = scalar_t;
    T* gi = grad_in.data<T>();
    const T* go = grad_out.data<T>();
    const T* y = out.data<T>();
    if (g.inner == 1 && g.D <= 1024)
      softmax_bwd_rows_kernel<T><<<grid_for(g.outer, kWarpRows), dim3(32, kWarpRows), 0, s>>>(gi, go, y, g.outer, g.D, log);
    else if (g.inner == 1)
      softmax_bwd_rows_kernel<T><<<grid_for(g.outer, 1), dim3(kRowThreads, 1), 0, s>>>(gi, go, y, g.outer, g.D, log);
    else
      softmax_bwd_cols_kernel<T><<<col_grid(g), dim3(32, kColY), 0, s>>>(gi, go, y, g.outer, g.D, g.inner, log);
    TL_CUDA_LAUNCH_CHECK(name);
  });
}

}  // namespace tl::cuda
