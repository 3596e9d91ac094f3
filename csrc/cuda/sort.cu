// x (..., n, ...) -> values, indices (..., n, ...)      sort along dim (stable)
// x (..., n, ...) -> values, indices (..., k, ...)      topk along dim (sorted; ties to the lower index)
//
// Every line along dim is copied into a (lines, M) buffer of (key, index) pairs, M = n rounded up to a
// power of two, and sorted there by a bitonic network under the strict total order "key in the
// requested direction (NaN largest), then the lower index". Indices are distinct, so that order has
// no ties and the network (not stable by itself) produces exactly the stable result, for both
// directions, as the CPU kernel. Padding slots (index >= n) sort after everything. The stages whose
// compare distance fits a kTile-element tile run in shared memory, many per launch; wider distances
// (lines longer than kTile) take one global-memory launch each, O(log^2(M / kTile)) launches.
// topk sorts the same way and keeps the first k of each line.
#include <type_traits>
#include "common.cuh"
#include "sort.h"

namespace tl::cuda {

namespace {

constexpr int kTile = 2048;        // elements per shared-memory tile (double keys: 32 KiB of smem)
constexpr int kSortThreads = 512;  // kTile / 2 pairs per step: two per thread

// torch's order: NaN is larger than every number (x != x is NaN without relying on math headers).
template <class T>
__device__ __forceinline__ bool less_nan(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return a < b || (b != b && !(a != a));
  else return a < b;
}

// Whether (ka, ia) goes before (kb, ib) in the final order; padding (index >= n) goes last.
template <class T>
__device__ __forceinline__ bool before(T ka, int64_t ia, T kb, int64_t ib, int64_t n, bool desc) {
  if (ia >= n || ib >= n) return ia < ib;
  const bool first = desc ? less_nan(kb, ka) : less_nan(ka, kb);
  const bool second = desc ? less_nan(ka, kb) : less_nan(kb, ka);
  return first || (!second && ia < ib);
}

// Compare-exchange of slots i < q for stage k: the run containing i is ascending (in `before` order)
// when bit k of its position in the line is clear. M is a power of two, so pos = flat & (M - 1).
template <class T>
__device__ __forceinline__ void compare_exchange(T& ki, int64_t& ii, T& kq, int64_t& iq, int64_t pos, int64_t k,
                                                 int64_t n, bool desc) {
  const bool up = (pos & k) == 0;
  const bool swap = up ? before(kq, iq, ki, ii, n, desc) : before(ki, ii, kq, iq, n, desc);
  if (swap) {
    const T tk = ki;
    ki = kq;
    kq = tk;
    const int64_t ti = ii;
    ii = iq;
    iq = ti;
  }
}

template <class T>
__global__ void load_k(T* keys, int64_t* idx, const char* x, OffsetCalc<3> oc, int64_t total, int64_t M, int64_t n,
                       int64_t xst_bytes) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    const int64_t l = e / M, j = e - l * M;
    if (j < n) {
      int64_t off[3];
      oc.get(l, off);
      keys[e] = *reinterpret_cast<const T*>(x + off[2] + j * xst_bytes);
    }
    idx[e] = j;  // padding keys stay unset: `before` never reads them
  }
}

// Stages k = kfirst..klast (doubling), each with distances j = min(k/2, kTile/2) .. 1, on one tile of
// the flat buffer. Tiles hold whole lines when M < kTile and lie inside one line otherwise, so a
// pair (i, i + j) never leaves its tile. The last tile may run past `total`: those slots are whole
// missing lines (total is a multiple of M) and are skipped.
template <class T>
__global__ void __launch_bounds__(kSortThreads) bitonic_local_k(T* keys, int64_t* idx, int64_t total, int64_t M,
                                                                int64_t n, int64_t kfirst, int64_t klast, bool desc) {
  __shared__ T sk[kTile];
  __shared__ int64_t si[kTile];
  const int64_t base = int64_t{blockIdx.x} * kTile;
  for (int i = threadIdx.x; i < kTile; i += blockDim.x)
    if (base + i < total) {
      sk[i] = keys[base + i];
      si[i] = idx[base + i];
    }
  __syncthreads();
  for (int64_t k = kfirst; k <= klast; k <<= 1) {
    const int64_t jfirst = (k >> 1) < kTile / 2 ? (k >> 1) : kTile / 2;
    for (int j = static_cast<int>(jfirst); j >= 1; j >>= 1) {
      for (int p = threadIdx.x; p < kTile / 2; p += blockDim.x) {
        const int i = (p / j) * 2 * j + (p % j), q = i + j;
        if (base + q < total) compare_exchange(sk[i], si[i], sk[q], si[q], (base + i) & (M - 1), k, n, desc);
      }
      __syncthreads();  // uniform: k, j and the trip counts are the same for the whole block
    }
  }
  for (int i = threadIdx.x; i < kTile; i += blockDim.x)
    if (base + i < total) {
      keys[base + i] = sk[i];
      idx[base + i] = si[i];
    }
}

// One stage step with distance j >= kTile, over the whole buffer (total / 2 disjoint pairs).
template <class T>
__global__ void bitonic_global_k(T* keys, int64_t* idx, int64_t pairs, int64_t M, int64_t n, int64_t k, int64_t j,
                                 bool desc) {
  for (int64_t p = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; p < pairs; p += int64_t{gridDim.x} * blockDim.x) {
    const int64_t i = (p / j) * 2 * j + (p % j), q = i + j;
    T ki = keys[i], kq = keys[q];
    int64_t ii = idx[i], iq = idx[q];
    compare_exchange(ki, ii, kq, iq, i & (M - 1), k, n, desc);
    keys[i] = ki;
    keys[q] = kq;
    idx[i] = ii;
    idx[q] = iq;
  }
}

// The first kout slots of every sorted line -> values, indices (strided, line offsets from oc).
template <class T>
__global__ void store_k(char* values, char* indices, const T* keys, const int64_t* idx, OffsetCalc<3> oc,
                        int64_t total, int64_t kout, int64_t M, int64_t vst_bytes, int64_t ist_bytes) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    const int64_t l = e / kout, j = e - l * kout;
    int64_t off[3];
    oc.get(l, off);
    *reinterpret_cast<T*>(values + off[0] + j * vst_bytes) = keys[l * M + j];
    *reinterpret_cast<int64_t*>(indices + off[1] + j * ist_bytes) = idx[l * M + j];
  }
}

// Sorts every line of x along dim and writes the first kout of each into values/indices, whose
// shapes equal x's except along dim. values, indices, x: any strides.
template <class T>
void sort_lines(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool desc, int64_t kout,
                const char* op) {
  const int64_t n = x.sizes()[dim];
  if (n == 0 || kout == 0) return;
  Shape lshape = x.sizes();
  lshape[dim] = 1;
  const Tensor vv(values.storage(), lshape, values.strides(), values.offset(), values.dtype());
  const Tensor iv(indices.storage(), lshape, indices.strides(), indices.offset(), indices.dtype());
  const Tensor xv(x.storage(), lshape, x.strides(), x.offset(), x.dtype());
  auto geo = make_geometry<3>(lshape, {&vv, &iv, &xv});
  const int64_t lines = geo.numel;
  if (lines == 0) return;
  auto oc = make_offset_calc<3>(geo, op);
  int64_t M = 1;
  while (M < n) M <<= 1;
  const int64_t total = lines * M;
  const int dev = x.device().index;
  cudaStream_t st = stream_of(x);
  DeviceBuffer kb(static_cast<size_t>(total) * sizeof(T), dev), ib(static_cast<size_t>(total) * sizeof(int64_t), dev);
  T* keys = kb.get<T>();
  int64_t* idx = ib.get<int64_t>();
  const int64_t xsz = static_cast<int64_t>(x.itemsize());
  load_k<T><<<grid_for(total), kThreads, 0, st>>>(keys, idx, static_cast<const char*>(x.data_ptr()), oc, total, M, n,
                                                  x.strides()[dim] * xsz);
  TL_CUDA_LAUNCH_CHECK(op);
  if (M > 1) {
    const unsigned tiles = static_cast<unsigned>((total + kTile - 1) / kTile);
    bitonic_local_k<T><<<tiles, kSortThreads, 0, st>>>(keys, idx, total, M, n, 2, M < kTile ? M : kTile, desc);
    TL_CUDA_LAUNCH_CHECK(op);
    for (int64_t k = 2 * int64_t{kTile}; k <= M; k <<= 1) {
      for (int64_t j = k >> 1; j >= kTile; j >>= 1) {
        bitonic_global_k<T><<<grid_for(total / 2), kThreads, 0, st>>>(keys, idx, total / 2, M, n, k, j, desc);
        TL_CUDA_LAUNCH_CHECK(op);
      }
      bitonic_local_k<T><<<tiles, kSortThreads, 0, st>>>(keys, idx, total, M, n, k, k, desc);
      TL_CUDA_LAUNCH_CHECK(op);
    }
  }
  const int64_t out_total = lines * kout;
  store_k<T><<<grid_for(out_total), kThreads, 0, st>>>(
      static_cast<char*>(values.data_ptr()), static_cast<char*>(indices.data_ptr()), keys, idx, oc, out_total, kout, M,
      values.strides()[dim] * xsz, indices.strides()[dim] * static_cast<int64_t>(sizeof(int64_t)));
  TL_CUDA_LAUNCH_CHECK(op);
}

}  // namespace

void sort_kernel(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending) {
  DeviceGuard g(values);
  TL_DISPATCH_ALL(x.dtype(), "sort",
                  [&] { sort_lines<scalar_t>(values, indices, x, dim, descending, x.sizes()[dim], "sort"); });
}

void topk_kernel(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, int64_t k, bool largest,
                 bool sorted) {
  (void)sorted;  // results always come sorted: a valid order for sorted=False too, and deterministic
  DeviceGuard g(values);
  TL_DISPATCH_NUMERIC(x.dtype(), "topk", [&] { sort_lines<scalar_t>(values, indices, x, dim, largest, k, "topk"); });
}

}  // namespace tl::cuda
