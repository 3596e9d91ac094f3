#include "dlpack.h"
#include <vector>

namespace tl {

namespace {

// manager_ctx of an exported tensor: the Tensor copy keeps the Storage alive; shape/strides must
// outlive the DLTensor that points at them.
struct ExportCtx {
  Tensor t;
  std::vector<int64_t> shape, strides;
};

DLDataType dl_dtype(DType dt) {
  switch (dt) {
    case DType::Bool: return {kDLBool, 8, 1};
    case DType::UInt8: return {kDLUInt, 8, 1};
    case DType::Int32: return {kDLInt, 32, 1};
    case DType::Int64: return {kDLInt, 64, 1};
    case DType::Float32: return {kDLFloat, 32, 1};
    case DType::Float64: return {kDLFloat, 64, 1};
  }
  TL_THROW(Runtime, "to_dlpack: unsupported dtype");
}

DType from_dl_dtype(const DLDataType& d) {
  TL_CHECK(d.lanes == 1, "from_dlpack: vector dtypes (lanes=", d.lanes, ") are not supported");
  if (d.code == kDLBool && d.bits == 8) return DType::Bool;
  if (d.code == kDLUInt && d.bits == 8) return DType::UInt8;
  if (d.code == kDLInt && d.bits == 32) return DType::Int32;
  if (d.code == kDLInt && d.bits == 64) return DType::Int64;
  if (d.code == kDLFloat && d.bits == 32) return DType::Float32;
  if (d.code == kDLFloat && d.bits == 64) return DType::Float64;
  TL_THROW(Type, "from_dlpack: unsupported DLPack dtype (code=", static_cast<int>(d.code), ", bits=",
           static_cast<int>(d.bits), "); tensorlite supports bool, uint8, int32, int64, float32 and float64");
}

DLDevice dl_device(const Device& dev) {
  if (dev.is_cpu()) return {kDLCPU, 0};
  return {kDLCUDA, static_cast<int32_t>(dev.index < 0 ? 0 : dev.index)};
}

ExportCtx* make_ctx(const Tensor& t, DLTensor& dl) {
  auto* ctx = new ExportCtx{t, t.sizes(), t.strides()};
  dl.data = t.storage()->data;
  dl.byte_offset = static_cast<uint64_t>(t.offset()) * t.itemsize();
  dl.device = dl_device(t.device());
  dl.ndim = static_cast<int32_t>(t.dim());
  dl.dtype = dl_dtype(t.dtype());
  dl.shape = ctx->shape.data();
  dl.strides = ctx->strides.data();
  return ctx;
}

}  // namespace

DLManagedTensor* to_dlpack(const Tensor& t) {
  auto* m = new DLManagedTensor();
  m->manager_ctx = make_ctx(t, m->dl_tensor);
  m->deleter = [](DLManagedTensor* self) {
    delete static_cast<ExportCtx*>(self->manager_ctx);
    delete self;
  };
  return m;
}

DLManagedTensorVersioned* to_dlpack_versioned(const Tensor& t, uint64_t flags) {
  auto* m = new DLManagedTensorVersioned();
  m->version = {DLPACK_MAJOR_VERSION, DLPACK_MINOR_VERSION};
  m->flags = flags;
  m->manager_ctx = make_ctx(t, m->dl_tensor);
  m->deleter = [](DLManagedTensorVersioned* self) {
    delete static_cast<ExportCtx*>(self->manager_ctx);
    delete self;
  };
  return m;
}

void check_dlpack(const DLTensor& dl) {
  TL_CHECK(dl.device.device_type == kDLCPU || dl.device.device_type == kDLCUDAHost,
           "from_dlpack: tensorlite can only import CPU tensors here (got DLPack device type ",
           static_cast<int>(dl.device.device_type), ")");
  TL_CHECK(dl.ndim >= 0, "from_dlpack: negative ndim ", dl.ndim);
  from_dl_dtype(dl.dtype);
  for (int32_t i = 0; i < dl.ndim; ++i) {
    TL_CHECK(dl.shape[i] >= 0, "from_dlpack: negative size in dim ", i);
    TL_CHECK(dl.strides == nullptr || dl.strides[i] >= 0 || dl.shape[i] <= 1,
             "from_dlpack: tensors with negative strides are not supported by tensorlite");
  }
}

Tensor wrap_dlpack(const DLTensor& dl, std::shared_ptr<void> release) {
  DType dt = from_dl_dtype(dl.dtype);
  Shape sizes(dl.shape, dl.shape + dl.ndim);
  Shape strides = dl.strides ? Shape(dl.strides, dl.strides + dl.ndim) : contiguous_strides(sizes);
  int64_t extent = 0;  // elements the view can reach, past its first one
  bool empty = false;
  for (int32_t i = 0; i < dl.ndim; ++i) {
    if (sizes[i] == 0) empty = true;
    if (sizes[i] <= 1) strides[i] = strides[i] < 0 ? 0 : strides[i];  // a stride of a size-1 dim is arbitrary
    else extent += (sizes[i] - 1) * strides[i];
  }
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  const int64_t nbytes = empty ? 0 : (extent + 1) * isz;
  void* base = dl.data ? static_cast<char*>(dl.data) + dl.byte_offset : nullptr;
  auto st = Storage::wrap(base, nbytes, cpu_device(), std::move(release));
  return Tensor(std::move(st), std::move(sizes), std::move(strides), 0, dt);
}

}  // namespace tl
