#include "storage.h"
#include <cstdlib>
#include <new>
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
  if (data && device.is_cpu()) cpu_free(data);
  // CUDA memory is released by the CUDA allocator (CUDA issue); nothing allocates it yet.
}

std::shared_ptr<Storage> Storage::allocate(int64_t nbytes, Device device) {
  TL_CHECK(nbytes >= 0, "Storage: negative size ", nbytes);
  TL_CHECK(device.is_cpu(), "Storage: allocation on ", device.str(),
           " is not available (tensorlite was not given a CUDA device)");
  auto s = std::make_shared<Storage>();
  s->data = cpu_alloc(static_cast<size_t>(nbytes));
  s->nbytes = nbytes;
  s->device = device;
  return s;
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
