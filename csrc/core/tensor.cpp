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

// Checked: a product past int64 would wrap to a small or negative count and size buffers that
// kernels then index past, so such a shape is an error wherever it is met.
int64_t shape_numel(const Shape& sizes) {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t s : sizes) overflow |= __builtin_mul_overflow(n, s, &n);
  if (overflow) {
    for (int64_t s : sizes)
      if (s == 0) return 0;
    TL_THROW(Runtime, "Storage size calculation overflowed with sizes=", shape_str(sizes));
  }
  return n;
}

namespace {
// numel * itemsize, or a RuntimeError when it does not fit in int64.
int64_t checked_nbytes(const Shape& sizes, int64_t elems, DType dtype) {
  int64_t nbytes = 0;
  if (__builtin_mul_overflow(elems, static_cast<int64_t>(tl::itemsize(dtype)), &nbytes))
    TL_THROW(Runtime, "Storage size calculation overflowed with sizes=", shape_str(sizes));
  return nbytes;
}

// 1 + sum((size - 1) * stride) for a non-empty geometry: the elements it spans from its first one.
int64_t checked_extent(const Shape& sizes, const Shape& strides, int64_t start, const char* op) {
  int64_t ext = start;
  bool overflow = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    int64_t t = 0;
    overflow |= __builtin_mul_overflow(sizes[i] - 1, strides[i], &t);
    overflow |= __builtin_add_overflow(ext, t, &ext);
  }
  if (overflow)
    TL_THROW(Runtime, op, ": sizes ", shape_str(sizes), " and strides ", shape_str(strides),
             " reach past the largest addressable storage");
  return ext;
}
}  // namespace

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
  auto st = Storage::allocate(checked_nbytes(sizes, shape_numel(sizes), dtype), device);
  return Tensor(std::move(st), sizes, contiguous_strides(sizes), 0, dtype);
}

Tensor Tensor::empty_strided(const Shape& sizes, const Shape& strides, DType dtype, Device device) {
  TL_CHECK(sizes.size() == strides.size(), "empty_strided: sizes ", shape_str(sizes), " and strides ",
           shape_str(strides), " differ in length");
  bool empty = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    TL_CHECK(sizes[i] >= 0 && strides[i] >= 0, "empty_strided: negative size or stride");
    if (sizes[i] == 0) empty = true;
  }
  shape_numel(sizes);  // rejects a shape whose element count overflows
  int64_t extent = empty ? 0 : checked_extent(sizes, strides, 1, "empty_strided");
  auto st = Storage::allocate(checked_nbytes(sizes, extent, dtype), device);
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
  bool empty = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    TL_CHECK(sizes[i] >= 0, "as_strided: negative size ", sizes[i]);
    TL_CHECK(strides[i] >= 0, "as_strided: negative strides are not supported, got ", shape_str(strides));
    if (sizes[i] == 0) empty = true;
  }
  shape_numel(sizes);  // a view whose element count overflows could never be iterated safely
  int64_t cap = storage_->nbytes / static_cast<int64_t>(itemsize());
  if (empty) return Tensor(storage_, sizes, strides, offset, dtype_);  // reads nothing (torch allows any offset)
  int64_t max_off = checked_extent(sizes, strides, offset, "as_strided");
  TL_CHECK(max_off < cap, "setStorage: sizes ", shape_str(sizes), ", strides ", shape_str(strides),
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
