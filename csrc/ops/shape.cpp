// cat and flip are pure data movement. flip and the general cat are strided copies (copy_), which
// already casts, coalesces dims and splits work across threads; cat of contiguous same-dtype inputs
// (the common case) is row memcpys in one pass over the output (cpu/shape.cpp).
#include "shape.h"
#include "copy.h"
#include "dispatch.h"
#include "../cpu/shape.h"
#ifdef TL_WITH_CUDA
#include "../cuda/shape.h"
#endif

namespace tl {

namespace {
bool skipped_in_cat(const Tensor& t) { return t.dim() == 1 && t.sizes()[0] == 0; }
}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  TL_CHECK_VALUE(!tensors.empty(), "torch.cat(): expected a non-empty list of Tensors");
  DType dt = tensors[0].dtype();
  for (size_t i = 0; i < tensors.size(); ++i) {
    TL_CHECK(tensors[i].dim() > 0, "zero-dimensional tensor (at position ", i, ") cannot be concatenated");
    check_same_device("cat", {&tensors[0], &tensors[i]});
    dt = promote(dt, tensors[i].dtype());
  }
  const Tensor* ref = nullptr;
  for (const Tensor& t : tensors)
    if (!skipped_in_cat(t)) { ref = &t; break; }
  if (!ref) {
    wrap_dim(dim, 1);
    return Tensor::empty({0}, dt, tensors[0].device());
  }
  dim = wrap_dim(dim, ref->dim());
  Shape out_shape = ref->sizes();
  out_shape[dim] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (skipped_in_cat(t)) continue;
    TL_CHECK(t.dim() == ref->dim(), "Tensors must have same number of dimensions: got ", ref->dim(), " and ", t.dim());
    for (int64_t d = 0; d < t.dim(); ++d)
      TL_CHECK(d == dim || t.sizes()[d] == ref->sizes()[d], "Sizes of tensors must match except in dimension ", dim,
               ". Expected size ", ref->sizes()[d], " but got size ", t.sizes()[d], " for tensor number ", i,
               " in the list.");
    out_shape[dim] += t.sizes()[dim];
  }
  Tensor out = Tensor::empty(out_shape, dt, ref->device());
  if (out.numel() == 0) return out;
  bool rows = true;
  for (const Tensor& t : tensors)
    if (!skipped_in_cat(t) && (t.dtype() != dt || !t.is_contiguous())) { rows = false; break; }
  if (rows) {
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < dim; ++d) outer *= out_shape[d];
    for (int64_t d = dim + 1; d < static_cast<int64_t>(out_shape.size()); ++d) inner *= out_shape[d];
    std::vector<const Tensor*> inputs;
    std::vector<int64_t> widths;
    for (const Tensor& t : tensors) {
      if (skipped_in_cat(t) || t.sizes()[dim] == 0) continue;
      inputs.push_back(&t);
      widths.push_back(t.sizes()[dim] * inner);
    }
    TL_KERNEL(out.device(), cat_rows_kernel, out, inputs, widths, outer);
    return out;
  }
  int64_t pos = 0;
  for (const Tensor& t : tensors) {
    if (skipped_in_cat(t)) continue;
    const int64_t n = t.sizes()[dim];
    if (n > 0 && t.numel() > 0) {
      Shape sizes = out_shape;
      sizes[dim] = n;
      Tensor slot(out.storage(), sizes, out.strides(), pos * out.strides()[dim], dt);
      copy_(slot, t);
    }
    pos += n;
  }
  return out;
}

Tensor flip(const Tensor& x, const std::vector<int64_t>& dims) {
  std::vector<bool> flipped(static_cast<size_t>(std::max<int64_t>(x.dim(), 1)), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, x.dim());
    TL_CHECK(!flipped[w], "dim ", w, " appears multiple times in the list of dims");
    flipped[w] = true;
  }
  Tensor out = Tensor::empty(x.sizes(), x.dtype(), x.device());
  if (x.numel() == 0) return out;
  // A reversed view: start at the last element of each flipped dim and walk it with a negated
  // stride. Only the copy below ever sees this view (as_strided would reject negative strides).
  Shape strides = x.strides();
  int64_t offset = x.offset();
  for (int64_t d = 0; d < x.dim(); ++d)
    if (flipped[d]) {
      offset += (x.sizes()[d] - 1) * strides[d];
      strides[d] = -strides[d];
    }
  copy_(out, Tensor(x.storage(), x.sizes(), strides, offset, x.dtype()));
  return out;
}

}  // namespace tl
