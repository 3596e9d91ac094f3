// Unary elementwise kernels, where() and any_zero(), generated from ops/elementwise.def (the same
// table lines as csrc/cpu/elementwise.cpp; the binary half is elementwise_binary.cu, so the two
// halves compile in parallel).
//   unary: out (shape S, compute dtype or bool) <- f(in (shape S, compute dtype), p0, p1)
//   where: out (broadcast shape, T) <- cond (bool) ? a (T) : b (T)
//   any_zero: t (any shape, any strides) -> host bool
#include <cmath>
#include <limits>
#include <type_traits>
#include "../core/math.h"
#include "elementwise.cuh"
#include "elementwise.h"

#pragma nv_diag_suppress 68  // integer conversion resulted in a change of sign (-x on unsigned types)

namespace tl::cuda {

namespace {

// One functor per table line; T is the compute type, TO the output type (T, or bool for BOOLOUT).
#define TL_UNARY(NAME, KIND, EXPR)                                                      \
  template <class T, class TO>                                                          \
  struct U_##NAME {                                                                     \
    T p0, p1;                                                                           \
    __device__ __forceinline__ TO operator()(T x) const { return static_cast<TO>(EXPR); } \
  };
#include "../ops/elementwise.def"

template <class TO, class T, template <class, class> class Fn>
void run_unary(const Tensor& out, const Tensor& in, double dp0, double dp1, const char* what) {
  Fn<T, TO> f{m::op_param<T>(dp0), m::op_param<T>(dp1)};
  launch_elementwise<1, TO, T>(out, {&in}, f, what);
}

}  // namespace

#define TL_UNARY_FLOAT_(NAME) \
  TL_DISPATCH_FLOATING(in.dtype(), #NAME, [&] { run_unary<scalar_t, scalar_t, U_##NAME>(out, in, p0, p1, #NAME); })
#define TL_UNARY_FLOATONLY_(NAME) TL_UNARY_FLOAT_(NAME)
#define TL_UNARY_SAME_(NAME) \
  TL_DISPATCH_ALL(in.dtype(), #NAME, [&] { run_unary<scalar_t, scalar_t, U_##NAME>(out, in, p0, p1, #NAME); })
#define TL_UNARY_BOOLOUT_(NAME) \
  TL_DISPATCH_ALL(in.dtype(), #NAME, [&] { run_unary<bool, scalar_t, U_##NAME>(out, in, p0, p1, #NAME); })

void unary_kernel(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1) {
  DeviceGuard guard(out);
  switch (op) {
#define TL_UNARY(NAME, KIND, EXPR) \
  case UnaryOp::NAME: TL_UNARY_##KIND##_(NAME); break;
#include "../ops/elementwise.def"
  }
}

namespace {

template <class T>
__global__ void where_strided(char* out, const char* cond, const char* a, const char* b, OffsetCalc<4> oc,
                              FastOffsetCalc<4> fc, bool fast, int64_t n) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    int64_t off[4];
    if (fast) fc.get(static_cast<uint32_t>(i), off);
    else oc.get(i, off);
    *reinterpret_cast<T*>(out + off[0]) = *reinterpret_cast<const bool*>(cond + off[1])
                                              ? *reinterpret_cast<const T*>(a + off[2])
                                              : *reinterpret_cast<const T*>(b + off[3]);
  }
}

// Writes 1 to *flag when it meets a zero. Threads only ever store the same value, so the unordered
// stores need no atomics.
template <class T>
__global__ void any_zero_strided(const char* t, OffsetCalc<1> oc, int64_t n, unsigned* flag) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  bool z = false;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    int64_t off[1];
    oc.get(i, off);
    z |= *reinterpret_cast<const T*>(t + off[0]) == T(0);
  }
  if (z) *flag = 1u;
}

}  // namespace

void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  DeviceGuard guard(out);
  const int64_t n = out.numel();
  if (n == 0) return;
  TL_DISPATCH_ALL(out.dtype(), "where", [&] {
    const auto g = make_geometry<4>(out.sizes(), {&out, &cond, &a, &b});
    const OffsetCalc<4> oc = make_offset_calc<4>(g, "where");
    const bool fast = n < (int64_t{1} << 31);
    const FastOffsetCalc<4> fc = fast ? make_fast_offset_calc<4>(oc) : FastOffsetCalc<4>{};
    where_strided<scalar_t><<<grid_for(n), kThreads, 0, stream_of(out)>>>(
        static_cast<char*>(out.data_ptr()), static_cast<const char*>(cond.data_ptr()),
        static_cast<const char*>(a.data_ptr()), static_cast<const char*>(b.data_ptr()), oc, fc, fast, n);
    TL_CUDA_LAUNCH_CHECK("where");
  });
}

bool any_zero(const Tensor& t) {
  const int64_t n = t.numel();
  if (n == 0) return false;
  DeviceGuard guard(t);
  const int dev = t.device().index;
  DeviceBuffer flag(sizeof(unsigned), dev);
  TL_CUDA_CHECK(cudaMemsetAsync(flag.get<void>(), 0, sizeof(unsigned), stream_of(dev)), "any_zero");
  TL_DISPATCH_ALL(t.dtype(), "any_zero", [&] {
    const auto g = make_geometry<1>(t.sizes(), {&t});
    const OffsetCalc<1> oc = make_offset_calc<1>(g, "any_zero");
    any_zero_strided<scalar_t><<<grid_for(n), kThreads, 0, stream_of(dev)>>>(
        static_cast<const char*>(t.data_ptr()), oc, n, flag.get<unsigned>());
    TL_CUDA_LAUNCH_CHECK("any_zero");
  });
  unsigned h = 0;
  download_sync(&h, flag.get<void>(), 1, dev, "any_zero");
  return h != 0;
}

}  // namespace tl::cuda
