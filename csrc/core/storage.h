// Storage: a reference-counted block of memory (64-byte aligned when we allocate it), shared by all
// views of a tensor. It also carries the version counter autograd uses to detect in-place changes of
// saved tensors: every view of the same memory sees the same counter, as in torch.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include "device.h"

namespace tl {

constexpr size_t kAlignment = 64;

struct Storage {
  void* data = nullptr;
  int64_t nbytes = 0;
  Device device;                // concrete: cuda storages always carry their index
  std::shared_ptr<void> owner;  // keeps memory we do not own (numpy, DLPack) alive
  bool external = false;        // true: `owner` releases the memory, not us
  std::atomic<uint64_t> version{0};

  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  static std::shared_ptr<Storage> allocate(int64_t nbytes, Device device);
  static std::shared_ptr<Storage> wrap(void* data, int64_t nbytes, Device device, std::shared_ptr<void> owner);
};

// "cuda" (index -1) -> "cuda:<current device>"; checks that the device exists. CPU stays CPU.
Device resolve_device(Device d);

void* cpu_alloc(size_t nbytes);
void cpu_free(void* p);

}  // namespace tl
