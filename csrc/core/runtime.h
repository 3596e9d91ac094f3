// The device runtime: the few things the rest of the library needs from a GPU driver (memory, copies,
// streams, events, device selection), behind one interface so that csrc/core and csrc/ops never
// include CUDA headers. Two implementations:
//   - csrc/cuda/runtime.cu: the CUDA runtime API (built when nvcc is found).
//   - runtime.cpp, "emulated": host memory that *claims* to be device memory, and kernels that run
//     the CPU code. It exists so the device-agnostic layers (device propagation through every op,
//     mixed-device errors, cross-device copies, the caching allocator, streams and events) can be
//     tested on machines without a GPU. It says nothing about the CUDA kernels themselves. Enabled
//     by TENSORLITE_EMULATE_CUDA=<n devices> before the first device call; never the default.
// Every entry point reports failure by throwing tl::Error (the CUDA one names the failing call).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace tl {

enum class RuntimeKind { Cuda, Emulated };
enum class CopyKind { HostToDevice, DeviceToHost, DeviceToDevice };

// Opaque handles; nullptr is the device's default stream.
using StreamHandle = void*;
using EventHandle = void*;

class DeviceRuntime {
 public:
  virtual ~DeviceRuntime() = default;
  virtual RuntimeKind kind() const = 0;
  virtual int device_count() = 0;
  virtual std::string device_name(int dev) = 0;
  virtual int current_device() = 0;
  virtual void set_device(int dev) = 0;
  // nullptr when the device is out of memory (any other failure throws); the allocator then frees its
  // cache and retries before it raises the user-facing error.
  virtual void* raw_malloc(size_t nbytes, int dev) = 0;
  virtual void raw_free(void* p, int dev) = 0;
  virtual void mem_get_info(int dev, size_t* free_bytes, size_t* total_bytes) = 0;
  // Ordered on `stream` of device `dev`; async = false waits for the copy to finish.
  virtual void memcpy(void* dst, const void* src, size_t nbytes, CopyKind kind, int dev, StreamHandle stream,
                      bool async) = 0;
  virtual void memcpy_peer(void* dst, int dst_dev, const void* src, int src_dev, size_t nbytes,
                           StreamHandle stream) = 0;
  virtual void device_synchronize(int dev) = 0;

  virtual StreamHandle stream_create(int dev) = 0;
  virtual void stream_destroy(StreamHandle s, int dev) = 0;
  virtual void stream_synchronize(StreamHandle s, int dev) = 0;
  virtual bool stream_query(StreamHandle s, int dev) = 0;  // true: all work done
  virtual void stream_wait_event(StreamHandle s, EventHandle e, int dev) = 0;

  virtual EventHandle event_create(int dev, bool enable_timing) = 0;
  virtual void event_destroy(EventHandle e, int dev) = 0;
  virtual void event_record(EventHandle e, StreamHandle s, int dev) = 0;
  virtual void event_synchronize(EventHandle e, int dev) = 0;
  virtual bool event_query(EventHandle e, int dev) = 0;
  virtual float event_elapsed_ms(EventHandle start, EventHandle end, int dev) = 0;
};

// The runtime in use, or nullptr when there is none (no CUDA build, no driver, no GPU, no emulation).
// Chosen once, on first use.
DeviceRuntime* device_runtime();
// Like device_runtime(), but raises torch's RuntimeError when there is none.
DeviceRuntime& require_device_runtime();
// True when "cuda" tensors are host memory and their ops run the CPU kernels (see above).
bool cuda_emulated();
int cuda_device_count();  // 0 without a runtime

// The current stream of each device, per thread (torch's semantics); nullptr = the default stream.
StreamHandle current_stream(int dev);
void set_current_stream(int dev, StreamHandle s);

#ifdef TL_WITH_CUDA
namespace cuda {
// Defined in csrc/cuda/runtime.cu: the CUDA runtime when a driver and at least one GPU are present,
// otherwise nullptr.
DeviceRuntime* make_cuda_runtime();
}  // namespace cuda
#endif

}  // namespace tl
