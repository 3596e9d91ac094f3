// CUDA fused softmax cross-entropy; same contract as csrc/cpu/loss.h:
//   input x (N, C, inner) contiguous, row r = n * inner + j, classes at stride `inner`.
//   forward  -> out (rows,) or (), stats (rows, 2) = {max, log sum exp(x - max)}, total_weight ()
//   backward -> grad_in = scale_r * (softmax - target distribution)
// A warp per row (blockDim (32, kRows)): the row's max, exp-sum and target sums are warp shuffle trees
// in double (acc_type) for the sums. Per-row losses and weights go to a device scratch buffer and one
// block reduces them in a fixed order (no float atomics: bitwise reproducible). An out-of-range target
// is recorded with an integer atomicMin on its row (deterministic: the lowest row), read back once
// after the forward (one small synchronising copy) so the op can raise torch's IndexError.
// The spatial layout (inner > 1) is read at stride `inner` (uncoalesced, correct; (N, C) is the fast path).
#include "loss.h"
#include <cmath>
#include <limits>
#include "common.cuh"

namespace tl::cuda {

namespace {

constexpr int kRows = 4;           // rows (warps) per block
constexpr int kReduceThreads = 256;
constexpr unsigned long long kNoBad = ~0ull;

template <class T>
struct KArgs {
  const T* x;
  const int64_t* ti;  // class indices (rows,) or null
  const T* tp;        // probabilities (N, C, inner) or null
  const T* w;         // (C,) or null
  int64_t C, inner, rows, ignore;
  double eps, sumw;
  __device__ int64_t base(int64_t r) const { return (r / inner) * C * inner + r % inner; }
  __device__ double wc(int64_t c) const { return w ? static_cast<double>(w[c]) : 1.0; }
};

// Writes stats and per-row (loss, weight) into rl / rw (double, rows each); out_none (rows,) when not null.
template <class T>
__global__ void ce_forward_kernel(KArgs<T> k, T* __restrict__ stats, double* __restrict__ rl, double* __restrict__ rw,
                                  T* __restrict__ out_none, unsigned long long* __restrict__ bad) {
  const int lane = threadIdx.x;
  const int64_t C = k.C, st = k.inner;
  for (int64_t r = int64_t(blockIdx.x) * blockDim.y + threadIdx.y; r < k.rows; r += int64_t(gridDim.x) * blockDim.y) {
    const T* xr = k.x + k.base(r);  // r is uniform within the warp: every shuffle below has all 32 lanes
    T m = T(-INFINITY);
    for (int64_t c = lane; c < C; c += 32) m = xr[c * st] > m ? xr[c * st] : m;
    m = warp_allreduce(m, MaxF{});
    double s = 0;
    for (int64_t c = lane; c < C; c += 32) s += static_cast<double>(dexp(xr[c * st] - m));
    s = warp_allreduce(s, SumF{});
    const double ls = ::log(s), md = static_cast<double>(m);
    double loss = 0, wt = 0;
    if (k.tp) {
      const T* tr = k.tp + k.base(r);
      double S = 0, acc = 0;
      for (int64_t c = lane; c < C; c += 32) {
        double tc = static_cast<double>(tr[c * st]);
        if (k.eps > 0) tc = tc * (1 - k.eps) + k.eps / C;
        const double v = k.wc(c) * tc;
        S += v;
        acc += v * (md - static_cast<double>(xr[c * st]));
      }
      S = warp_allreduce(S, SumF{});
      acc = warp_allreduce(acc, SumF{});
      loss = acc + S * ls;
      wt = 1;
    } else {
      const int64_t t = k.ti[r];
      if (t != k.ignore) {
        if (t < 0 || t >= C) {
          if (lane == 0) atomicMin(bad, static_cast<unsigned long long>(r));
        } else {
          wt = k.wc(t);
          const double nll = wt * ((md - static_cast<double>(xr[t * st])) + ls);
          if (k.eps > 0) {
            double sm = 0;
            for (int64_t c = lane; c < C; c += 32) sm += k.wc(c) * (md - static_cast<double>(xr[c * st]));
            sm = warp_allreduce(sm, SumF{}) + k.sumw * ls;
            loss = (1 - k.eps) * nll + k.eps / C * sm;
          } else {
            loss = nll;
          }
        }
      }
    }
    if (lane == 0) {
      stats[2 * r] = m;
      stats[2 * r + 1] = static_cast<T>(ls);
      rl[r] = loss;
      rw[r] = wt;
      if (out_none) out_none[r] = static_cast<T>(loss);
    }
  }
}

// One block: fixed-order sums of rl and rw; out (0-d) = mean or sum when reduction != 0.
template <class T>
__global__ void ce_reduce_kernel(const double* __restrict__ rl, const double* __restrict__ rw, int64_t rows,
                                 int64_t reduction, T* __restrict__ out, T* __restrict__ tw) {
  __shared__ double sm[32];
  double L = 0, W = 0;
  for (int64_t i = threadIdx.x; i < rows; i += blockDim.x) {
    L += rl[i];
    W += rw[i];
  }
  L = block_allreduce(L, SumF{}, 0.0, sm);
  W = block_allreduce(W, SumF{}, 0.0, sm);
  if (threadIdx.x == 0) {
    tw[0] = static_cast<T>(W);
    if (reduction != 0) out[0] = static_cast<T>(reduction == 1 ? L / W : L);  // 0/0 = NaN: all ignored, as torch
  }
}

template <class T>
__global__ void ce_backward_kernel(KArgs<T> k, T* __restrict__ gi, const T* __restrict__ g, const T* __restrict__ stats,
                                   const T* __restrict__ tw, int64_t reduction) {
  const int lane = threadIdx.x;
  const int64_t C = k.C, st = k.inner;
  for (int64_t r = int64_t(blockIdx.x) * blockDim.y + threadIdx.y; r < k.rows; r += int64_t(gridDim.x) * blockDim.y) {
    const int64_t b = k.base(r);
    const T* xr = k.x + b;
    T* o = gi + b;
    double sc = reduction == 0 ? static_cast<double>(g[r]) : static_cast<double>(g[0]);
    if (reduction == 1) sc /= static_cast<double>(tw[0]);
    double A;
    int64_t t = -1;
    if (k.tp) {
      const T* tr = k.tp + b;
      double S = 0;
      for (int64_t c = lane; c < C; c += 32)
        S += k.wc(c) * (static_cast<double>(tr[c * st]) * (1 - k.eps) + k.eps / C);
      S = warp_allreduce(S, SumF{});
      A = sc * S;
    } else {
      t = k.ti[r];
      if (t == k.ignore || t < 0 || t >= C) {
        for (int64_t c = lane; c < C; c += 32) o[c * st] = T(0);
        continue;  // uniform within the warp
      }
      A = sc * ((1 - k.eps) * k.wc(t) + k.eps / C * k.sumw);
    }
    const T m = stats[2 * r];
    const T f = static_cast<T>(A * ::exp(-static_cast<double>(stats[2 * r + 1])));
    for (int64_t c = lane; c < C; c += 32) {
      double corr;
      if (k.tp) corr = k.wc(c) * (static_cast<double>(k.tp[b + c * st]) * (1 - k.eps) + k.eps / C);
      else corr = (k.eps > 0 ? k.eps / C * k.wc(c) : 0.0) + (c == t ? (1 - k.eps) * k.wc(t) : 0.0);
      o[c * st] = dexp(xr[c * st] - m) * f - static_cast<T>(sc * corr);
    }
  }
}

// sum(weight) on the device (or C): the smoothing term's total.
template <class T>
__global__ void ce_sumw_kernel(const T* __restrict__ w, int64_t C, double* __restrict__ out) {
  __shared__ double sm[32];
  double s = 0;
  for (int64_t c = threadIdx.x; c < C; c += blockDim.x) s += static_cast<double>(w[c]);
  s = block_allreduce(s, SumF{}, 0.0, sm);
  if (threadIdx.x == 0) out[0] = s;
}

template <class T>
KArgs<T> make_args(const Tensor& input, const Tensor& target, const Tensor& weight, const CrossEntropyArgs& a) {
  KArgs<T> k;
  k.x = input.data<T>();
  k.ti = a.prob ? nullptr : target.data<int64_t>();
  k.tp = a.prob ? target.data<T>() : nullptr;
  k.w = weight.defined() ? weight.data<T>() : nullptr;
  k.C = a.C;
  k.inner = a.inner;
  k.rows = a.N * a.inner;
  k.ignore = a.ignore_index;
  k.eps = a.label_smoothing;
  k.sumw = static_cast<double>(a.C);
  return k;
}

// sum(weight) is needed on the host side of the launch only with label smoothing and a weight: computed
// on the device and read back (a small synchronising copy) rather than passing a device pointer around.
template <class T>
double weight_sum(const Tensor& weight, int64_t C, int dev, cudaStream_t s) {
  DeviceBuffer buf(sizeof(double), dev);
  ce_sumw_kernel<T><<<1, kReduceThreads, 0, s>>>(weight.data<T>(), C, buf.get<double>());
  TL_CUDA_LAUNCH_CHECK("cross_entropy");
  double h = 0;
  download_sync(&h, buf.get<void>(), 1, dev, "cross_entropy");
  return h;
}

}  // namespace

std::optional<int64_t> cross_entropy_forward_kernel(const Tensor& out, const Tensor& stats, const Tensor& total_weight,
                                                    const Tensor& input, const Tensor& target, const Tensor& weight,
                                                    const CrossEntropyArgs& a) {
  DeviceGuard guard(input);
  const int dev = input.device().index;
  const cudaStream_t s = stream_of(input);
  std::optional<int64_t> bad;
  TL_DISPATCH_FLOATING(input.dtype(), "cross_entropy", [&] {
    using T = scalar_t;
    KArgs<T> k = make_args<T>(input, target, weight, a);
    if (k.w && k.eps > 0) k.sumw = weight_sum<T>(weight, a.C, dev, s);
    const int64_t rows = k.rows;
    DeviceBuffer scratch(static_cast<size_t>(2 * rows + 1) * sizeof(double), dev);
    double* rl = scratch.get<double>();
    double* rw = rl + rows;
    auto* badp = reinterpret_cast<unsigned long long*>(rw + rows);
    TL_CUDA_CHECK(cudaMemsetAsync(badp, 0xff, sizeof(unsigned long long), s), "cross_entropy");
    if (rows > 0 && a.C > 0) {
      ce_forward_kernel<T><<<grid_for(rows, kRows), dim3(32, kRows), 0, s>>>(
          k, stats.data<T>(), rl, rw, a.reduction == 0 ? out.data<T>() : nullptr, badp);
      TL_CUDA_LAUNCH_CHECK("cross_entropy");
    } else if (rows > 0) {  // C == 0: no class to read; every row's loss is 0 and counts 0, as on the CPU
      TL_CUDA_CHECK(cudaMemsetAsync(rl, 0, 2 * rows * sizeof(double), s), "cross_entropy");
      TL_CUDA_CHECK(cudaMemsetAsync(stats.data<T>(), 0, 2 * rows * sizeof(T), s), "cross_entropy");
      if (a.reduction == 0) TL_CUDA_CHECK(cudaMemsetAsync(out.data<T>(), 0, rows * sizeof(T), s), "cross_entropy");
    }
    ce_reduce_kernel<T><<<1, kReduceThreads, 0, s>>>(rl, rw, rows, a.reduction, out.data<T>(), total_weight.data<T>());
    TL_CUDA_LAUNCH_CHECK("cross_entropy");
    if (a.prob) return;
    unsigned long long row = kNoBad;
    download_sync(&row, badp, 1, dev, "cross_entropy");
    if (row != kNoBad) {
      int64_t v = 0;
      download_sync(&v, k.ti + row, 1, dev, "cross_entropy");
      bad = v;
    }
  });
  return bad;
}

void cross_entropy_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const Tensor& input,
                                   const Tensor& target, const Tensor& weight, const Tensor& stats,
                                   const Tensor& total_weight, const CrossEntropyArgs& a) {
  if (grad_in.numel() == 0) return;
  DeviceGuard guard(grad_in);
  const int dev = grad_in.device().index;
  const cudaStream_t s = stream_of(grad_in);
  TL_DISPATCH_FLOATING(input.dtype(), "cross_entropy_backward", [&] {
    using T = scalar_t;
    KArgs<T> k = make_args<T>(input, target, weight, a);
    if (k.w && k.eps > 0) k.sumw = weight_sum<T>(weight, a.C, dev, s);
    ce_backward_kernel<T><<<grid_for(k.rows, kRows), dim3(32, kRows), 0, s>>>(
        k, grad_in.data<T>(), grad_out.data<T>(), stats.data<T>(), total_weight.data<T>(), a.reduction);
    TL_CUDA_LAUNCH_CHECK("cross_entropy_backward");
  });
}

}  // namespace tl::cuda
