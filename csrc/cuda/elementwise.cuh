// The CUDA elementwise engine (the device twin of csrc/cpu/loops.h): one output of type To and NIN
// inputs of type Ti, all broadcast over the output's shape, f a device functor Ti x NIN -> To.
//   out (shape S, any strides) <- f(in_0, ..., in_{NIN-1}) (each broadcastable to S, any strides)
// Two kernels per instantiation:
//   - flat: the coalesced geometry is one dim where the output and every non-broadcast input are
//     contiguous and each input is either contiguous or a single broadcast value (x + 2.0). With all
//     pointers aligned, each thread moves 16-byte vectors (of the widest type), which is what it takes
//     to approach copy bandwidth; otherwise the same kernel walks element by element.
//   - strided: any strides, through FastOffsetCalc (below) or, past 2^31 elements, OffsetCalc.
// Each output element depends only on its own inputs, so the grid size cannot change results.
#pragma once
#include <array>
#include <cstdint>
#include "common.cuh"

namespace tl::cuda {

template <class T, int V>
struct alignas(sizeof(T) * V) VecOf {
  T v[V];
};

template <class Ti, int NIN>
struct InPtrs {
  const char* p[NIN];
  bool bcast[NIN];  // flat kernel: a single value broadcast over the whole range
};

template <int NIN, class To, class Ti, class F>
__device__ __forceinline__ To apply_f(const F& f, const Ti (&x)[NIN]) {
  if constexpr (NIN == 1) return f(x[0]);
  else if constexpr (NIN == 2) return f(x[0], x[1]);
  else return f(x[0], x[1], x[2]);
}

template <int NIN, int V, class To, class Ti, class F>
__global__ void flat_kernel(To* out, InPtrs<Ti, NIN> in, int64_t n, bool vec, F f) {
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  Ti sc[NIN];
#pragma unroll
  for (int k = 0; k < NIN; ++k) sc[k] = in.bcast[k] ? *reinterpret_cast<const Ti*>(in.p[k]) : Ti();
  int64_t tail = 0;
  if (vec) {
    const int64_t nv = n / V;
    for (int64_t i = tid; i < nv; i += stride) {
      Ti x[V][NIN];
#pragma unroll
      for (int k = 0; k < NIN; ++k) {
        if (in.bcast[k]) {
#pragma unroll
          for (int j = 0; j < V; ++j) x[j][k] = sc[k];
        } else {
          const VecOf<Ti, V> l = reinterpret_cast<const VecOf<Ti, V>*>(in.p[k])[i];
#pragma unroll
          for (int j = 0; j < V; ++j) x[j][k] = l.v[j];
        }
      }
      VecOf<To, V> o;
#pragma unroll
      for (int j = 0; j < V; ++j) o.v[j] = apply_f<NIN, To, Ti>(f, x[j]);
      reinterpret_cast<VecOf<To, V>*>(out)[i] = o;
    }
    tail = nv * V;
  }
  for (int64_t i = tail + tid; i < n; i += stride) {
    Ti x[NIN];
#pragma unroll
    for (int k = 0; k < NIN; ++k) x[k] = in.bcast[k] ? sc[k] : reinterpret_cast<const Ti*>(in.p[k])[i];
    out[i] = apply_f<NIN, To, Ti>(f, x);
  }
}

// OffsetCalc for fewer than 2^31 elements: 32-bit divisions by multiply-high and shift (Granlund &
// Montgomery, as torch's IntDivider), several times cheaper than the 64-bit division OffsetCalc pays per
// dim, which otherwise dominates broadcast and transposed ops. Offsets stay 64-bit (bytes can exceed
// 2^31 even when the element count does not). The outermost dim needs no division at all.
template <int N>
struct FastOffsetCalc {
  int nd = 0;
  uint32_t sizes[kMaxDims];  // innermost first
  uint32_t mult[kMaxDims];
  uint32_t shift[kMaxDims];
  int64_t strides[kMaxDims][N];  // bytes
  __device__ __forceinline__ void get(uint32_t i, int64_t (&off)[N]) const {
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] = 0;
    for (int d = 0; d < nd; ++d) {
      uint32_t r = i;
      if (d + 1 < nd) {
        const uint32_t q = (__umulhi(i, mult[d]) + i) >> shift[d];  // i / sizes[d], exact for i < 2^31
        r = i - q * sizes[d];
        i = q;
      }
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] += static_cast<int64_t>(r) * strides[d][k];
    }
  }
};

// Valid when numel < 2^31 (then every size is too); the caller checks.
template <int N>
FastOffsetCalc<N> make_fast_offset_calc(const OffsetCalc<N>& oc) {
  FastOffsetCalc<N> c;
  c.nd = oc.nd;
  for (int d = 0; d < oc.nd; ++d) {
    const uint32_t div = static_cast<uint32_t>(oc.sizes[d]);
    uint32_t s = 0;
    while (s < 32 && (uint64_t{1} << s) < div) ++s;  // smallest s with 2^s >= div
    const uint64_t magic = ((uint64_t{1} << 32) * ((uint64_t{1} << s) - div)) / div + 1;
    c.sizes[d] = div;
    c.mult[d] = static_cast<uint32_t>(magic);  // < 2^32 for 1 <= div <= 2^31
    c.shift[d] = s;
    for (int k = 0; k < N; ++k) c.strides[d][k] = oc.strides[d][k];
  }
  return c;
}

template <int NIN, class To, class Ti, class F>
__global__ void strided_kernel(char* out, InPtrs<Ti, NIN> in, OffsetCalc<NIN + 1> oc, FastOffsetCalc<NIN + 1> fc,
                               bool fast, int64_t n, F f) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    int64_t off[NIN + 1];
    if (fast) fc.get(static_cast<uint32_t>(i), off);
    else oc.get(i, off);
    Ti x[NIN];
#pragma unroll
    for (int k = 0; k < NIN; ++k) x[k] = *reinterpret_cast<const Ti*>(in.p[k] + off[k + 1]);
    *reinterpret_cast<To*>(out + off[0]) = apply_f<NIN, To, Ti>(f, x);
  }
}

// Host side: chooses the kernel and launches it on out's current stream. The caller holds a
// DeviceGuard for out's device and has checked that every operand lives there.
template <int NIN, class To, class Ti, class F>
void launch_elementwise(const Tensor& out, const std::array<const Tensor*, NIN>& ins, const F& f, const char* what) {
  const int64_t n = out.numel();
  if (n == 0) return;
  constexpr int N = NIN + 1;
  std::array<const Tensor*, N> ops;
  ops[0] = &out;
  for (int k = 0; k < NIN; ++k) ops[k + 1] = ins[k];
  const Geometry<N> g = make_geometry<N>(out.sizes(), ops);
  InPtrs<Ti, NIN> in;
  for (int k = 0; k < NIN; ++k) {
    in.p[k] = static_cast<const char*>(ins[k]->data_ptr());
    in.bcast[k] = false;
  }
  cudaStream_t st = stream_of(out);

  // Flat: one dim (or none: a single element), the output contiguous, each input contiguous or broadcast.
  bool flat = g.sizes.size() <= 1;
  if (flat && !g.sizes.empty()) {
    flat = g.strides[0][0] == static_cast<int64_t>(sizeof(To));
    for (int k = 0; k < NIN && flat; ++k) {
      const int64_t s = g.strides[0][k + 1];
      if (s == 0) in.bcast[k] = true;
      else flat = s == static_cast<int64_t>(sizeof(Ti));
    }
  } else if (flat) {
    for (int k = 0; k < NIN; ++k) in.bcast[k] = true;
  }
  if (flat) {
    constexpr int W = sizeof(To) > sizeof(Ti) ? sizeof(To) : sizeof(Ti);
    constexpr int V = 16 / W;
    bool vec = reinterpret_cast<uintptr_t>(out.data_ptr()) % (sizeof(To) * V) == 0;
    for (int k = 0; k < NIN; ++k)
      if (!in.bcast[k]) vec = vec && reinterpret_cast<uintptr_t>(in.p[k]) % (sizeof(Ti) * V) == 0;
    flat_kernel<NIN, V, To, Ti, F><<<grid_for(vec ? (n + V - 1) / V : n), kThreads, 0, st>>>(
        static_cast<To*>(out.data_ptr()), in, n, vec, f);
    TL_CUDA_LAUNCH_CHECK(what);
    return;
  }
  const OffsetCalc<N> oc = make_offset_calc<N>(g, what);
  const bool fast = n < (int64_t{1} << 31);
  const FastOffsetCalc<N> fc = fast ? make_fast_offset_calc<N>(oc) : FastOffsetCalc<N>{};
  strided_kernel<NIN, To, Ti, F><<<grid_for(n), kThreads, 0, st>>>(static_cast<char*>(out.data_ptr()), in, oc, fc,
                                                                   fast, n, f);
  TL_CUDA_LAUNCH_CHECK(what);
}

}  // namespace tl::cuda
