// x (outer, size, inner), idx (n,) -> out (outer, n, inner)            index_select
// x, idx, out (same ndim; idx, out same shape)                         gather / scatter / scatter_add
// out (outer, size, inner) += src (outer, n, inner) by idx (n,)         index_add_
// x (..), P index positions x T tail positions -> out (P, T)           advanced indexing / index_put
// x (any shape) -> out (count,) or (count, ndim)                        masked_select / nonzero
// x, mask (same shape) -> x                                              masked_fill_ (x[mask] = v)
//
// Determinism without float atomics: every write that can collide through duplicate indices is done
// by one thread, in index order (as the CPU kernels do): scatter threads own a whole line along dim;
// index_add_ and index_put_ group equal destinations on the host (stable counting/pair sort of the
// index values, which the op layer already has or fetches) and give each group to one thread, so a
// 1-D index_add_ or a long index_put_ still runs wide.
// Compaction is chunked: per-chunk counts (downloaded: the op layer needs the total to allocate),
// then each block writes its chunk at the host-computed start, in row-major order, with a block scan.
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>
#include "common.cuh"
#include "index.h"

namespace tl::cuda {

namespace {

// The bits of value.to<T>() reinterpreted as the width type W (sizeof(W) == sizeof(T)).
template <class W>
W value_bits(const Scalar& value, DType dt) {
  W bits{};
  TL_DISPATCH_ALL(dt, "indexing", [&] {
    const scalar_t v = value.to<scalar_t>();
    static_assert(sizeof(scalar_t) <= sizeof(uint64_t), "wide scalar");
    if constexpr (sizeof(scalar_t) == sizeof(W)) std::memcpy(&bits, &v, sizeof(W));
  });
  return bits;
}

template <class T>
__device__ __forceinline__ void acc_into(T& dst, T v) {
  if constexpr (std::is_same_v<T, bool>) dst = dst || v;
  else dst = static_cast<T>(dst + v);
}

template <class T>
__device__ __forceinline__ const T* at(const char* base, int64_t off) {
  return reinterpret_cast<const T*>(base + off);
}
template <class T>
__device__ __forceinline__ T* at(char* base, int64_t off) {
  return reinterpret_cast<T*>(base + off);
}

// A zeroed device int that kernels set to 1 on failure, and its download.
struct Flag {
  DeviceBuffer buf;
  int dev;
  explicit Flag(int d) : buf(sizeof(int), d), dev(d) {
    TL_CUDA_CHECK(cudaMemsetAsync(buf.get<int>(), 0, sizeof(int), stream_of(d)), "indexing flag");
  }
  bool raised(const char* what) const {
    int h = 0;
    download_sync(&h, buf.get<int>(), 1, dev, what);
    return h != 0;
  }
};

// Line geometry for kernels where one thread owns a line along `dim`: `shape` with dim collapsed,
// each operand with its own strides (see cpu::for_each_line).
template <int N>
OffsetCalc<N> line_calc(Shape shape, int64_t dim, const std::array<const Tensor*, N>& ops, const char* op,
                        int64_t& nlines) {
  shape[dim] = 1;
  std::array<Tensor, N> views;
  std::array<const Tensor*, N> vp;
  for (int k = 0; k < N; ++k) {
    views[k] = Tensor(ops[k]->storage(), shape, ops[k]->strides(), ops[k]->offset(), ops[k]->dtype());
    vp[k] = &views[k];
  }
  auto g = make_geometry<N>(shape, vp);
  nlines = g.numel;
  return make_offset_calc<N>(g, op);
}

// ---- range check -------------------------------------------------------------------------------------

__global__ void range_kernel(const char* ip, OffsetCalc<1> oc, int64_t n, int64_t size, int* flag) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < n; e += int64_t{gridDim.x} * blockDim.x) {
    int64_t off[1];
    oc.get(e, off);
    const uint64_t v = static_cast<uint64_t>(*at<int64_t>(ip, off[0]));
    if (v >= static_cast<uint64_t>(size)) *flag = 1;  // every writer stores the same value
  }
}

// ---- index_select ------------------------------------------------------------------------------------

template <class T>
__global__ void index_select_k(T* out, const T* x, const int64_t* idx, int64_t ist, int64_t total, int64_t n,
                               int64_t size, int64_t inner) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    const int64_t i = e % inner, r = e / inner;
    const int64_t k = r % n, o = r / n;
    out[e] = x[(o * size + idx[k * ist]) * inner + i];
  }
}

// ---- gather ------------------------------------------------------------------------------------------

// Operands (out, x with stride 0 along dim, idx) walked like an elementwise op; the index adds
// idx * x's dim stride. An out-of-range index raises the flag and reads nothing.
template <class T>
__global__ void gather_k(char* out, const char* x, const char* idx, OffsetCalc<3> oc, int64_t total, int64_t size,
                         int64_t xdim_bytes, int* flag) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    int64_t off[3];
    oc.get(e, off);
    const int64_t k = *at<int64_t>(idx, off[2]);
    if (static_cast<uint64_t>(k) >= static_cast<uint64_t>(size)) {
      *flag = 1;
      continue;
    }
    *at<T>(out, off[0]) = *at<T>(x, off[1] + k * xdim_bytes);
  }
}

// ---- scatter -----------------------------------------------------------------------------------------

enum class ScatterMode { Assign, Add, Fill };

// One thread per line along dim: its K updates land in index order, so duplicates resolve (or sum)
// exactly as on the CPU. Strides along dim are in elements.
template <class T, ScatterMode M>
__global__ void scatter_k(char* self, const char* idx, const char* src, OffsetCalc<3> oc, int64_t nlines, int64_t K,
                          int64_t sst, int64_t ist, int64_t rst, T fill) {
  for (int64_t l = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; l < nlines; l += int64_t{gridDim.x} * blockDim.x) {
    int64_t off[3];
    oc.get(l, off);
    T* s = at<T>(self, off[0]);
    const int64_t* ii = at<int64_t>(idx, off[1]);
    if constexpr (M == ScatterMode::Fill) {
      for (int64_t k = 0; k < K; ++k) s[ii[k * ist] * sst] = fill;
    } else {
      const T* r = at<T>(src, off[2]);
      for (int64_t k = 0; k < K; ++k) {
        if constexpr (M == ScatterMode::Add) acc_into(s[ii[k * ist] * sst], r[k * rst]);
        else s[ii[k * ist] * sst] = r[k * rst];
      }
    }
  }
}

template <class T, ScatterMode M>
void launch_scatter(const Tensor& self, int64_t dim, const Tensor& idx, const Tensor* src, T fill, const char* op) {
  const int64_t K = idx.sizes()[dim];
  const Tensor& s2 = src ? *src : idx;  // Fill has no src: any operand covering the line shape will do
  int64_t nlines = 0;
  auto oc = line_calc<3>(idx.sizes(), dim, {&self, &idx, &s2}, op, nlines);
  if (nlines == 0 || K == 0) return;
  scatter_k<T, M><<<grid_for(nlines), kThreads, 0, stream_of(self)>>>(
      static_cast<char*>(self.data_ptr()), static_cast<const char*>(idx.data_ptr()),
      static_cast<const char*>(s2.data_ptr()), oc, nlines, K, self.strides()[dim], idx.strides()[dim],
      s2.strides()[dim], fill);
  TL_CUDA_LAUNCH_CHECK(op);
}

// ---- grouping of duplicate destinations ---------------------------------------------------------------

// Positions 0..n-1 grouped by key: segment s holds positions order[start[s]..start[s+1]) (in
// increasing position order) that share one key. An empty `order` means the identity (the keys were
// strictly increasing, e.g. nonzero() output, so every segment is one position).
struct Groups {
  std::vector<int64_t> order, start;
  int64_t segments() const { return static_cast<int64_t>(start.size()) - 1; }
};

// `range`: keys lie in [0, range) (a counting sort then, when it is not much larger than n), or -1.
Groups group_by_key(const int64_t* keys, int64_t n, int64_t range) {
  Groups g;
  bool increasing = true;
  for (int64_t i = 1; i < n && increasing; ++i) increasing = keys[i - 1] < keys[i];
  if (increasing) {
    g.start.resize(static_cast<size_t>(n) + 1);
    for (int64_t i = 0; i <= n; ++i) g.start[i] = i;
    return g;
  }
  g.order.resize(static_cast<size_t>(n));
  g.start.push_back(0);
  if (range >= 0 && range <= 4 * n + 1024) {
    std::vector<int64_t> count(static_cast<size_t>(range) + 1, 0);
    for (int64_t i = 0; i < n; ++i) ++count[keys[i] + 1];
    for (int64_t v = 0; v < range; ++v) {
      count[v + 1] += count[v];
      if (count[v + 1] > count[v]) g.start.push_back(count[v + 1]);
    }
    for (int64_t i = 0; i < n; ++i) g.order[count[keys[i]]++] = i;  // stable: positions in order
    return g;
  }
  std::vector<std::pair<int64_t, int64_t>> kv(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) kv[i] = {keys[i], i};
  std::sort(kv.begin(), kv.end());  // pairs are distinct: the (key, position) order is the stable one
  for (int64_t i = 0; i < n; ++i) {
    g.order[i] = kv[i].second;
    if (i > 0 && kv[i].first != kv[i - 1].first) g.start.push_back(i);
  }
  g.start.push_back(n);
  return g;
}

// order and start on the device (order may be absent: the identity).
struct DeviceGroups {
  DeviceBuffer order, start;
  DeviceGroups(const Groups& g, int dev, const char* what)
      : order(std::max<size_t>(g.order.size(), 1) * sizeof(int64_t), dev), start(g.start.size() * sizeof(int64_t), dev) {
    upload(order, g.order.data(), g.order.size(), dev, what);
    upload(start, g.start.data(), g.start.size(), dev, what);
  }
};

__device__ __forceinline__ int64_t pos_at(const int64_t* order, int64_t q) { return order ? order[q] : q; }

// d + a * v without FMA contraction, so the rounding matches the CPU kernel's separate multiply-add.
template <class T>
__device__ __forceinline__ T add_scaled(T d, T a, T v) {
  if constexpr (std::is_same_v<T, bool>) return d || (v && a);
  else if constexpr (std::is_same_v<T, float>) return __fadd_rn(d, __fmul_rn(a, v));
  else if constexpr (std::is_same_v<T, double>) return __dadd_rn(d, __dmul_rn(a, v));
  else return static_cast<T>(d + a * v);
}

// ---- index_add ---------------------------------------------------------------------------------------

// One thread per destination (o, key of segment s, i): it adds its segment's rows in index order,
// which is the order the CPU kernel applies them in, so results match bit for bit and never depend
// on scheduling. Neighbouring threads take neighbouring i (coalesced rows).
template <class T>
__global__ void index_add_k(T* out, const T* src, const int64_t* order, const int64_t* start, const int64_t* key,
                            int64_t total, int64_t S, int64_t n, int64_t size, int64_t inner, T a) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    const int64_t i = e % inner, r = e / inner;
    const int64_t s = r % S, o = r / S;
    const int64_t q0 = start[s], q1 = start[s + 1];
    T* dst = out + (o * size + key[pos_at(order, q0)]) * inner + i;
    const T* sp = src + o * n * inner + i;
    T d = *dst;
    for (int64_t q = q0; q < q1; ++q) d = add_scaled(d, a, sp[pos_at(order, q) * inner]);
    *dst = d;
  }
}

// ---- advanced indexing -------------------------------------------------------------------------------

template <class T>
__global__ void index_k(T* out, const T* x, const int64_t* offs, const int64_t* toffs, int64_t total, int64_t TT) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    const int64_t p = e / TT, t = e % TT;
    out[e] = x[offs[p] + toffs[t]];
  }
}

// One thread per (segment of equal index positions, tail position): accumulate sums the segment's
// values in position order, a plain put stores the last one, both as the CPU kernel's in-order
// writes. Distinct offsets address disjoint rows of x (x is not self-overlapping: check_writable), so
// no two threads write one element.
template <class T, bool Acc>
__global__ void index_put_k(T* x, const T* v, const int64_t* offs, const int64_t* toffs, const int64_t* order,
                            const int64_t* start, int64_t total, int64_t TT) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    const int64_t t = e % TT, s = e / TT;
    const int64_t q0 = start[s], q1 = start[s + 1];
    T* d = x + offs[pos_at(order, q0)] + toffs[t];
    if constexpr (Acc) {
      T acc = *d;
      for (int64_t q = q0; q < q1; ++q) acc_into(acc, v[pos_at(order, q) * TT + t]);
      *d = acc;
    } else {
      *d = v[pos_at(order, q1 - 1) * TT + t];
    }
  }
}

// ---- masked_fill -------------------------------------------------------------------------------------

template <class W>
__global__ void masked_fill_k(char* x, const char* mask, OffsetCalc<2> oc, int64_t total, W v) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < total; e += int64_t{gridDim.x} * blockDim.x) {
    int64_t off[2];
    oc.get(e, off);
    if (*at<bool>(mask, off[1])) *at<W>(x, off[0]) = v;
  }
}

// ---- compaction --------------------------------------------------------------------------------------

// Chunks are this device's own unit: the op layer only turns their counts into starts.
constexpr int64_t kChunk = 16384;
constexpr int kScanThreads = 256;
constexpr int kItems = 4;                            // consecutive elements per thread per tile
constexpr int64_t kTile = kScanThreads * kItems;     // kChunk is a multiple of kTile
static_assert(kChunk % kTile == 0, "chunk must be whole tiles");

template <class T>
__device__ __forceinline__ bool nonzero_at(const T* x, int64_t i) {
  return x[i] != T(0);
}

// One block per chunk: the count of nonzero elements.
template <class T>
__global__ void chunk_count_k(const T* x, int64_t n, int64_t* counts) {
  __shared__ int64_t smem[32];
  const int64_t lo = blockIdx.x * kChunk;
  const int64_t hi = lo + kChunk < n ? lo + kChunk : n;
  int64_t c = 0;
  for (int64_t i = lo + threadIdx.x; i < hi; i += blockDim.x) c += nonzero_at(x, i);
  c = block_allreduce(c, [](int64_t a, int64_t b) { return a + b; }, int64_t{0}, smem);
  if (threadIdx.x == 0) counts[blockIdx.x] = c;
}

// Exclusive prefix of one int per thread over a 1-D block of kScanThreads; `total` gets the block sum.
// Every thread must call it (it holds barriers); it ends with one, so smem can be reused at once.
__device__ int block_exclusive_scan(int v, int* smem, int& total) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
  int x = v;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    const int y = __shfl_up_sync(0xffffffffu, x, o);
    if (lane >= o) x += y;
  }
  if (lane == 31) smem[warp] = x;
  __syncthreads();
  if (warp == 0) {
    int w = lane < nwarps ? smem[lane] : 0;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
      const int y = __shfl_up_sync(0xffffffffu, w, o);
      if (lane >= o) w += y;
    }
    if (lane < nwarps) smem[lane] = w;  // inclusive prefix of the warp totals
  }
  __syncthreads();
  const int before = warp > 0 ? smem[warp - 1] : 0;
  total = smem[nwarps - 1];
  __syncthreads();
  return before + x - v;
}

// One block per chunk, tiles of kTile elements in order; the running count carries across tiles.
// Emit(i, w) writes element i (selected) as output row w. Pred(i) selects.
template <class Pred, class Emit>
__device__ void compact_chunk(int64_t n, int64_t start, const Pred& pred, const Emit& emit) {
  __shared__ int smem[32];
  const int64_t lo = blockIdx.x * kChunk;
  const int64_t hi = lo + kChunk < n ? lo + kChunk : n;
  int64_t running = start;
  for (int64_t base = lo; base < hi; base += kTile) {  // same trip count for the whole block
    const int64_t mine = base + int64_t{threadIdx.x} * kItems;
    bool sel[kItems];
    int c = 0;
#pragma unroll
    for (int j = 0; j < kItems; ++j) {
      sel[j] = mine + j < hi && pred(mine + j);
      c += sel[j];
    }
    int total = 0;
    int64_t w = running + block_exclusive_scan(c, smem, total);
#pragma unroll
    for (int j = 0; j < kItems; ++j)
      if (sel[j]) emit(mine + j, w++);
    running += total;
  }
}

template <class W>
__global__ void masked_select_k(W* out, const W* x, const bool* mask, int64_t n, const int64_t* starts) {
  compact_chunk(
      n, starts[blockIdx.x], [&](int64_t i) { return mask[i]; }, [&](int64_t i, int64_t w) { out[w] = x[i]; });
}

template <class T>
__global__ void nonzero_k(int64_t* out, const T* x, int64_t n, const int64_t* starts, const int64_t* sizes, int nd) {
  compact_chunk(
      n, starts[blockIdx.x], [&](int64_t i) { return nonzero_at(x, i); },
      [&](int64_t i, int64_t w) {
        int64_t rem = i;
        for (int d = nd - 1; d >= 0; --d) {
          const int64_t q = rem / sizes[d];
          out[w * nd + d] = rem - q * sizes[d];
          rem = q;
        }
      });
}

}  // namespace

bool indices_in_range(const Tensor& idx, int64_t size) {
  const int64_t n = idx.numel();
  if (n == 0) return true;
  DeviceGuard g(idx);
  Flag flag(idx.device().index);
  auto geo = make_geometry<1>(idx.sizes(), {&idx});
  auto oc = make_offset_calc<1>(geo, "index range check");
  range_kernel<<<grid_for(n), kThreads, 0, stream_of(idx)>>>(static_cast<const char*>(idx.data_ptr()), oc, n, size,
                                                             flag.buf.get<int>());
  TL_CUDA_LAUNCH_CHECK("index range check");
  return !flag.raised("index range check");
}

void index_select_kernel(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& idx) {
  DeviceGuard g(out);
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.sizes()[d];
  const int64_t total = out.numel(), n = idx.numel();
  if (total == 0) return;
  const int64_t ist = idx.dim() ? idx.strides()[0] : 0;
  dispatch_width(x.itemsize(), [&](auto tag) {
    using W = decltype(tag);
    index_select_k<W><<<grid_for(total), kThreads, 0, stream_of(out)>>>(
        static_cast<W*>(out.data_ptr()), static_cast<const W*>(x.data_ptr()), idx.data<int64_t>(), ist, total, n,
        x.sizes()[dim], inner);
  });
  TL_CUDA_LAUNCH_CHECK("index_select");
}

bool gather_kernel(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& idx) {
  const int64_t total = out.numel();
  if (total == 0) return true;
  DeviceGuard g(out);
  Shape xst = x.strides();
  const int64_t xdim_bytes = xst[dim] * static_cast<int64_t>(x.itemsize());
  xst[dim] = 0;
  Tensor xv(x.storage(), idx.sizes(), xst, x.offset(), x.dtype());
  auto geo = make_geometry<3>(out.sizes(), {&out, &xv, &idx});
  auto oc = make_offset_calc<3>(geo, "gather");
  Flag flag(out.device().index);
  dispatch_width(x.itemsize(), [&](auto tag) {
    using W = decltype(tag);
    gather_k<W><<<grid_for(total), kThreads, 0, stream_of(out)>>>(
        static_cast<char*>(out.data_ptr()), static_cast<const char*>(x.data_ptr()),
        static_cast<const char*>(idx.data_ptr()), oc, total, x.sizes()[dim], xdim_bytes, flag.buf.get<int>());
  });
  TL_CUDA_LAUNCH_CHECK("gather");
  return !flag.raised("gather");
}

void scatter_kernel(const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src, bool add) {
  DeviceGuard g(self);
  if (add) {
    TL_DISPATCH_ALL(self.dtype(), "scatter_add", [&] {
      launch_scatter<scalar_t, ScatterMode::Add>(self, dim, idx, &src, scalar_t{}, "scatter_add");
    });
  } else {
    dispatch_width(self.itemsize(), [&](auto tag) {
      using W = decltype(tag);
      launch_scatter<W, ScatterMode::Assign>(self, dim, idx, &src, W{}, "scatter");
    });
  }
}

void scatter_fill_kernel(const Tensor& self, int64_t dim, const Tensor& idx, const Scalar& value) {
  DeviceGuard g(self);
  dispatch_width(self.itemsize(), [&](auto tag) {
    using W = decltype(tag);
    launch_scatter<W, ScatterMode::Fill>(self, dim, idx, nullptr, value_bits<W>(value, self.dtype()), "scatter");
  });
}

void index_add_kernel(const Tensor& out, int64_t dim, const Tensor& idx, const Tensor& src, const Scalar& alpha) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= out.sizes()[d];
  for (int64_t d = dim + 1; d < out.dim(); ++d) inner *= out.sizes()[d];
  const int64_t size = out.sizes()[dim], n = idx.numel();
  if (outer * inner == 0 || n == 0) return;
  DeviceGuard g(out);
  const int dev = out.device().index;
  // The index values come to the host to group duplicates (the op layer's range check has already
  // synchronised); a strided index comes over as its whole span.
  const int64_t ist = idx.dim() ? idx.strides()[0] : 0;
  std::vector<int64_t> span(static_cast<size_t>((n - 1) * ist + 1)), keys(static_cast<size_t>(n));
  download_sync(span.data(), idx.data_ptr(), span.size(), dev, "index_add_");
  for (int64_t k = 0; k < n; ++k) keys[k] = span[k * ist];
  const Groups grp = group_by_key(keys.data(), n, size);
  DeviceGroups dg(grp, dev, "index_add_");
  const int64_t S = grp.segments();
  DeviceBuffer dkeys(keys.size() * sizeof(int64_t), dev);
  upload(dkeys, keys.data(), keys.size(), dev, "index_add_");
  const int64_t total = outer * S * inner;
  TL_DISPATCH_ALL(out.dtype(), "index_add_", [&] {
    using T = scalar_t;
    index_add_k<T><<<grid_for(total), kThreads, 0, stream_of(out)>>>(
        out.data<T>(), src.data<T>(), grp.order.empty() ? nullptr : dg.order.get<int64_t>(), dg.start.get<int64_t>(),
        dkeys.get<int64_t>(), total, S, n, size, inner, alpha.to<T>());
  });
  TL_CUDA_LAUNCH_CHECK("index_add_");
}

void index_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& offs,
                  const std::vector<int64_t>& toffs) {
  const int64_t P = static_cast<int64_t>(offs.size()), TT = static_cast<int64_t>(toffs.size());
  if (P == 0 || TT == 0) return;
  DeviceGuard g(out);
  const int dev = out.device().index;
  DeviceBuffer doffs(offs.size() * sizeof(int64_t), dev), dtoffs(toffs.size() * sizeof(int64_t), dev);
  upload(doffs, offs.data(), offs.size(), dev, "index");
  upload(dtoffs, toffs.data(), toffs.size(), dev, "index");
  const int64_t total = P * TT;
  dispatch_width(x.itemsize(), [&](auto tag) {
    using W = decltype(tag);
    index_k<W><<<grid_for(total), kThreads, 0, stream_of(out)>>>(static_cast<W*>(out.data_ptr()),
                                                                 static_cast<const W*>(x.data_ptr()),
                                                                 doffs.get<int64_t>(), dtoffs.get<int64_t>(), total,
                                                                 TT);
  });
  TL_CUDA_LAUNCH_CHECK("index");
}

void index_put_kernel(const Tensor& x, const std::vector<int64_t>& offs, const std::vector<int64_t>& toffs,
                      const Tensor& values, bool accumulate) {
  const int64_t P = static_cast<int64_t>(offs.size()), TT = static_cast<int64_t>(toffs.size());
  if (P == 0 || TT == 0) return;
  DeviceGuard g(x);
  const int dev = x.device().index;
  // Duplicate index positions (equal offsets) are grouped on the host, where the offsets already are.
  const Groups grp = group_by_key(offs.data(), P, -1);
  DeviceGroups dg(grp, dev, "index_put_");
  DeviceBuffer doffs(offs.size() * sizeof(int64_t), dev), dtoffs(toffs.size() * sizeof(int64_t), dev);
  upload(doffs, offs.data(), offs.size(), dev, "index_put_");
  upload(dtoffs, toffs.data(), toffs.size(), dev, "index_put_");
  const int64_t* order = grp.order.empty() ? nullptr : dg.order.get<int64_t>();
  const int64_t total = grp.segments() * TT;
  if (accumulate) {
    TL_DISPATCH_ALL(x.dtype(), "index_put_", [&] {
      using T = scalar_t;
      index_put_k<T, true><<<grid_for(total), kThreads, 0, stream_of(x)>>>(
          x.data<T>(), values.data<T>(), doffs.get<int64_t>(), dtoffs.get<int64_t>(), order, dg.start.get<int64_t>(),
          total, TT);
    });
  } else {
    dispatch_width(x.itemsize(), [&](auto tag) {
      using W = decltype(tag);
      index_put_k<W, false><<<grid_for(total), kThreads, 0, stream_of(x)>>>(
          static_cast<W*>(x.data_ptr()), static_cast<const W*>(values.data_ptr()), doffs.get<int64_t>(),
          dtoffs.get<int64_t>(), order, dg.start.get<int64_t>(), total, TT);
    });
  }
  TL_CUDA_LAUNCH_CHECK("index_put_");
}

void masked_fill_kernel(const Tensor& x, const Tensor& mask, const Scalar& value) {
  const int64_t total = x.numel();
  if (total == 0) return;
  DeviceGuard g(x);
  auto geo = make_geometry<2>(x.sizes(), {&x, &mask});
  auto oc = make_offset_calc<2>(geo, "masked_fill_");
  dispatch_width(x.itemsize(), [&](auto tag) {
    using W = decltype(tag);
    masked_fill_k<W><<<grid_for(total), kThreads, 0, stream_of(x)>>>(
        static_cast<char*>(x.data_ptr()), static_cast<const char*>(mask.data_ptr()), oc, total,
        value_bits<W>(value, x.dtype()));
  });
  TL_CUDA_LAUNCH_CHECK("masked_fill_");
}

std::vector<int64_t> nonzero_chunk_counts(const Tensor& x) {
  const int64_t n = x.numel();
  const int64_t nch = (n + kChunk - 1) / kChunk;
  std::vector<int64_t> counts(static_cast<size_t>(nch), 0);
  if (nch == 0) return counts;
  DeviceGuard g(x);
  const int dev = x.device().index;
  DeviceBuffer dcounts(static_cast<size_t>(nch) * sizeof(int64_t), dev);
  TL_DISPATCH_ALL(x.dtype(), "nonzero", [&] {
    chunk_count_k<scalar_t><<<static_cast<unsigned>(nch), kScanThreads, 0, stream_of(x)>>>(x.data<scalar_t>(), n,
                                                                                          dcounts.get<int64_t>());
  });
  TL_CUDA_LAUNCH_CHECK("nonzero");
  download_sync(counts.data(), dcounts.get<void>(), counts.size(), dev, "nonzero");
  return counts;
}

void masked_select_kernel(const Tensor& out, const Tensor& x, const Tensor& mask, const std::vector<int64_t>& starts) {
  const int64_t n = x.numel(), nch = static_cast<int64_t>(starts.size());
  if (n == 0 || nch == 0) return;
  DeviceGuard g(out);
  const int dev = out.device().index;
  DeviceBuffer dstarts(starts.size() * sizeof(int64_t), dev);
  upload(dstarts, starts.data(), starts.size(), dev, "masked_select");
  dispatch_width(x.itemsize(), [&](auto tag) {
    using W = decltype(tag);
    masked_select_k<W><<<static_cast<unsigned>(nch), kScanThreads, 0, stream_of(out)>>>(
        static_cast<W*>(out.data_ptr()), static_cast<const W*>(x.data_ptr()), mask.data<bool>(), n,
        dstarts.get<int64_t>());
  });
  TL_CUDA_LAUNCH_CHECK("masked_select");
}

void nonzero_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& starts) {
  const int64_t n = x.numel(), nch = static_cast<int64_t>(starts.size());
  const int nd = static_cast<int>(x.dim());
  if (n == 0 || nch == 0 || nd == 0) return;
  DeviceGuard g(out);
  const int dev = out.device().index;
  DeviceBuffer dstarts(starts.size() * sizeof(int64_t), dev), dsizes(static_cast<size_t>(nd) * sizeof(int64_t), dev);
  upload(dstarts, starts.data(), starts.size(), dev, "nonzero");
  upload(dsizes, x.sizes().data(), static_cast<size_t>(nd), dev, "nonzero");
  TL_DISPATCH_ALL(x.dtype(), "nonzero", [&] {
    nonzero_k<scalar_t><<<static_cast<unsigned>(nch), kScanThreads, 0, stream_of(out)>>>(
        out.data<int64_t>(), x.data<scalar_t>(), n, dstarts.get<int64_t>(), dsizes.get<int64_t>(), nd);
  });
  TL_CUDA_LAUNCH_CHECK("nonzero");
}

}  // namespace tl::cuda
