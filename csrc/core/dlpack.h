// DLPack: the zero-copy tensor exchange ABI (https://dmlc.github.io/dlpack, v1.0), written out from
// the spec so the build needs no extra dependency. Only the C structs and tensorlite's two
// conversions live here; the Python capsule protocol ("dltensor" -> "used_dltensor" once a consumer
// takes ownership, the capsule's destructor calls the deleter only while it is unconsumed) is in the
// DLPack section of bindings.cpp.
//
// Ownership: a DLManagedTensor is owned by whoever holds it; the owner calls `deleter(self)` exactly
// once when done. The producer keeps its memory alive until then.
#pragma once
#include <cstdint>
#include "tensor.h"

extern "C" {

enum DLDeviceType : int32_t {
  kDLCPU = 1,
  kDLCUDA = 2,
  kDLCUDAHost = 3,
  kDLOpenCL = 4,
  kDLVulkan = 7,
  kDLMetal = 8,
  kDLVPI = 9,
  kDLROCM = 10,
  kDLROCMHost = 11,
  kDLExtDev = 12,
  kDLCUDAManaged = 13,
  kDLOneAPI = 14,
  kDLWebGPU = 15,
  kDLHexagon = 16,
};

struct DLDevice {
  DLDeviceType device_type;
  int32_t device_id;
};

enum DLDataTypeCode : uint8_t {
  kDLInt = 0,
  kDLUInt = 1,
  kDLFloat = 2,
  kDLOpaqueHandle = 3,
  kDLBfloat = 4,
  kDLComplex = 5,
  kDLBool = 6,
};

struct DLDataType {
  uint8_t code;    // a DLDataTypeCode
  uint8_t bits;    // bits per lane
  uint16_t lanes;  // 1 for scalars
};

struct DLTensor {
  void* data;            // base pointer; the first element is at data + byte_offset
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;        // ndim entries
  int64_t* strides;      // ndim entries in elements, or NULL for a compact row-major tensor
  uint64_t byte_offset;
};

struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};

struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};

constexpr uint32_t DLPACK_MAJOR_VERSION = 1;
constexpr uint32_t DLPACK_MINOR_VERSION = 0;
constexpr uint64_t DLPACK_FLAG_BITMASK_READ_ONLY = 1ull << 0;
constexpr uint64_t DLPACK_FLAG_BITMASK_IS_COPIED = 1ull << 1;

// DLPack >= 1.0: the version comes first so a consumer can check it before reading anything else.
struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
};

}  // extern "C"

namespace tl {

// Export: a new managed tensor viewing `t`'s memory; it holds a reference to the storage until its
// deleter runs.
DLManagedTensor* to_dlpack(const Tensor& t);
DLManagedTensorVersioned* to_dlpack_versioned(const Tensor& t, uint64_t flags);

// Import. `check_dlpack` throws (and takes nothing) when tensorlite cannot view the tensor; after it
// passed, `wrap_dlpack` builds a Tensor over the memory and `release` (called once, when the last view
// of that storage dies) hands the managed tensor back to its producer.
void check_dlpack(const DLTensor& dl);
Tensor wrap_dlpack(const DLTensor& dl, std::shared_ptr<void> release);

}  // namespace tl
