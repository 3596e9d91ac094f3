// Tensor: a strided view (sizes, strides in elements, storage offset) of a Storage. Copying a Tensor
// is cheap and aliases the same memory; views share storage; `contiguous()` copies only if needed.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>
#include "dtype.h"
#include "device.h"
#include "storage.h"

namespace tl {

using Shape = std::vector<int64_t>;

Shape contiguous_strides(const Shape& sizes);
int64_t shape_numel(const Shape& sizes);
// Wraps a possibly negative dim into [0, ndim); IndexError as torch otherwise.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op = nullptr);

class Tensor {
 public:
  Tensor() = default;
  Tensor(std::shared_ptr<Storage> storage, Shape sizes, Shape strides, int64_t offset, DType dtype)
      : storage_(std::move(storage)), sizes_(std::move(sizes)), strides_(std::move(strides)),
        offset_(offset), dtype_(dtype) {}

  static Tensor empty(const Shape& sizes, DType dtype, Device device = cpu_device());
  static Tensor empty_strided(const Shape& sizes, const Shape& strides, DType dtype, Device device = cpu_device());

  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device; }
  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  int64_t size(int64_t d) const { return sizes_[wrap_dim(d, dim())]; }
  int64_t stride(int64_t d) const { return strides_[wrap_dim(d, dim())]; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return shape_numel(sizes_); }
  int64_t offset() const { return offset_; }
  size_t itemsize() const { return tl::itemsize(dtype_); }
  const std::shared_ptr<Storage>& storage() const { return storage_; }

  void* data_ptr() const { return static_cast<char*>(storage_->data) + offset_ * static_cast<int64_t>(itemsize()); }
  template <class T> T* data() const { return static_cast<T*>(data_ptr()); }

  bool is_contiguous() const;
  // A view with new geometry over the same storage; checks that it stays inside the storage.
  Tensor as_strided(const Shape& sizes, const Shape& strides, int64_t offset) const;
  Tensor contiguous() const;  // self if already contiguous
  Tensor clone() const;       // always a fresh contiguous copy

  uint64_t version() const { return storage_->version.load(std::memory_order_relaxed); }
  void bump_version() const { storage_->version.fetch_add(1, std::memory_order_relaxed); }

 private:
  std::shared_ptr<Storage> storage_;
  Shape sizes_, strides_;
  int64_t offset_ = 0;
  DType dtype_ = DType::Float32;
};

}  // namespace tl
