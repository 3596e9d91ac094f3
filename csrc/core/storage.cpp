#include "storage.h"
#include <cstdlib>
#include <new>
#include "allocator.h"
#include "check.h"

namespace tl {

void* cpu_alloc(size_t nbytes) {
  size_t n = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  if (n == 0) n = kAlignment;
  void* p = std::aligned_alloc(kAlignment, n);
  TL_CHECK(p != nullptr, "CPU out of memory: tried to allocate ", nbytes, " bytes");
  return p;
}

void cpu_free(void* p) { std::free(p); }

Storage::~Storage() {
  if (external) return;  // the owner's deleter releases external memory
  if (!data) return;
  if (device.is_cpu()) cpu_free(data);
  else device_free(data);  // back to the caching allocator's pool of the stream it came from
}

std::shared_ptr<Storage> Storage::allocate(int64_t nbytes, Device device) {
  TL_CHECK(nbytes >= 0, "Storage: negative size ", nbytes);
  auto s = std::make_shared<Storage>();
  if (device.is_cuda()) {
    device = resolve_device(device);
    s->data = device_alloc(static_cast<size_t>(nbytes), device.index, current_stream(device.index));
  } else {
    s->data = cpu_alloc(static_cast<size_t>(nbytes));
  }
  s->nbytes = nbytes;
  s->device = device;
  return s;
}

Device resolve_device(Device d) {
  if (d.is_cpu()) return cpu_device();
  DeviceRuntime& rt = require_device_runtime();
  if (d.index < 0) d.index = rt.current_device();
  const int n = rt.device_count();
  TL_CHECK(d.index < n, "CUDA error: invalid device ordinal (asked for ", d.str(), ", ", n, " device",
           n == 1 ? "" : "s", " available)");
  return d;
}

std::shared_ptr<Storage> Storage::wrap(void* data, int64_t nbytes, Device device, std::shared_ptr<void> owner) {
  auto s = std::make_shared<Storage>();
  s->data = data;
  s->nbytes = nbytes;
  s->device = device;
  s->owner = std::move(owner);
  s->external = true;
  return s;
}

}  // namespace tl
