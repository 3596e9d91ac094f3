// Reductions and scans with torch's semantics. Contract (all ops):
//   x (d0..dn-1) -> y: the dims in `dims` removed (or kept with size 1 when keepdim); dims = nullopt
//   (or an empty list, as torch) reduces every dim. Negative dims wrap; repeated dims raise.
//   sum/prod: int/bool -> int64, floats keep their dtype; `dtype` casts the input first.
//   mean/var/std/norm/logsumexp: floating (logsumexp promotes integers to float32).
//   amax/amin/max/min: the input dtype, NaN propagates. argmax/argmin and indices: int64, first hit.
//   all/any: bool (uint8 for uint8 input, as torch); an explicit empty dim list reduces nothing.
//   cumsum(x, dim) -> x.shape; int/bool -> int64. reverse=true gives suffix sums (its own gradient).
#pragma once
#include <optional>
#include <utility>
#include <vector>
#include "../core/tensor.h"

namespace tl {

using OptDims = std::optional<std::vector<int64_t>>;

Tensor sum(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype);
Tensor mean(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype);
Tensor prod(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype);
Tensor amax(const Tensor& x, const OptDims& dims, bool keepdim);
Tensor amin(const Tensor& x, const OptDims& dims, bool keepdim);
// max()/min() without dim: a 0-d tensor, RuntimeError on an empty input.
Tensor max_all(const Tensor& x);
Tensor min_all(const Tensor& x);
// max(dim)/min(dim): (values, indices).
std::pair<Tensor, Tensor> max_dim(const Tensor& x, int64_t dim, bool keepdim);
std::pair<Tensor, Tensor> min_dim(const Tensor& x, int64_t dim, bool keepdim);
// dim = nullopt: index into the flattened input (keepdim gives all-ones shape).
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim);
Tensor var(const Tensor& x, const OptDims& dims, double correction, bool keepdim);
Tensor stddev(const Tensor& x, const OptDims& dims, double correction, bool keepdim);
// Vector p-norm (p = 0, 1, 2, inf, -inf or any other real).
Tensor norm(const Tensor& x, double p, const OptDims& dims, bool keepdim);
Tensor all(const Tensor& x, const OptDims& dims, bool keepdim);
Tensor any(const Tensor& x, const OptDims& dims, bool keepdim);
Tensor logsumexp(const Tensor& x, const OptDims& dims, bool keepdim);
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype, bool reverse = false);
// cumprod: dtype as cumsum. cummax/cummin: (values in x's dtype, int64 indices). logcumsumexp: floating.
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<DType> dtype);
std::pair<Tensor, Tensor> cummax(const Tensor& x, int64_t dim);
std::pair<Tensor, Tensor> cummin(const Tensor& x, int64_t dim);
Tensor logcumsumexp(const Tensor& x, int64_t dim);

}  // namespace tl
