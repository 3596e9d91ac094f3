// CUDA reductions and scans; same contracts as csrc/cpu/reduce.h:
//   reduce_kernel(op, out, in)      in (any shape/strides) -> out (keepdim shape, contiguous)
//   arg_reduce_kernel(op, v, i, in) one reduced dim (or in flattened to 1-D) -> first extreme index
//   cumsum_kernel / scan_kernel     in, out (outer, D, inner) contiguous, scanned along D
// Accumulation types are the CPU kernel's (acc_type: double for float32, int64 for small integers).
//
// Reductions. Size-1 dims are dropped; kept dims are merged in output order, reduced dims sorted by
// input stride and merged. Two layouts, chosen by which dim has input stride 1:
//   A  a reduced dim: blockDim.x threads (32 for short rows, 256 for long) own one output; lanes stride
//      over the contiguous run, so each load instruction reads consecutive addresses.
//   B  the last kept dim: 32 consecutive outputs per block row (coalesced), 8 thread rows stride over
//      the reduced positions, merged in thread-row order through shared memory.
// Any other layout (stride-1 dim absent, broadcast, or a kept stride-1 dim that is not the output's
// innermost) is first copied contiguous: a documented choice that keeps two coalesced kernels only.
// With few outputs and a long reduction the reduction is cut into chunks whose size depends on the
// shapes alone; pass 1 writes one partial accumulator per chunk into a DeviceBuffer and pass 2 merges
// them in a fixed tree. No atomics: every result is bitwise reproducible.
//
// Scans: a line of D elements is cut into chunks (by shape only). Pass 1 computes each chunk's total,
// pass 2 scans the totals of a line serially, pass 3 rescans each chunk from its carried prefix. Short
// lines or many lines skip passes 1-2. Contiguous lines (inner == 1) use a warp per chunk (32-element
// tiles, shuffle scan, carry from the last lane); strided lines (inner > 1) a thread per column, with
// neighbouring threads on neighbouring columns.
#include "reduce.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>
#include "common.cuh"

namespace tl::cuda {

namespace {

template <class T> using acc_of = typename acc_type<T>::type;

constexpr unsigned kFull = 0xffffffffu;
constexpr int64_t kChunkA = 32768;  // elements per partial in layout A (128 per thread of 256)
constexpr int64_t kChunkB = 1024;   // reduced rows per partial in layout B (128 per thread row)
constexpr int64_t kTargetItems = 2048;

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// ---- device helpers ------------------------------------------------------------------------------

template <class T> __device__ __forceinline__ bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}
template <class T> __device__ __forceinline__ T nan_max(T a, T x) { return (x > a || is_nan(x)) ? x : a; }
template <class T> __device__ __forceinline__ T nan_min(T a, T x) { return (x < a || is_nan(x)) ? x : a; }

__device__ __forceinline__ int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

// Shuffles of any trivially copyable accumulator (structs included), 4 bytes at a time.
template <class A> struct Words {
  static constexpr int W = (sizeof(A) + 3) / 4;
  unsigned w[W];
};
template <class A>
__device__ __forceinline__ A shfl_down_any(const A& v, int o) {
  Words<A> u{};
  memcpy(u.w, &v, sizeof(A));
#pragma unroll
  for (int k = 0; k < Words<A>::W; ++k) u.w[k] = __shfl_down_sync(kFull, u.w[k], o);
  A r;
  memcpy(&r, u.w, sizeof(A));
  return r;
}
template <class A>
__device__ __forceinline__ A shfl_up_any(const A& v, int o) {
  Words<A> u{};
  memcpy(u.w, &v, sizeof(A));
#pragma unroll
  for (int k = 0; k < Words<A>::W; ++k) u.w[k] = __shfl_up_sync(kFull, u.w[k], o);
  A r;
  memcpy(&r, u.w, sizeof(A));
  return r;
}
template <class A>
__device__ __forceinline__ A shfl_any(const A& v, int src) {
  Words<A> u{};
  memcpy(u.w, &v, sizeof(A));
#pragma unroll
  for (int k = 0; k < Words<A>::W; ++k) u.w[k] = __shfl_sync(kFull, u.w[k], src);
  A r;
  memcpy(&r, u.w, sizeof(A));
  return r;
}

// Merges the accumulators of the blockDim.x threads (a multiple of 32, at most 1024) that share
// threadIdx.y in a fixed tree: lane l takes lane l+o, then thread 0 takes warps 1.. in order. The result
// is valid in threadIdx.x == 0. smem holds blockDim.y * 32 accumulators. Every thread of the block must
// call it (it has barriers when blockDim.x > 32, a block-uniform condition).
template <class Op, class A>
__device__ A group_reduce(const Op& op, A a, A* smem) {
  const int lane = threadIdx.x & 31;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    A b = shfl_down_any(a, o);
    if (lane + o < 32) op.merge(a, b);
  }
  if (blockDim.x > 32) {
    const int warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
    if (lane == 0) smem[threadIdx.y * 32 + warp] = a;
    __syncthreads();
    if (threadIdx.x == 0)
      for (int w = 1; w < nw; ++w) op.merge(a, smem[threadIdx.y * 32 + w]);
    __syncthreads();
  }
  return a;
}

// Element offset of flat index i; the common 0/1-dim cases skip the division loop.
__device__ __forceinline__ int64_t offset_of(const OffsetCalc<1>& c, int64_t i) {
  if (c.nd == 0) return 0;
  if (c.nd == 1) return i * c.strides[0][0];
  int64_t off[1];
  c.get(i, off);
  return off[0];
}

// ---- reduction ops: init(o), step(acc, x, r), merge(acc, later), write(o, acc, n) -----------------
// init is an identity of merge for every op (partials and idle lanes start from it).

template <class T>
struct SumOp {
  using acc_t = acc_of<T>;
  T* out;
  bool mean;
  __device__ acc_t init(int64_t) const { return acc_t(0); }
  __device__ void step(acc_t& a, T x, int64_t) const { a += static_cast<acc_t>(x); }
  __device__ void merge(acc_t& a, const acc_t& b) const { a += b; }
  __device__ void write(int64_t o, const acc_t& a, int64_t n) const {
    out[o] = mean ? static_cast<T>(a / static_cast<acc_t>(n)) : static_cast<T>(a);
  }
};

template <class T>
struct ProdOp {
  using acc_t = acc_of<T>;
  T* out;
  __device__ acc_t init(int64_t) const { return acc_t(1); }
  __device__ void step(acc_t& a, T x, int64_t) const { a *= static_cast<acc_t>(x); }
  __device__ void merge(acc_t& a, const acc_t& b) const { a *= b; }
  __device__ void write(int64_t o, const acc_t& a, int64_t) const { out[o] = static_cast<T>(a); }
};

// NaN-propagating max/min (torch's amax/amin); start is -inf/+inf or the type's limit, set on the host.
template <class T>
struct ExtremeOp {
  using acc_t = T;
  T* out;
  T start;
  bool is_max;
  __device__ acc_t init(int64_t) const { return start; }
  __device__ void step(acc_t& a, T x, int64_t) const { a = is_max ? nan_max(a, x) : nan_min(a, x); }
  __device__ void merge(acc_t& a, const acc_t& b) const { step(a, b, 0); }
  __device__ void write(int64_t o, const acc_t& a, int64_t) const { out[o] = a; }
};

template <class T>
struct AllAnyOp {
  using acc_t = bool;
  bool* out;
  bool is_all;
  __device__ acc_t init(int64_t) const { return is_all; }
  __device__ void step(acc_t& a, T x, int64_t) const { a = is_all ? (a && x != T(0)) : (a || x != T(0)); }
  __device__ void merge(acc_t& a, const acc_t& b) const { a = is_all ? (a && b) : (a || b); }
  __device__ void write(int64_t o, const acc_t& a, int64_t) const { out[o] = a; }
};

// Vector norms (kind: 0 count non-zeros, 1, 2, inf, -inf, p), one functor with a run-time kind so that
// the six norms cost one instantiation per dtype; the branch is uniform across the grid.
enum NormKind : int { kZero, kOne, kTwo, kInf, kNegInf, kP };

template <class T>
struct NormOp {
  using acc_t = acc_of<T>;
  T* out;
  acc_t p, inf;
  int kind;
  __device__ acc_t init(int64_t) const { return kind == kNegInf ? inf : acc_t(0); }
  __device__ acc_t f(T v) const {
    const acc_t a = fabs(static_cast<acc_t>(v));
    switch (kind) {
      case kZero: return static_cast<acc_t>(v != T(0));
      case kTwo: return a * a;
      case kP: return pow(a, p);
      default: return a;
    }
  }
  __device__ void step(acc_t& a, T x, int64_t) const {
    if (kind == kInf) a = nan_max(a, f(x));
    else if (kind == kNegInf) a = nan_min(a, f(x));
    else a += f(x);
  }
  __device__ void merge(acc_t& a, const acc_t& b) const {
    if (kind == kInf) a = nan_max(a, b);
    else if (kind == kNegInf) a = nan_min(a, b);
    else a += b;
  }
  __device__ void write(int64_t o, const acc_t& a, int64_t) const {
    if (kind == kTwo) out[o] = static_cast<T>(sqrt(a));
    else if (kind == kP) out[o] = static_cast<T>(pow(a, acc_t(1) / p));
    else out[o] = static_cast<T>(a);
  }
};

// Shifted two-pass variance, as the CPU kernel: shift = the op layer's mean; the d-sum corrects for the
// rounding of the shift.
template <class T>
struct VarOp {
  using A = acc_of<T>;
  struct acc_t { A s1, s2, shift; };
  T* out;
  const T* mean;
  double correction;
  bool take_sqrt;
  __device__ acc_t init(int64_t o) const { return {A(0), A(0), mean ? static_cast<A>(mean[o]) : A(0)}; }
  __device__ void step(acc_t& a, T x, int64_t) const {
    const A d = static_cast<A>(x) - a.shift;
    a.s1 += d;
    a.s2 += d * d;
  }
  __device__ void merge(acc_t& a, const acc_t& b) const { a.s1 += b.s1; a.s2 += b.s2; }
  __device__ void write(int64_t o, const acc_t& a, int64_t n) const {
    A m2 = a.s2 - a.s1 * a.s1 / static_cast<A>(n);
    if (m2 < A(0)) m2 = A(0);
    const A c = static_cast<A>(n) - static_cast<A>(correction);
    const A dof = A(0) < c ? c : A(0);  // std::max(0, c), NaN-compatible with the CPU kernel
    const A v = m2 / dof;
    out[o] = static_cast<T>(take_sqrt ? sqrt(v) : v);
  }
};

// log(sum(exp(x - m))) + m; m (the op layer's inf-masked max) comes in `shift`. exp in T as the CPU.
template <class T>
struct LogSumExpOp {
  using A = acc_of<T>;
  struct acc_t { A s; T m; };
  T* out;
  const T* shift;
  __device__ acc_t init(int64_t o) const { return {A(0), shift ? shift[o] : T(0)}; }
  __device__ void step(acc_t& a, T x, int64_t) const { a.s += static_cast<A>(dexp(x - a.m)); }
  __device__ void merge(acc_t& a, const acc_t& b) const { a.s += b.s; }
  __device__ void write(int64_t o, const acc_t& a, int64_t) const {
    out[o] = static_cast<T>(log(a.s) + static_cast<A>(a.m));
  }
};

// First extreme index, NaN counting as the extreme. Threads see their indices in increasing order
// (step keeps the first); merge breaks ties by the smaller index, so any merge tree gives the first.
template <class T>
struct ArgOp {
  struct acc_t { T v; int64_t i; };
  T* values;
  int64_t* indices;
  bool is_max;
  __device__ bool better(T x, T v) const {
    if constexpr (std::is_floating_point_v<T>) return (is_max ? x > v : x < v) || (x != x && v == v);
    else return is_max ? x > v : x < v;
  }
  __device__ acc_t init(int64_t) const { return {T(0), -1}; }
  __device__ void step(acc_t& a, T x, int64_t i) const {
    if (a.i < 0 || better(x, a.v)) { a.v = x; a.i = i; }
  }
  __device__ void merge(acc_t& a, const acc_t& b) const {
    if (b.i < 0) return;
    if (a.i < 0 || better(b.v, a.v) || (!better(a.v, b.v) && b.i < a.i)) a = b;
  }
  __device__ void write(int64_t o, const acc_t& a, int64_t) const {
    if (values) values[o] = a.v;
    indices[o] = a.i;
  }
};

// ---- reduction kernels ---------------------------------------------------------------------------

template <class A> struct SharedAcc {
  static constexpr size_t kBytes = 256 * sizeof(A);
};

// Layout A: item it = (output o, chunk c); blockDim.x threads per item, blockDim.y items per block.
// kc: input offset of output o (kept dims in output order); rc: offset of the outer reduced dims, the
// innermost reduced dim (length L) being contiguous. part: per-chunk partials, or null to write.
template <class Op, class T>
__global__ void reduce_inner_kernel(Op op, const T* __restrict__ x, OffsetCalc<1> kc, OffsetCalc<1> rc, int64_t L,
                                    int64_t n_out, int64_t n_red, int64_t C, int64_t chunk,
                                    typename Op::acc_t* __restrict__ part) {
  using A = typename Op::acc_t;
  __shared__ __align__(16) unsigned char raw[SharedAcc<A>::kBytes];
  A* smem = reinterpret_cast<A*>(raw);
  const int64_t items = n_out * C, bd = blockDim.x;
  for (int64_t base = int64_t(blockIdx.x) * blockDim.y; base < items; base += int64_t(gridDim.x) * blockDim.y) {
    const int64_t it = base + threadIdx.y;
    const bool valid = it < items;
    const int64_t o = valid ? it / C : 0, c = valid ? it - o * C : 0;
    A a = op.init(o);
    if (valid) {
      const T* xo = x + offset_of(kc, o);
      const int64_t r0 = c * chunk, r1 = imin(n_red, r0 + chunk);
      if (rc.nd == 0) {
        // one contiguous run; four independent loads in flight per thread, stepped in index order
        int64_t r = r0 + threadIdx.x;
        for (; r + 3 * bd < r1; r += 4 * bd) {
          const T v0 = xo[r], v1 = xo[r + bd], v2 = xo[r + 2 * bd], v3 = xo[r + 3 * bd];
          op.step(a, v0, r);
          op.step(a, v1, r + bd);
          op.step(a, v2, r + 2 * bd);
          op.step(a, v3, r + 3 * bd);
        }
        for (; r < r1; r += bd) op.step(a, xo[r], r);
      } else {
        for (int64_t r = r0 + threadIdx.x; r < r1; r += bd) {
          const int64_t q = r / L;
          op.step(a, xo[offset_of(rc, q) + (r - q * L)], r);
        }
      }
    }
    a = group_reduce(op, a, smem);
    if (valid && threadIdx.x == 0) {
      if (part) part[it] = a;
      else op.write(o, a, n_red);
    }
  }
}

// Layout B: blockDim (32, 8). Column group g covers outputs g*32 .. g*32+31 (the last kept dim has
// input stride 1, so consecutive outputs are consecutive addresses); chunk c = blockIdx.y of the
// reduced positions is strided over by the 8 thread rows.
template <class Op, class T>
__global__ void reduce_outer_kernel(Op op, const T* __restrict__ x, OffsetCalc<1> kc, OffsetCalc<1> rc,
                                    int64_t n_out, int64_t n_red, int64_t chunk,
                                    typename Op::acc_t* __restrict__ part) {
  using A = typename Op::acc_t;
  __shared__ __align__(16) unsigned char raw[SharedAcc<A>::kBytes];
  A* smem = reinterpret_cast<A*>(raw);
  const int64_t C = gridDim.y, c = blockIdx.y, by = blockDim.y;
  const int64_t r0 = c * chunk, r1 = imin(n_red, r0 + chunk);
  for (int64_t g = blockIdx.x; g * 32 < n_out; g += gridDim.x) {
    const int64_t o = g * 32 + threadIdx.x;
    const bool valid = o < n_out;
    A a = op.init(valid ? o : 0);
    if (valid) {
      const T* xo = x + offset_of(kc, o);
      int64_t r = r0 + threadIdx.y;
      for (; r + 3 * by < r1; r += 4 * by) {
        const T v0 = xo[offset_of(rc, r)], v1 = xo[offset_of(rc, r + by)];
        const T v2 = xo[offset_of(rc, r + 2 * by)], v3 = xo[offset_of(rc, r + 3 * by)];
        op.step(a, v0, r);
        op.step(a, v1, r + by);
        op.step(a, v2, r + 2 * by);
        op.step(a, v3, r + 3 * by);
      }
      for (; r < r1; r += by) op.step(a, xo[offset_of(rc, r)], r);
    }
    smem[threadIdx.y * 32 + threadIdx.x] = a;
    __syncthreads();
    if (threadIdx.y == 0) {
      for (int y = 1; y < static_cast<int>(blockDim.y); ++y) op.merge(a, smem[y * 32 + threadIdx.x]);
      if (valid) {
        if (part) part[o * C + c] = a;
        else op.write(o, a, n_red);
      }
    }
    __syncthreads();
  }
}

// Pass 2: a warp per output merges its C partials (lane l takes c = l, l+32, ..., then the tree).
// C == 0 writes the op's empty value (a reduction over an empty dim).
template <class Op>
__global__ void reduce_finish_kernel(Op op, const typename Op::acc_t* __restrict__ part, int64_t n_out, int64_t C,
                                     int64_t n_red) {
  using A = typename Op::acc_t;
  __shared__ __align__(16) unsigned char raw[SharedAcc<A>::kBytes];
  A* smem = reinterpret_cast<A*>(raw);
  for (int64_t base = int64_t(blockIdx.x) * blockDim.y; base < n_out; base += int64_t(gridDim.x) * blockDim.y) {
    const int64_t o = base + threadIdx.y;
    const bool valid = o < n_out;
    A a = op.init(valid ? o : 0);
    if (valid)
      for (int64_t c = threadIdx.x; c < C; c += 32) op.merge(a, part[o * C + c]);
    a = group_reduce(op, a, smem);
    if (valid && threadIdx.x == 0) op.write(o, a, n_red);
  }
}

// ---- host side -----------------------------------------------------------------------------------

struct RDim {
  int64_t size, st;
};

struct Plan {
  bool inner = false;  // layout A
  int64_t L = 1;
  OffsetCalc<1> kc, rc;
};

// dims outer -> inner, element strides
OffsetCalc<1> calc_of(const std::vector<RDim>& dims, const char* name) {
  OffsetCalc<1> c;
  const int nd = static_cast<int>(dims.size());
  TL_CHECK(nd <= kMaxDims, name, ": CUDA reductions support at most ", kMaxDims, " non-mergeable dimensions, got ",
           nd);
  c.nd = nd;
  for (int d = 0; d < nd; ++d) {
    c.sizes[d] = dims[static_cast<size_t>(nd - 1 - d)].size;
    c.strides[d][0] = dims[static_cast<size_t>(nd - 1 - d)].st;
  }
  return c;
}

void merge_into(std::vector<RDim>& m, const RDim& d) {
  if (!m.empty() && m.back().st == d.st * d.size) {
    m.back().size *= d.size;
    m.back().st = d.st;
  } else {
    m.push_back(d);
  }
}

// False when neither layout applies (the caller copies the input contiguous, after which one does).
bool make_plan(const Tensor& out, const Tensor& in, Plan& p, const char* name) {
  std::vector<RDim> kept, red_raw, red;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (in.sizes()[d] == 1) continue;
    RDim r{in.sizes()[d], in.strides()[d]};
    if (out.sizes()[d] != in.sizes()[d]) red_raw.push_back(r);
    else merge_into(kept, r);  // output order; the output is contiguous, so only the input decides
  }
  std::stable_sort(red_raw.begin(), red_raw.end(), [](const RDim& a, const RDim& b) { return a.st > b.st; });
  for (const RDim& r : red_raw) merge_into(red, r);
  if (!red.empty() && red.back().st == 1) {
    p.inner = true;
    p.L = red.back().size;
    red.pop_back();
  } else if (!kept.empty() && kept.back().st == 1) {
    p.inner = false;
  } else if (kept.empty() && red.empty()) {
    p.inner = true;  // a single element
    p.L = 1;
  } else {
    return false;
  }
  p.kc = calc_of(kept, name);
  p.rc = calc_of(red, name);
  return true;
}

template <class Op, class T>
void run_reduce(const Op& op, const Tensor& out, const Tensor& in_arg, const char* name) {
  using A = typename Op::acc_t;
  const int64_t n_out = out.numel();
  if (n_out == 0) return;
  const int dev = out.device().index;
  const cudaStream_t s = stream_of(dev);
  int64_t n_red = 1;
  for (int64_t d = 0; d < in_arg.dim(); ++d)
    if (out.sizes()[d] != in_arg.sizes()[d]) n_red *= in_arg.sizes()[d];
  if (n_red == 0) {  // every output is the op's empty value
    reduce_finish_kernel<Op><<<grid_for(n_out, 8), dim3(32, 8), 0, s>>>(op, nullptr, n_out, 0, 0);
    TL_CUDA_LAUNCH_CHECK(name);
    return;
  }
  Tensor in = in_arg;
  Plan p;
  if (!make_plan(out, in, p, name)) {
    in = in_arg.contiguous();
    TL_CHECK(make_plan(out, in, p, name), name, ": internal error, no reduction layout for a contiguous input");
  }
  const T* x = in.data<T>();
  std::unique_ptr<DeviceBuffer> buf;
  if (p.inner) {
    const int G = n_red >= 1024 ? 256 : 32, Y = 256 / G;
    int64_t C = 1;
    if (G == 256 && n_out < kTargetItems / 2 && n_red > 2 * kChunkA)
      C = std::min(ceil_div(n_red, kChunkA), std::max<int64_t>(1, kTargetItems / n_out));
    const int64_t chunk = ceil_div(n_red, C);
    C = ceil_div(n_red, chunk);
    if (C > 1) buf = std::make_unique<DeviceBuffer>(static_cast<size_t>(n_out * C) * sizeof(A), dev);
    A* part = C > 1 ? buf->get<A>() : nullptr;
    reduce_inner_kernel<Op, T><<<grid_for(n_out * C, Y), dim3(G, Y), 0, s>>>(op, x, p.kc, p.rc, p.L, n_out, n_red, C,
                                                                             chunk, part);
    TL_CUDA_LAUNCH_CHECK(name);
    if (C > 1) {
      reduce_finish_kernel<Op><<<grid_for(n_out, 8), dim3(32, 8), 0, s>>>(op, part, n_out, C, n_red);
      TL_CUDA_LAUNCH_CHECK(name);
    }
    return;
  }
  const int64_t groups = ceil_div(n_out, 32);
  int64_t C = 1;
  if (groups < kTargetItems / 2 && n_red > 2 * kChunkB)
    C = std::min(ceil_div(n_red, kChunkB), std::max<int64_t>(1, kTargetItems / groups));
  C = std::min<int64_t>(C, 65535);  // grid.y limit
  const int64_t chunk = ceil_div(n_red, C);
  C = ceil_div(n_red, chunk);
  if (C > 1) buf = std::make_unique<DeviceBuffer>(static_cast<size_t>(n_out * C) * sizeof(A), dev);
  A* part = C > 1 ? buf->get<A>() : nullptr;
  const dim3 grid(static_cast<unsigned>(std::min<int64_t>(groups, 65536)), static_cast<unsigned>(C));
  reduce_outer_kernel<Op, T><<<grid, dim3(32, 8), 0, s>>>(op, x, p.kc, p.rc, n_out, n_red, chunk, part);
  TL_CUDA_LAUNCH_CHECK(name);
  if (C > 1) {
    reduce_finish_kernel<Op><<<grid_for(n_out, 8), dim3(32, 8), 0, s>>>(op, part, n_out, C, n_red);
    TL_CUDA_LAUNCH_CHECK(name);
  }
}

template <class T>
T extreme_start(bool is_max) {
  if constexpr (std::is_same_v<T, bool>) return !is_max;
  else if constexpr (std::is_floating_point_v<T>)
    return is_max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  else return is_max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
}

// ---- scans ---------------------------------------------------------------------------------------
// from(x, d) -> acc; combine(a, later): a = a (+) later; put(y, ix, i, acc) writes element i.

template <class T>
struct ScanSum {
  using acc_t = acc_of<T>;
  __device__ acc_t from(T x, int64_t) const { return static_cast<acc_t>(x); }
  __device__ void combine(acc_t& a, const acc_t& b) const { a += b; }
  __device__ void put(T* y, int64_t*, int64_t i, const acc_t& a) const { y[i] = static_cast<T>(a); }
};

template <class T>
struct ScanProd {
  using acc_t = acc_of<T>;
  __device__ acc_t from(T x, int64_t) const { return static_cast<acc_t>(x); }
  __device__ void combine(acc_t& a, const acc_t& b) const { a *= b; }
  __device__ void put(T* y, int64_t*, int64_t i, const acc_t& a) const { y[i] = static_cast<T>(a); }
};

// cummax/cummin as torch and the CPU kernel: a later equal value takes the index, a NaN sticks (the
// last NaN's index). The rule is associative, so chunk summaries combine like single elements.
template <class T>
struct ScanExtreme {
  struct acc_t { T v; int64_t i; };
  bool is_max;
  __device__ acc_t from(T x, int64_t d) const { return {x, d}; }
  __device__ void combine(acc_t& a, const acc_t& b) const {
    if (is_nan(b.v) || (!is_nan(a.v) && (is_max ? b.v >= a.v : b.v <= a.v))) a = b;
  }
  __device__ void put(T* y, int64_t* ix, int64_t i, const acc_t& a) const {
    y[i] = a.v;
    ix[i] = a.i;
  }
};

template <class T>
struct ScanLogSumExp {
  using acc_t = acc_of<T>;
  __device__ acc_t from(T x, int64_t) const { return static_cast<acc_t>(x); }
  __device__ void combine(acc_t& a, const acc_t& v) const {
    if (a != a || v != v) a = a + v;  // NaN
    else if (isinf(a) && a == v) return;
    else {
      const acc_t m = a > v ? a : v;
      a = m + log1p(exp(-fabs(a - v)));
    }
  }
  __device__ void put(T* y, int64_t*, int64_t i, const acc_t& a) const { y[i] = static_cast<T>(a); }
};

// Contiguous lines (inner == 1): blockDim (32, 8), a warp per item it = line * C + c. Positions p of the
// chunk are read 32 at a time (element d = p, or D-1-p when reversed), scanned with shuffles and
// prefixed with the running value. carry: inclusive prefixes of chunk totals (pass 3) or null; y null
// means pass 1 (no writes); totals: where pass 1 leaves each chunk's total.
template <class Op, class T>
__global__ void scan_rows_kernel(Op op, const T* __restrict__ x, T* __restrict__ y, int64_t* __restrict__ ix,
                                 int64_t lines, int64_t D, int64_t C, int64_t chunk, bool reverse,
                                 const typename Op::acc_t* __restrict__ carry, typename Op::acc_t* __restrict__ totals) {
  using A = typename Op::acc_t;
  const int lane = threadIdx.x;
  const int64_t items = lines * C;
  for (int64_t it = int64_t(blockIdx.x) * blockDim.y + threadIdx.y; it < items; it += int64_t(gridDim.x) * blockDim.y) {
    const int64_t line = it / C, c = it - line * C;
    const int64_t p0 = c * chunk, p1 = imin(D, p0 + chunk);
    const T* xl = x + line * D;
    T* yl = y ? y + line * D : nullptr;
    int64_t* il = ix ? ix + line * D : nullptr;
    bool have = carry != nullptr && c > 0;
    A run{};
    if (have) run = carry[it - 1];
    for (int64_t t = p0; t < p1; t += 32) {
      const int64_t p = t + lane;
      const bool ok = p < p1;
      const int64_t d = reverse ? D - 1 - p : p;
      A v{};
      if (ok) v = op.from(xl[d], d);
      // inclusive scan; active lanes are a prefix of the warp, so they only read active lanes
#pragma unroll
      for (int o = 1; o < 32; o <<= 1) {
        A u = shfl_up_any(v, o);
        if (lane >= o) {
          op.combine(u, v);
          v = u;
        }
      }
      if (have) {
        A u = run;
        op.combine(u, v);
        v = u;
      }
      if (ok && yl) op.put(yl, il, d, v);
      run = shfl_any(v, static_cast<int>(imin(31, p1 - 1 - t)));
      have = true;
    }
    if (totals && lane == 0) totals[it] = run;
  }
}

// Strided lines (inner > 1): a thread per item it = (o * C + c) * inner + j, serial over its chunk.
template <class Op, class T>
__global__ void scan_cols_kernel(Op op, const T* __restrict__ x, T* __restrict__ y, int64_t* __restrict__ ix,
                                 int64_t outer, int64_t D, int64_t inner, int64_t C, int64_t chunk, bool reverse,
                                 const typename Op::acc_t* __restrict__ carry, typename Op::acc_t* __restrict__ totals) {
  using A = typename Op::acc_t;
  const int64_t items = outer * C * inner;
  for (int64_t it = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; it < items; it += int64_t(gridDim.x) * blockDim.x) {
    const int64_t oc = it / inner, j = it - oc * inner, o = oc / C, c = oc - o * C;
    const int64_t line = o * inner + j, base = o * D * inner + j;
    const int64_t p0 = c * chunk, p1 = imin(D, p0 + chunk);
    bool have = carry != nullptr && c > 0;
    A run{};
    if (have) run = carry[line * C + c - 1];
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t d = reverse ? D - 1 - p : p;
      const A v = op.from(x[base + d * inner], d);
      if (have) op.combine(run, v);
      else run = v;
      have = true;
      if (y) op.put(y, ix, base + d * inner, run);
    }
    if (totals) totals[line * C + c] = run;
  }
}

// Pass 2: per line, chunk totals -> inclusive prefixes, in chunk order.
template <class Op>
__global__ void scan_carry_kernel(Op op, typename Op::acc_t* __restrict__ totals, int64_t lines, int64_t C) {
  using A = typename Op::acc_t;
  for (int64_t l = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; l < lines; l += int64_t(gridDim.x) * blockDim.x) {
    A* t = totals + l * C;
    A run = t[0];
    for (int64_t c = 1; c < C; ++c) {
      op.combine(run, t[c]);
      t[c] = run;
    }
  }
}

template <class Op, class T>
void run_scan(const Op& op, const Tensor& out, const Tensor* indices, const Tensor& in, int64_t dim, bool reverse,
              const char* name) {
  using A = typename Op::acc_t;
  if (out.numel() == 0) return;
  int64_t outer = 1, inner = 1;
  const int64_t D = in.dim() == 0 ? 1 : in.sizes()[dim];
  for (int64_t d = 0; d < dim; ++d) outer *= in.sizes()[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.sizes()[d];
  const int dev = out.device().index;
  const cudaStream_t s = stream_of(dev);
  const T* x = in.data<T>();
  T* y = out.data<T>();
  int64_t* ix = indices ? indices->data<int64_t>() : nullptr;
  const int64_t lines = outer * inner;
  int64_t C = 1;
  if (inner == 1) {
    if (D > 4096 && lines < kTargetItems) C = std::min(ceil_div(D, 2048), std::max<int64_t>(1, kTargetItems * 2 / lines));
  } else {
    if (D > 256 && lines < 65536) C = std::min(ceil_div(D, 128), std::max<int64_t>(1, 65536 / lines));
  }
  const int64_t chunk = ceil_div(D, C);
  C = ceil_div(D, chunk);
  std::unique_ptr<DeviceBuffer> buf;
  A* tot = nullptr;
  if (C > 1) {
    buf = std::make_unique<DeviceBuffer>(static_cast<size_t>(lines * C) * sizeof(A), dev);
    tot = buf->get<A>();
  }
  auto pass = [&](T* yp, int64_t* ip, const A* carry, A* totals) {
    if (inner == 1)
      scan_rows_kernel<Op, T><<<grid_for(lines * C, 8), dim3(32, 8), 0, s>>>(op, x, yp, ip, lines, D, C, chunk, reverse,
                                                                           carry, totals);
    else
      scan_cols_kernel<Op, T><<<grid_for(outer * C * inner), kThreads, 0, s>>>(op, x, yp, ip, outer, D, inner, C, chunk,
                                                                             reverse, carry, totals);
    TL_CUDA_LAUNCH_CHECK(name);
  };
  if (C == 1) {
    pass(y, ix, nullptr, nullptr);
    return;
  }
  pass(nullptr, nullptr, nullptr, tot);
  scan_carry_kernel<Op><<<grid_for(lines), kThreads, 0, s>>>(op, tot, lines, C);
  TL_CUDA_LAUNCH_CHECK(name);
  pass(y, ix, tot, nullptr);
}

}  // namespace

void reduce_kernel(ReduceOp op, const Tensor& out, const Tensor& in, double p, const Tensor* param) {
  DeviceGuard g(out);
  TL_DISPATCH_ALL(in.dtype(), "reduce", [&] {
    using T = scalar_t;
    switch (op) {
      case ReduceOp::All:
      case ReduceOp::Any:
        return run_reduce<AllAnyOp<T>, T>({out.data<bool>(), op == ReduceOp::All}, out, in, "reduce");
      case ReduceOp::Max:
      case ReduceOp::Min: {
        const bool mx = op == ReduceOp::Max;
        return run_reduce<ExtremeOp<T>, T>({out.data<T>(), extreme_start<T>(mx), mx}, out, in, mx ? "amax" : "amin");
      }
      default: break;
    }
    if constexpr (std::is_same_v<T, bool>) {
      TL_THROW(Runtime, "reduce: not implemented for 'Bool'");
    } else {
      switch (op) {
        case ReduceOp::Sum:
        case ReduceOp::Mean:
          return run_reduce<SumOp<T>, T>({out.data<T>(), op == ReduceOp::Mean}, out, in, "sum");
        case ReduceOp::Prod:
          return run_reduce<ProdOp<T>, T>({out.data<T>()}, out, in, "prod");
        default: break;
      }
      if constexpr (!std::is_floating_point_v<T>) {
        TL_THROW(Runtime, "reduce: not implemented for '", dtype_torch_name(in.dtype()), "'");
      } else {
        using A = acc_of<T>;
        int kind = -1;
        switch (op) {
          case ReduceOp::Norm0: kind = kZero; break;
          case ReduceOp::Norm1: kind = kOne; break;
          case ReduceOp::Norm2: kind = kTwo; break;
          case ReduceOp::NormInf: kind = kInf; break;
          case ReduceOp::NormNegInf: kind = kNegInf; break;
          case ReduceOp::NormP: kind = kP; break;
          default: break;
        }
        if (kind >= 0)
          return run_reduce<NormOp<T>, T>(
              {out.data<T>(), static_cast<A>(p), std::numeric_limits<A>::infinity(), kind}, out, in,
              "linalg.vector_norm");
        switch (op) {
          case ReduceOp::Var:
          case ReduceOp::Std:
            return run_reduce<VarOp<T>, T>(
                {out.data<T>(), param ? param->data<T>() : nullptr, p, op == ReduceOp::Std}, out, in,
                op == ReduceOp::Std ? "std" : "var");
          case ReduceOp::LogSumExp:
            return run_reduce<LogSumExpOp<T>, T>({out.data<T>(), param ? param->data<T>() : nullptr}, out, in,
                                                 "logsumexp");
          default: TL_THROW(Runtime, "reduce: unknown op");
        }
      }
    }
  });
}

void arg_reduce_kernel(ArgReduceOp op, const Tensor* values, const Tensor& indices, const Tensor& in) {
  DeviceGuard g(indices);
  TL_DISPATCH_ALL(in.dtype(), "argmax", [&] {
    using T = scalar_t;
    const bool mx = op == ArgReduceOp::Max;
    run_reduce<ArgOp<T>, T>({values ? values->data<T>() : nullptr, indices.data<int64_t>(), mx}, indices, in,
                            mx ? "argmax" : "argmin");
  });
}

void cumsum_kernel(const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  DeviceGuard g(out);
  TL_DISPATCH_ALL(in.dtype(), "cumsum", [&] {
    using T = scalar_t;
    if constexpr (std::is_same_v<T, bool>) {
      TL_THROW(Runtime, "cumsum: not implemented for 'Bool'");
    } else {
      run_scan<ScanSum<T>, T>({}, out, nullptr, in, dim, reverse, "cumsum");
    }
  });
}

void scan_kernel(ScanOp op, const Tensor& out, const Tensor* indices, const Tensor& in, int64_t dim) {
  DeviceGuard g(out);
  TL_DISPATCH_ALL(in.dtype(), "scan", [&] {
    using T = scalar_t;
    if (op == ScanOp::Max || op == ScanOp::Min) {
      TL_CHECK(indices != nullptr, "scan: cummax/cummin need an indices tensor");
      const bool mx = op == ScanOp::Max;
      return run_scan<ScanExtreme<T>, T>({mx}, out, indices, in, dim, false, mx ? "cummax" : "cummin");
    }
    if constexpr (std::is_same_v<T, bool>) {
      TL_THROW(Runtime, "scan: not implemented for 'Bool'");
    } else {
      if (op == ScanOp::Prod) return run_scan<ScanProd<T>, T>({}, out, nullptr, in, dim, false, "cumprod");
      if constexpr (std::is_floating_point_v<T>) {
        return run_scan<ScanLogSumExp<T>, T>({}, out, nullptr, in, dim, false, "logcumsumexp");
      } else {
        TL_THROW(Runtime, "logcumsumexp: not implemented for '", dtype_torch_name(in.dtype()), "'");
      }
    }
  });
}

}  // namespace tl::cuda
