// Indexing, gather/scatter. Contracts (dims wrapped as torch; index tensors int64 or int32):
//   index_select(x, dim, idx (n,) or 0-d)       -> x.shape with shape[dim] = n       (IndexError when out of range)
//   gather(x, dim, idx (same ndim as x))        -> idx.shape                         (RuntimeError when out of range)
//   scatter_(self, dim, idx, src, add)          self[.., idx[i,j,..], ..] (=|+=) src[i,j,..] along dim, in place
//   scatter_value_(self, dim, idx, value)       the same with a scalar
//   index_add_(self, dim, idx (n,), src, alpha) self.index_select(dim, idx) += alpha * src, in place
//   masked_select(x, mask (bool))               -> (count,) over broadcast(x, mask)
//   nonzero(x)                                  -> (count, x.ndim) int64
//   index(x, [i_0 .. i_{k-1}])                  -> B + x.shape[k:], B = broadcast of the i_j shapes;
//                                                  i_j indexes dim j of x; negative indices wrap
//   index_put_(x, [i_0 ..], values, accumulate) x[i_0, .., i_{k-1}] (=|+=) values (broadcast to B + x.shape[k:])
// Duplicate indices with accumulate/scatter_add/index_add_ are summed in index order, so results are
// deterministic; plain puts with duplicates keep the last value in index order.
#pragma once
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
Tensor index(const Tensor& x, const std::vector<Tensor>& indices);
void index_put_(const Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate);

}  // namespace tl
