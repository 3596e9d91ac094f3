#include "copy.h"
#include "../cpu/copy.h"

namespace tl {

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      TL_THROW(Runtime, "The size of tensor a (", da, ") must match the size of tensor b (", db,
               ") at non-singleton dimension ", i);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

void check_writable(const Tensor& t, const char* op) {
  if (t.numel() <= 1) return;  // an empty or one-element tensor cannot overlap itself
  for (int64_t i = 0; i < t.dim(); ++i)
    if (t.strides()[i] == 0 && t.sizes()[i] > 1)
      TL_THROW(Runtime, op, ": unsupported operation: more than one element of the written-to tensor refers to a "
               "single memory location. Please clone() the tensor before performing the operation.");
}

void copy_(const Tensor& dst, const Tensor& src) {
  TL_CHECK(dst.device() == src.device(), "copy_: expected all tensors to be on the same device, but found ",
           dst.device().str(), " and ", src.device().str());
  Shape b = broadcast_shapes(dst.sizes(), src.sizes());
  TL_CHECK(b == dst.sizes(), "output with shape ", shape_str(dst.sizes()),
           " doesn't match the broadcast shape ", shape_str(b));
  check_writable(dst, "copy_");
  if (dst.numel() == 0) return;
  if (dst.data_ptr() == src.data_ptr() && dst.strides() == src.strides() && dst.sizes() == src.sizes() &&
      dst.dtype() == src.dtype())
    return;
  cpu::copy_kernel(dst, src);
}

Tensor to_dtype(const Tensor& t, DType dtype, bool copy) {
  if (t.dtype() == dtype && !copy) return t;
  Tensor out = Tensor::empty(t.sizes(), dtype, t.device());
  copy_(out, t);
  return out;
}

void fill_(const Tensor& t, const Scalar& value) {
  check_writable(t, "fill_");
  if (t.numel() == 0) return;
  cpu::fill_kernel(t, value);
}

Tensor full(const Shape& sizes, const Scalar& value, DType dtype) {
  Tensor t = Tensor::empty(sizes, dtype);
  fill_(t, value);
  return t;
}

}  // namespace tl
