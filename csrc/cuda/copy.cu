// copy: dst (any strides, any dtype) <- src (broadcast to dst's shape, any strides, any dtype)
// fill: t (any strides, any dtype) <- value
// Casts exactly as csrc/cpu/copy.cpp: float -> integer through float_to_int (torch's x86 answers, never
// UB), anything -> bool as != 0, otherwise static_cast.
#include <cstring>
#include <type_traits>
#include "copy.h"
#include "elementwise.cuh"

namespace tl::cuda {

namespace {

template <class To, class Ti>
struct CastOp {
  __device__ __forceinline__ To operator()(Ti v) const {
    if constexpr (std::is_same_v<To, bool>) return v != Ti(0);
    else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<Ti>) return float_to_int<To>(v);
    else return static_cast<To>(v);
  }
};

template <class T>
__global__ void fill_flat(T* out, int64_t n, T v) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) out[i] = v;
}

template <class T>
__global__ void fill_strided(char* out, OffsetCalc<1> oc, int64_t n, T v) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    int64_t off[1];
    oc.get(i, off);
    *reinterpret_cast<T*>(out + off[0]) = v;
  }
}

}  // namespace

void copy_kernel(const Tensor& dst, const Tensor& src) {
  const int64_t n = dst.numel();
  if (n == 0) return;
  DeviceGuard guard(dst);
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() && dst.sizes() == src.sizes()) {
    TL_CUDA_CHECK(cudaMemcpyAsync(dst.data_ptr(), src.data_ptr(), static_cast<size_t>(n) * dst.itemsize(),
                                  cudaMemcpyDeviceToDevice, stream_of(dst)),
                  "copy_");
    return;
  }
  TL_DISPATCH_ALL(dst.dtype(), "copy_", [&] {
    using To = scalar_t;
    TL_DISPATCH_ALL(src.dtype(), "copy_", [&] {
      using Ti = scalar_t;
      launch_elementwise<1, To, Ti>(dst, {&src}, CastOp<To, Ti>{}, "copy_");
    });
  });
}

void fill_kernel(const Tensor& t, const Scalar& value) {
  const int64_t n = t.numel();
  if (n == 0) return;
  DeviceGuard guard(t);
  TL_DISPATCH_ALL(t.dtype(), "fill_", [&] {
    using T = scalar_t;
    const T v = value.to<T>();
    const auto g = make_geometry<1>(t.sizes(), {&t});
    if (g.sizes.size() <= 1 && (g.sizes.empty() || g.strides[0][0] == static_cast<int64_t>(sizeof(T)))) {
      // zeros() and friends: all-zero bytes (not -0.0) is a plain memset
      T zero{};
      if (std::memcmp(&v, &zero, sizeof(T)) == 0) {
        TL_CUDA_CHECK(cudaMemsetAsync(t.data_ptr(), 0, static_cast<size_t>(n) * sizeof(T), stream_of(t)), "fill_");
        return;
      }
      fill_flat<T><<<grid_for(n), kThreads, 0, stream_of(t)>>>(static_cast<T*>(t.data_ptr()), n, v);
      TL_CUDA_LAUNCH_CHECK("fill_");
      return;
    }
    const OffsetCalc<1> oc = make_offset_calc<1>(g, "fill_");
    fill_strided<T><<<grid_for(n), kThreads, 0, stream_of(t)>>>(static_cast<char*>(t.data_ptr()), oc, n, v);
    TL_CUDA_LAUNCH_CHECK("fill_");
  });
}

}  // namespace tl::cuda
