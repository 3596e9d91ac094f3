// The device caching allocator. cudaMalloc/cudaFree synchronise the device and cost tens of
// microseconds, so freed blocks are kept in per-(device, stream) pools and handed out again; in the
// steady state of a training loop (the same sizes every iteration) no call reaches the driver.
//   - Size classes: requests up to 1 MiB round up to 512 B; larger ones to a quarter of their power
//     of two (at most 25% slack), so a pool lookup is an exact-size match.
//   - Stream-ordered reuse: a block freed on stream S is reused only by allocations on S; work on one
//     stream runs in order, so the new owner's kernels start after the old owner's finished. A block
//     also used on other streams (record_stream) waits for them when it is freed.
//   - Out of memory: release every cached block of the device, retry once, then raise RuntimeError
//     (tensorlite.OutOfMemoryError) naming the request and the memory in use; nothing is leaked and
//     the process stays usable.
#pragma once
#include <cstddef>
#include <cstdint>
#include "runtime.h"

namespace tl {

struct DeviceMemoryStats {
  int64_t allocated = 0;      // bytes in blocks handed to tensors (rounded sizes, as torch reports)
  int64_t max_allocated = 0;
  int64_t reserved = 0;       // bytes obtained from the driver: allocated + cached
  int64_t max_reserved = 0;
  int64_t num_device_mallocs = 0;  // calls that reached the driver (the cache missed)
  int64_t num_device_frees = 0;
  int64_t num_alloc_retries = 0;   // cache flushed after the driver said out of memory
  int64_t num_ooms = 0;
};

size_t device_alloc_rounded_size(size_t nbytes);
// nullptr for 0 bytes. Throws tl::Error(OutOfMemory) when the device cannot supply the block.
void* device_alloc(size_t nbytes, int dev, StreamHandle stream);
// Frees on the host right away; may wait for the streams recorded with device_record_stream.
void device_free(void* p);
// torch's Tensor.record_stream: the block `p` (a pointer device_alloc returned) is also used by work on
// `stream`; when it is freed, that work is waited for before the block can be handed out again.
void device_record_stream(void* p, StreamHandle stream);
DeviceMemoryStats device_memory_stats(int dev);
void device_reset_peak_stats(int dev);
// Returns every cached (unused) block of every device to the driver.
void device_empty_cache();

}  // namespace tl
