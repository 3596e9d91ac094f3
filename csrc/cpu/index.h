// Indexing kernels: gather/scatter along a dim, row gathers for index_select and advanced indexing,
// stream compaction for masked_select/nonzero. Inputs are validated by csrc/ops/index.cpp: every
// index here is already wrapped and in range, and every index tensor is int64.
#pragma once
#include <array>
#include <vector>
#include "../core/scalar.h"
#include "../core/tensor.h"
#include "loops.h"

namespace tl::cpu {

// Calls f(ptrs) once per position of `shape` with dim `dim` collapsed to 1: each call owns one whole
// line along `dim`. Writes that collide through duplicate indices (scatter, sort buffers) therefore
// stay on one thread and happen in index order, whatever the thread count. Each operand is viewed
// with `shape`'s sizes and its own strides (the caller makes sure they cover `shape`); ptrs[k] points
// at the line's first element of operand k, and f walks the line with that operand's dim stride.
template <int N, class F>
void for_each_line(Shape shape, int64_t dim, const std::array<const Tensor*, N>& ops, int64_t line_len,
                   const F& f) {
  for (int64_t s : shape)
    if (s == 0) return;
  if (line_len == 0) return;
  shape[dim] = 1;
  std::array<Tensor, N> views;
  std::array<const Tensor*, N> vp;
  std::array<char*, N> base;
  for (int k = 0; k < N; ++k) {
    views[k] = Tensor(ops[k]->storage(), shape, ops[k]->strides(), ops[k]->offset(), ops[k]->dtype());
    vp[k] = &views[k];
    base[k] = static_cast<char*>(ops[k]->data_ptr());
  }
  auto g = make_geometry<N>(shape, vp);
  strided_loop<N>(
      g, base,
      [&](char** p, const int64_t* s, int64_t n) {
        std::array<char*, N> q;
        for (int64_t j = 0; j < n; ++j) {
          for (int k = 0; k < N; ++k) q[k] = p[k] + j * s[k];
          f(q.data());
        }
      },
      std::max<int64_t>(1, kGrainSize / line_len));
}

// Whether every index lies in [0, size). The pointer form wants n contiguous values.
bool indices_in_range(const int64_t* p, int64_t n, int64_t size);
bool indices_in_range(const Tensor& idx, int64_t size);

// Element offsets of every position of (sizes, strides), in row-major order.
std::vector<int64_t> enumerate_offsets(const Shape& sizes, const Shape& strides);

// x (outer, size, inner), idx (n,) -> out (outer, n, inner); x and out contiguous.
void index_select_kernel(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& idx);
// out[..., k, ...] = x[..., idx[..., k, ...], ...] along dim; out and idx share a shape. Returns
// false (out then holds garbage) when an index is outside [0, x.size(dim)): the range check is part
// of the kernel so that idx is read once.
bool gather_kernel(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& idx);
// self[..., idx[..., k, ...], ...] (=|+=) src[..., k, ...] along dim, k over idx.size(dim).
void scatter_kernel(const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src, bool add);
void scatter_fill_kernel(const Tensor& self, int64_t dim, const Tensor& idx, const Scalar& value);
// out (outer, size, inner) += alpha * src (outer, n, inner) scattered by idx (n,); both contiguous.
void index_add_kernel(const Tensor& out, int64_t dim, const Tensor& idx, const Tensor& src, const Scalar& alpha);

// Advanced indexing on a flattened geometry: P index positions with element offsets `offs` into x,
// T tail positions with offsets `toffs`. out (P*T contiguous) <- x[offs[p] + toffs[t]].
void index_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& offs,
                  const std::vector<int64_t>& toffs);
// x[offs[p] + toffs[t]] (=|+=) values[p*T + t]; values contiguous with x's dtype.
void index_put_kernel(const Tensor& x, const std::vector<int64_t>& offs, const std::vector<int64_t>& toffs,
                      const Tensor& values, bool accumulate);

// x[mask] = value elementwise; mask bool with x's shape (any strides).
void masked_fill_kernel(const Tensor& x, const Tensor& mask, const Scalar& value);

// Stream compaction in fixed-size chunks (so the output order is independent of the thread count).
constexpr int64_t kCompactChunk = 16384;
// Number of nonzero elements of contiguous x in each chunk of kCompactChunk elements.
std::vector<int64_t> nonzero_chunk_counts(const Tensor& x);
// out (count,) <- x[mask]; x, mask contiguous with equal shapes; starts = exclusive prefix of counts.
void masked_select_kernel(const Tensor& out, const Tensor& x, const Tensor& mask, const std::vector<int64_t>& starts);
// out (count, ndim) int64 <- coordinates of the nonzero elements of contiguous x.
void nonzero_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& starts);

}  // namespace tl::cpu
