// Shared CUDA plumbing for every csrc/cuda/<family>.cu: error checks, the device guard, the current
// stream, grid sizing, the strided N-operand offset calculator (from core/geometry.h), warp and block
// reductions, and device temporaries from the caching allocator.
//
// Rules every kernel file follows:
//   - launch on stream_of(tensor) (the current stream of the tensor's device), inside a DeviceGuard;
//   - TL_CUDA_LAUNCH_CHECK("op") after every launch: a bad configuration becomes a Python exception
//     naming the op; asynchronous faults surface at the next checked synchronising call;
//   - no float atomics in anything whose result the user sees (determinism, DESIGN.md s.3);
//   - grid-stride loops with 64-bit indices, so any numel works with a bounded grid.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>
#include "../core/allocator.h"
#include "../core/check.h"
#include "../core/geometry.h"
#include "../core/runtime.h"
#include "../core/tensor.h"

namespace tl::cuda {

[[noreturn]] void throw_cuda_error(cudaError_t err, const char* what, const char* file, int line);

#define TL_CUDA_CHECK(expr, what)                                                         \
  do {                                                                                    \
    cudaError_t tl_err_ = (expr);                                                         \
    if (tl_err_ != cudaSuccess) ::tl::cuda::throw_cuda_error(tl_err_, what, __FILE__, __LINE__); \
  } while (0)
#define TL_CUDA_LAUNCH_CHECK(what) TL_CUDA_CHECK(cudaGetLastError(), what)

// Makes `dev` current for the scope (kernels launch on the current device).
class DeviceGuard {
 public:
  explicit DeviceGuard(int dev);
  explicit DeviceGuard(const Tensor& t) : DeviceGuard(t.device().index) {}
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int prev_ = -1, cur_ = -1;
};

inline cudaStream_t stream_of(int dev) { return static_cast<cudaStream_t>(::tl::current_stream(dev)); }
inline cudaStream_t stream_of(const Tensor& t) { return stream_of(t.device().index); }

constexpr int kThreads = 256;
// Enough blocks to fill the GPU for a grid-stride loop over n items, never more than needed.
inline unsigned grid_for(int64_t n, int threads = kThreads) {
  int64_t b = (n + threads - 1) / threads;
  const int64_t cap = int64_t{1} << 16;  // x 256 threads: 16M threads in flight, then striding
  return static_cast<unsigned>(b < 1 ? 1 : (b > cap ? cap : b));
}

// ---- strided addressing --------------------------------------------------------------------------
constexpr int kMaxDims = 16;  // after coalescing; more raises a RuntimeError naming the op

// Byte offsets of element i (row-major over the iteration shape) in each of N operands.
template <int N>
struct OffsetCalc {
  int nd = 0;
  int64_t sizes[kMaxDims];       // innermost first
  int64_t strides[kMaxDims][N];  // bytes
  __device__ __forceinline__ void get(int64_t i, int64_t (&off)[N]) const {
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] = 0;
    for (int d = 0; d < nd; ++d) {
      const int64_t q = i / sizes[d];
      const int64_t r = i - q * sizes[d];
      i = q;
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] += r * strides[d][k];
    }
  }
};

template <int N>
OffsetCalc<N> make_offset_calc(const Geometry<N>& g, const char* op) {
  OffsetCalc<N> c;
  const int nd = static_cast<int>(g.sizes.size());
  TL_CHECK(nd <= kMaxDims, op, ": CUDA kernels support at most ", kMaxDims,
           " non-mergeable dimensions, got ", nd);
  c.nd = nd;
  for (int d = 0; d < nd; ++d) {
    c.sizes[d] = g.sizes[static_cast<size_t>(nd - 1 - d)];
    for (int k = 0; k < N; ++k) c.strides[d][k] = g.strides[static_cast<size_t>(nd - 1 - d)][k];
  }
  return c;
}

// True when every operand of g is walked with unit element stride in one flat dim (or is a scalar).
template <int N>
bool is_flat(const Geometry<N>& g, const std::array<int64_t, N>& itemsizes) {
  if (g.sizes.size() > 1) return false;
  if (g.sizes.empty()) return true;
  for (int k = 0; k < N; ++k)
    if (g.strides[0][k] != itemsizes[k]) return false;
  return true;
}

// ---- reductions ------------------------------------------------------------------------------------
// Combine functors: T operator()(T a, T b). Fixed shuffle trees, so results are deterministic.
struct MaxF {
  template <class T> __device__ T operator()(T a, T b) const { return a > b ? a : b; }
};
struct SumF {
  template <class T> __device__ T operator()(T a, T b) const { return a + b; }
};

// exp in the compute type: expf for float (not the double exp a plain call would promote to)
__device__ __forceinline__ float dexp(float x) { return expf(x); }
__device__ __forceinline__ double dexp(double x) { return ::exp(x); }

template <class T, class Op>
__device__ __forceinline__ T warp_reduce(T v, Op op) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_down_sync(0xffffffffu, v, o));
  return v;  // valid in lane 0
}

template <class T, class Op>
__device__ __forceinline__ T warp_allreduce(T v, Op op) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;  // valid in every lane
}

// Reduces one value per thread of a 1-D block (blockDim.x a multiple of 32, at most 1024) to a value
// every thread receives. `identity` fills the missing warps; `smem` holds 32 T. Ends with a barrier,
// so the block can call it again right away.
template <class T, class Op>
__device__ T block_allreduce(T v, Op op, T identity, T* smem) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = (blockDim.x + 31) >> 5;
  v = warp_reduce(v, op);
  if (lane == 0) smem[warp] = v;
  __syncthreads();
  T r;
  if (warp == 0) {  // only warp 0 reads the partials: others reading smem[0] would race with its write
    r = lane < nwarps ? smem[lane] : identity;
    r = warp_reduce(r, op);
    if (lane == 0) smem[0] = r;
  }
  __syncthreads();
  r = smem[0];
  __syncthreads();
  return r;
}

// ---- temporaries --------------------------------------------------------------------------------------
// Device scratch memory from the caching allocator, on the current stream of `dev`; freed (back to the
// pool) at scope exit, which is safe without a sync because reuse is ordered on the same stream.
class DeviceBuffer {
 public:
  DeviceBuffer(size_t nbytes, int dev)
      : p_(::tl::device_alloc(nbytes, dev, ::tl::current_stream(dev))), n_(nbytes), dev_(dev) {}
  ~DeviceBuffer() { ::tl::device_free(p_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  template <class T> T* get() const { return static_cast<T*>(p_); }
  size_t size() const { return n_; }

 private:
  void* p_;
  size_t n_;
  int dev_;
};

// Host vector -> device buffer (asynchronous on the current stream; the source may be freed after the
// call returns because copies from pageable memory are staged before cudaMemcpyAsync returns).
template <class T>
void upload(const DeviceBuffer& dst, const T* src, size_t count, int dev, const char* what) {
  if (count == 0) return;
  TL_CUDA_CHECK(cudaMemcpyAsync(dst.get<void>(), src, count * sizeof(T), cudaMemcpyHostToDevice, stream_of(dev)),
                what);
}

// Device -> host, then wait: for the few results the host needs (counts, range-check flags).
template <class T>
void download_sync(T* dst, const void* src, size_t count, int dev, const char* what) {
  if (count == 0) return;
  TL_CUDA_CHECK(cudaMemcpyAsync(dst, src, count * sizeof(T), cudaMemcpyDeviceToHost, stream_of(dev)), what);
  TL_CUDA_CHECK(cudaStreamSynchronize(stream_of(dev)), what);
}

}  // namespace tl::cuda
