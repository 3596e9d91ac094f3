#include "tensor.h"
#include "../ops/copy.h"

namespace tl {

Shape contiguous_strides(const Shape& sizes) {
  Shape st(sizes.size());
  int64_t s = 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    st[i] = s;
    s *= sizes[i] > 1 ? sizes[i] : 1;
  }
  return st;
}

int64_t shape_numel(const Shape& sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t n = ndim > 0 ? ndim : 1;  // a 0-d tensor accepts dim 0 and -1, as torch
  if (dim < -n || dim >= n)
    TL_THROW(Index, op ? op : "", op ? ": " : "", "Dimension out of range (expected to be in range of [",
             -n, ", ", n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

Tensor Tensor::empty(const Shape& sizes, DType dtype, Device device) {
  for (int64_t s : sizes)
    TL_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", shape_str(sizes));
  auto st = Storage::allocate(shape_numel(sizes) * static_cast<int64_t>(tl::itemsize(dtype)), device);
  return Tensor(std::move(st), sizes, contiguous_strides(sizes), 0, dtype);
}

Tensor Tensor::empty_strided(const Shape& sizes, const Shape& strides, DType dtype, Device device) {
  TL_CHECK(sizes.size() == strides.size(), "empty_strided: sizes ", shape_str(sizes), " and strides ",
           shape_str(strides), " differ in length");
  int64_t extent = 1;
  bool empty = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    TL_CHECK(sizes[i] >= 0 && strides[i] >= 0, "empty_strided: negative size or stride");
    if (sizes[i] == 0) empty = true;
    extent += (sizes[i] - 1) * strides[i];
  }
  if (empty) extent = 0;
  auto st = Storage::allocate(extent * static_cast<int64_t>(tl::itemsize(dtype)), device);
  return Tensor(std::move(st), sizes, strides, 0, dtype);
}

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int64_t i = dim() - 1; i >= 0; --i) {
    if (sizes_[i] == 1) continue;
    if (sizes_[i] == 0) return true;
    if (strides_[i] != expected) return false;
    expected *= sizes_[i];
  }
  return true;
}

Tensor Tensor::as_strided(const Shape& sizes, const Shape& strides, int64_t offset) const {
  TL_CHECK(sizes.size() == strides.size(), "as_strided: mismatch in length of strides and shape");
  TL_CHECK(offset >= 0, "as_strided: Negative storage offset ", offset);
  int64_t max_off = offset;
  bool empty = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    TL_CHECK(sizes[i] >= 0, "as_strided: negative size ", sizes[i]);
    TL_CHECK(strides[i] >= 0, "as_strided: negative strides are not supported, got ", shape_str(strides));
    if (sizes[i] == 0) empty = true;
    else max_off += (sizes[i] - 1) * strides[i];
  }
  int64_t cap = storage_->nbytes / static_cast<int64_t>(itemsize());
  TL_CHECK(empty || max_off < cap, "setStorage: sizes ", shape_str(sizes), ", strides ", shape_str(strides),
           ", storage offset ", offset, " require a storage of ", (max_off + 1) * static_cast<int64_t>(itemsize()),
           " bytes, but the storage has only ", storage_->nbytes, " bytes");
  return Tensor(storage_, sizes, strides, offset, dtype_);
}

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return clone();
}

Tensor Tensor::clone() const {
  Tensor out = Tensor::empty(sizes_, dtype_, device());
  copy_(out, *this);
  return out;
}

}  // namespace tl
