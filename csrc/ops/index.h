// Indexing, gather/scatter. Contracts (dims wrapped as torch; index tensors int64 or int32):
//   index_select(x, dim, idx (n,) or 0-d)       -> x.shape with shape[dim] = n       (IndexError when out of range)
//   gather(x, dim, idx (same ndim as x))        -> idx.shape                         (RuntimeError when out of range)
//   scatter_(self, dim, idx, src, add)          self[.., idx[i,j,..], ..] (=|+=) src[i,j,..] along dim, in place
//   scatter_value_(self, dim, idx, value)       the same with a scalar
//   index_add_(self, dim, idx (n,), src, alpha) self.index_select(dim, idx) += alpha * src, in place
//   masked_select(x, mask (bool))               -> (count,) over broadcast(x, mask)
//   nonzero(x)                                  -> (count, x.ndim) int64
//   index(x, [i_0 .. i_{k-1}], start)           -> x.shape[:s] + B + x.shape[s+k:], B = broadcast of the
//                                                  i_j shapes; i_j indexes dim s+j of x (s = start,
//                                                  default 0); negative indices wrap
//   index_put_(x, [i_0 ..], values, acc, start) x[:s, i_0, .., i_{k-1}] (=|+=) values (broadcast to the
//                                                  index result's shape)
//   masked_fill_(x, mask, value)                x[mask] = value, mask bool with x's exact shape
// Duplicate indices with accumulate/scatter_add/index_add_ are summed in index order, so results are
// deterministic; plain puts with duplicates keep the last value in index order.
#pragma once
#include <optional>
#include <vector>
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl {

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& idx);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& idx);
void scatter_(const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src, bool add);
void scatter_value_(const Tensor& self, int64_t dim, const Tensor& idx, const Scalar& value);
void index_add_(const Tensor& self, int64_t dim, const Tensor& idx, const Tensor& src, const Scalar& alpha);
Tensor masked_select(const Tensor& x, const Tensor& mask);
Tensor nonzero(const Tensor& x);
Tensor index(const Tensor& x, const std::vector<Tensor>& indices, int64_t start = 0);
void index_put_(const Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate,
                int64_t start = 0);
void masked_fill_(const Tensor& x, const Tensor& mask, const Scalar& value);

// One item of a basic index expression (Python's x[...] fast path): an int selects, a slice slices
// (start/stop as given, possibly negative; has_* false for None), None inserts a dim, Ellipsis expands.
struct BasicIndexItem {
  enum Kind { Int, Slice, NewAxis, Ellipsis } kind;
  int64_t start = 0, stop = 0, step = 1;  // Int uses start
  bool has_start = false, has_stop = false;
};
// The strided view x[items] with torch's semantics, or nullopt whenever the expression is invalid
// (index out of range, step <= 0, too many indices, two ellipses): the Python path then raises
// torch's error, so this never has to reproduce the messages.
std::optional<Tensor> basic_view(const Tensor& x, const std::vector<BasicIndexItem>& items);

}  // namespace tl
