// The CUDA implementation of tl::DeviceRuntime (csrc/core/runtime.h) and the error/guard helpers of
// common.cuh. Every runtime call is checked; a failure throws tl::Error naming the call, which the
// bindings turn into a Python RuntimeError. cudart is linked statically, so on a machine without a
// driver cudaGetDeviceCount fails and make_cuda_runtime() returns nullptr: the module still imports.
#include <cuda_runtime.h>
#include <cstring>
#include "common.cuh"
#include "device.h"

namespace tl::cuda {

void throw_cuda_error(cudaError_t err, const char* what, const char* file, int line) {
  cudaGetLastError();  // clear a non-sticky error so the process stays usable
  const char* base = std::strrchr(file, '/');
  TL_THROW(Runtime, "CUDA error in ", what, ": ", cudaGetErrorString(err), " (", cudaGetErrorName(err), " at ",
           base ? base + 1 : file, ":", line, ")");
}

DeviceGuard::DeviceGuard(int dev) {
  TL_CUDA_CHECK(cudaGetDevice(&prev_), "cudaGetDevice");
  cur_ = dev;
  if (dev >= 0 && dev != prev_) TL_CUDA_CHECK(cudaSetDevice(dev), "cudaSetDevice");
}

DeviceGuard::~DeviceGuard() {
  if (cur_ >= 0 && cur_ != prev_) cudaSetDevice(prev_);  // a destructor must not throw
}

namespace {

class CudaRuntime final : public DeviceRuntime {
 public:
  explicit CudaRuntime(int n) : n_(n) {}
  RuntimeKind kind() const override { return RuntimeKind::Cuda; }
  int device_count() override { return n_; }
  std::string device_name(int dev) override {
    cudaDeviceProp prop;
    TL_CUDA_CHECK(cudaGetDeviceProperties(&prop, dev), "cudaGetDeviceProperties");
    return prop.name;
  }
  int current_device() override {
    int d = 0;
    TL_CUDA_CHECK(cudaGetDevice(&d), "cudaGetDevice");
    return d;
  }
  void set_device(int dev) override { TL_CUDA_CHECK(cudaSetDevice(dev), "cudaSetDevice"); }

  void* raw_malloc(size_t nbytes, int dev) override {
    DeviceGuard g(dev);
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, nbytes);
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // not sticky: clear it so the next launch check does not report it
      return nullptr;
    }
    TL_CUDA_CHECK(err, "cudaMalloc");
    return p;
  }
  void raw_free(void* p, int dev) override {
    DeviceGuard g(dev);
    TL_CUDA_CHECK(cudaFree(p), "cudaFree");
  }
  void mem_get_info(int dev, size_t* free_bytes, size_t* total_bytes) override {
    DeviceGuard g(dev);
    TL_CUDA_CHECK(cudaMemGetInfo(free_bytes, total_bytes), "cudaMemGetInfo");
  }
  void memcpy(void* dst, const void* src, size_t nbytes, CopyKind kind, int dev, StreamHandle stream,
              bool async) override {
    if (nbytes == 0) return;
    DeviceGuard g(dev);
    const cudaMemcpyKind k = kind == CopyKind::HostToDevice   ? cudaMemcpyHostToDevice
                             : kind == CopyKind::DeviceToHost ? cudaMemcpyDeviceToHost
                                                              : cudaMemcpyDeviceToDevice;
    auto s = static_cast<cudaStream_t>(stream);
    TL_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, k, s), "cudaMemcpyAsync");
    if (!async) TL_CUDA_CHECK(cudaStreamSynchronize(s), "cudaStreamSynchronize");
  }
  void memcpy_peer(void* dst, int dst_dev, const void* src, int src_dev, size_t nbytes,
                   StreamHandle stream) override {
    if (nbytes == 0) return;
    DeviceGuard g(src_dev);
    auto s = static_cast<cudaStream_t>(stream);
    TL_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_dev, src, src_dev, nbytes, s), "cudaMemcpyPeerAsync");
    TL_CUDA_CHECK(cudaStreamSynchronize(s), "cudaStreamSynchronize");
  }
  void device_synchronize(int dev) override {
    DeviceGuard g(dev);
    TL_CUDA_CHECK(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  }

  StreamHandle stream_create(int dev) override {
    DeviceGuard g(dev);
    cudaStream_t s;
    TL_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreate");
    return s;
  }
  void stream_destroy(StreamHandle s, int dev) override {
    if (!s) return;
    DeviceGuard g(dev);
    cudaStreamDestroy(static_cast<cudaStream_t>(s));
  }
  void stream_synchronize(StreamHandle s, int dev) override {
    DeviceGuard g(dev);
    TL_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(s)), "cudaStreamSynchronize");
  }
  bool stream_query(StreamHandle s, int dev) override {
    DeviceGuard g(dev);
    cudaError_t e = cudaStreamQuery(static_cast<cudaStream_t>(s));
    if (e == cudaErrorNotReady) return false;
    TL_CUDA_CHECK(e, "cudaStreamQuery");
    return true;
  }
  void stream_wait_event(StreamHandle s, EventHandle e, int dev) override {
    DeviceGuard g(dev);
    TL_CUDA_CHECK(cudaStreamWaitEvent(static_cast<cudaStream_t>(s), static_cast<cudaEvent_t>(e), 0),
                  "cudaStreamWaitEvent");
  }

  EventHandle event_create(int dev, bool enable_timing) override {
    DeviceGuard g(dev);
    cudaEvent_t e;
    TL_CUDA_CHECK(cudaEventCreateWithFlags(&e, enable_timing ? cudaEventDefault : cudaEventDisableTiming),
                  "cudaEventCreate");
    return e;
  }
  void event_destroy(EventHandle e, int dev) override {
    if (!e) return;
    DeviceGuard g(dev);
    cudaEventDestroy(static_cast<cudaEvent_t>(e));
  }
  void event_record(EventHandle e, StreamHandle s, int dev) override {
    DeviceGuard g(dev);
    TL_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(e), static_cast<cudaStream_t>(s)), "cudaEventRecord");
  }
  void event_synchronize(EventHandle e, int dev) override {
    DeviceGuard g(dev);
    TL_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(e)), "cudaEventSynchronize");
  }
  bool event_query(EventHandle e, int dev) override {
    DeviceGuard g(dev);
    cudaError_t r = cudaEventQuery(static_cast<cudaEvent_t>(e));
    if (r == cudaErrorNotReady) return false;
    TL_CUDA_CHECK(r, "cudaEventQuery");
    return true;
  }
  float event_elapsed_ms(EventHandle start, EventHandle end, int dev) override {
    DeviceGuard g(dev);
    float ms = 0.f;
    TL_CUDA_CHECK(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start), static_cast<cudaEvent_t>(end)),
                  "cudaEventElapsedTime");
    return ms;
  }

 private:
  int n_;
};

}  // namespace

DeviceRuntime* make_cuda_runtime() {
  const int n = device_count();  // 0 (and the error cleared) without a driver or a GPU
  return n > 0 ? new CudaRuntime(n) : nullptr;
}

}  // namespace tl::cuda
