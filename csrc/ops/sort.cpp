// Validation and dispatch for sort/topk; contracts in sort.h.
#include "sort.h"
#include "dispatch.h"
#include "../cpu/sort.h"
#ifdef TL_WITH_CUDA
#include "../cuda/sort.h"
#endif

namespace tl {

namespace {
Tensor as_1d_if_scalar(const Tensor& t) {
  if (t.dim() > 0) return t;
  return Tensor(t.storage(), {1}, {1}, t.offset(), t.dtype());
}
Tensor as_0d(const Tensor& t) { return Tensor(t.storage(), {}, {}, t.offset(), t.dtype()); }
}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& x_in, int64_t dim, bool descending) {
  dim = wrap_dim(dim, x_in.dim());
  Tensor x = as_1d_if_scalar(x_in);
  Tensor values = Tensor::empty(x.sizes(), x.dtype(), x.device());
  Tensor indices = Tensor::empty(x.sizes(), DType::Int64, x.device());
  if (x.numel() > 0) TL_KERNEL(x.device(), sort_kernel, values, indices, x, dim, descending);
  if (x_in.dim() == 0) return {as_0d(values), as_0d(indices)};
  return {values, indices};
}

std::pair<Tensor, Tensor> topk(const Tensor& x_in, int64_t k, int64_t dim, bool largest, bool sorted) {
  dim = wrap_dim(dim, x_in.dim());
  TL_CHECK(x_in.dtype() != DType::Bool, "topk does not support bool dtypes on CPU");
  Tensor x = as_1d_if_scalar(x_in);
  TL_CHECK(k >= 0 && k <= x.sizes()[dim], "topk: selected index k out of range (k = ", k, ", input ",
           shape_str(x_in.sizes()), ", dim ", dim, ")");
  Shape shape = x.sizes();
  shape[dim] = k;
  Tensor values = Tensor::empty(shape, x.dtype(), x.device());
  Tensor indices = Tensor::empty(shape, DType::Int64, x.device());
  if (values.numel() > 0) TL_KERNEL(x.device(), topk_kernel, values, indices, x, dim, k, largest, sorted);
  if (x_in.dim() == 0) return {as_0d(values), as_0d(indices)};
  return {values, indices};
}

}  // namespace tl
