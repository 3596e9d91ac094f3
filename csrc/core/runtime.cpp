#include "runtime.h"
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>
#include "check.h"
#include "storage.h"

namespace tl {

namespace {

// Host memory posing as device memory, with a capacity so that out-of-memory handling can be tested.
// Everything is synchronous: a stream is a label and an event a host timestamp.
class EmulatedRuntime final : public DeviceRuntime {
 public:
  EmulatedRuntime(int n, size_t capacity) : n_(n), capacity_(capacity), used_(static_cast<size_t>(n), 0) {}
  RuntimeKind kind() const override { return RuntimeKind::Emulated; }
  int device_count() override { return n_; }
  std::string device_name(int dev) override { check(dev); return "tensorlite emulated CUDA device (host memory)"; }
  int current_device() override { return current_; }
  void set_device(int dev) override { check(dev); current_ = dev; }

  void* raw_malloc(size_t nbytes, int dev) override {
    check(dev);
    std::lock_guard<std::mutex> g(mu_);
    if (nbytes > capacity_ - used_[static_cast<size_t>(dev)]) return nullptr;
    void* p = cpu_alloc(nbytes);
    used_[static_cast<size_t>(dev)] += nbytes;
    sizes_[p] = nbytes;
    return p;
  }
  void raw_free(void* p, int dev) override {
    std::lock_guard<std::mutex> g(mu_);
    auto it = sizes_.find(p);
    if (it == sizes_.end()) return;
    used_[static_cast<size_t>(dev)] -= it->second;
    sizes_.erase(it);
    cpu_free(p);
  }
  void mem_get_info(int dev, size_t* free_bytes, size_t* total_bytes) override {
    check(dev);
    std::lock_guard<std::mutex> g(mu_);
    *total_bytes = capacity_;
    *free_bytes = capacity_ - used_[static_cast<size_t>(dev)];
  }
  void memcpy(void* dst, const void* src, size_t nbytes, CopyKind, int, StreamHandle, bool) override {
    if (nbytes) std::memmove(dst, src, nbytes);
  }
  void memcpy_peer(void* dst, int, const void* src, int, size_t nbytes, StreamHandle) override {
    if (nbytes) std::memmove(dst, src, nbytes);
  }
  void device_synchronize(int dev) override { check(dev); }

  StreamHandle stream_create(int dev) override {
    check(dev);
    return reinterpret_cast<StreamHandle>(next_stream_++);
  }
  void stream_destroy(StreamHandle, int) override {}
  void stream_synchronize(StreamHandle, int) override {}
  bool stream_query(StreamHandle, int) override { return true; }
  void stream_wait_event(StreamHandle, EventHandle, int) override {}

  EventHandle event_create(int dev, bool) override {
    check(dev);
    return new double(-1.0);
  }
  void event_destroy(EventHandle e, int) override { delete static_cast<double*>(e); }
  void event_record(EventHandle e, StreamHandle, int) override {
    using namespace std::chrono;
    *static_cast<double*>(e) = duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
  }
  void event_synchronize(EventHandle, int) override {}
  bool event_query(EventHandle, int) override { return true; }
  float event_elapsed_ms(EventHandle start, EventHandle end, int) override {
    double a = *static_cast<double*>(start), b = *static_cast<double*>(end);
    TL_CHECK(a >= 0 && b >= 0, "elapsed_time: both events must be recorded before calling elapsed_time()");
    return static_cast<float>(b - a);
  }

 private:
  void check(int dev) const {
    TL_CHECK(dev >= 0 && dev < n_, "CUDA error: invalid device ordinal (device ", dev, ", ", n_, " available)");
  }
  int n_;
  size_t capacity_;
  std::vector<size_t> used_;
  std::unordered_map<void*, size_t> sizes_;
  std::mutex mu_;
  int current_ = 0;
  uintptr_t next_stream_ = 1;
};

size_t env_size(const char* name, size_t dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  char* end = nullptr;
  unsigned long long x = std::strtoull(v, &end, 10);
  return end && *end == '\0' ? static_cast<size_t>(x) : dflt;
}

DeviceRuntime* choose_runtime() {
  if (const char* e = std::getenv("TENSORLITE_EMULATE_CUDA"); e && *e && std::strcmp(e, "0") != 0) {
    int n = std::max(1, std::atoi(e));
    // 4 GiB per emulated device unless told otherwise (the tests shrink it to exercise OOM handling)
    return new EmulatedRuntime(n, env_size("TENSORLITE_EMULATE_CUDA_MEMORY", size_t{4} << 30));
  }
#ifdef TL_WITH_CUDA
  return cuda::make_cuda_runtime();
#else
  return nullptr;
#endif
}

thread_local std::vector<StreamHandle> t_current_streams;

}  // namespace

DeviceRuntime* device_runtime() {
  static DeviceRuntime* rt = choose_runtime();  // never destroyed: outlives every tensor
  return rt;
}

DeviceRuntime& require_device_runtime() {
  DeviceRuntime* rt = device_runtime();
  if (!rt) {
#ifdef TL_WITH_CUDA
    TL_THROW(Runtime, "Found no NVIDIA driver on your system, or no CUDA GPU is available. tensorlite was built "
             "with CUDA, but cannot use it on this machine.");
#else
    TL_THROW(Runtime, "tensorlite was not compiled with CUDA enabled");
#endif
  }
  return *rt;
}

bool cuda_emulated() {
  DeviceRuntime* rt = device_runtime();
  return rt && rt->kind() == RuntimeKind::Emulated;
}

int cuda_device_count() {
  DeviceRuntime* rt = device_runtime();
  return rt ? rt->device_count() : 0;
}

StreamHandle current_stream(int dev) {
  if (dev < 0 || static_cast<size_t>(dev) >= t_current_streams.size()) return nullptr;
  return t_current_streams[static_cast<size_t>(dev)];
}

void set_current_stream(int dev, StreamHandle s) {
  TL_CHECK(dev >= 0, "set_current_stream: invalid device ", dev);
  if (static_cast<size_t>(dev) >= t_current_streams.size()) t_current_streams.resize(static_cast<size_t>(dev) + 1);
  t_current_streams[static_cast<size_t>(dev)] = s;
}

}  // namespace tl
