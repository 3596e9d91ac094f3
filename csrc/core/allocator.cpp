#include "allocator.h"
#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>
#include "check.h"

namespace tl {

namespace {

struct Block {
  size_t size;
  int dev;
  StreamHandle stream;
  std::vector<StreamHandle> other_uses;  // record_stream: streams besides `stream` that used the block
};

// (device, stream, rounded size) -> cached blocks of exactly that size
using PoolKey = std::tuple<int, StreamHandle, size_t>;

struct State {
  std::mutex mu;
  std::unordered_map<void*, Block> live;  // handed out
  std::map<PoolKey, std::vector<void*>> pool;
  std::vector<DeviceMemoryStats> stats;
  DeviceMemoryStats& at(int dev) {
    if (static_cast<size_t>(dev) >= stats.size()) stats.resize(static_cast<size_t>(dev) + 1);
    return stats[static_cast<size_t>(dev)];
  }
};

State& state() {
  static State* s = new State();  // leaked on purpose: tensors may be freed during interpreter teardown
  return *s;
}

std::string human(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) { bytes /= 1024.0; ++u; }
  char buf[64];
  if (u == 0) std::snprintf(buf, sizeof buf, "%.0f %s", bytes, units[u]);
  else std::snprintf(buf, sizeof buf, "%.2f %s", bytes, units[u]);
  return buf;
}

// Caller holds the lock. Returns the cached blocks of `dev` to the driver.
void release_cached(State& s, DeviceRuntime& rt, int dev) {
  for (auto it = s.pool.begin(); it != s.pool.end();) {
    if (std::get<0>(it->first) != dev && dev >= 0) { ++it; continue; }
    const int d = std::get<0>(it->first);
    const size_t size = std::get<2>(it->first);
    for (void* p : it->second) {
      rt.raw_free(p, d);
      s.at(d).reserved -= static_cast<int64_t>(size);
      s.at(d).num_device_frees += 1;
    }
    it = s.pool.erase(it);
  }
}

}  // namespace

size_t device_alloc_rounded_size(size_t n) {
  constexpr size_t kSmall = size_t{1} << 20, kMinBlock = 512;
  if (n <= kSmall) return (n + kMinBlock - 1) / kMinBlock * kMinBlock;
  size_t p = kSmall;
  while (p * 2 <= n && p * 2 > p) p *= 2;  // highest power of two <= n
  const size_t step = p / 4;
  return (n + step - 1) / step * step;
}

void* device_alloc(size_t nbytes, int dev, StreamHandle stream) {
  if (nbytes == 0) return nullptr;
  DeviceRuntime& rt = require_device_runtime();
  const size_t size = device_alloc_rounded_size(nbytes);
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  DeviceMemoryStats& st = s.at(dev);
  void* p = nullptr;
  auto it = s.pool.find(PoolKey{dev, stream, size});
  if (it != s.pool.end() && !it->second.empty()) {
    p = it->second.back();
    it->second.pop_back();
    if (it->second.empty()) s.pool.erase(it);
  } else {
    p = rt.raw_malloc(size, dev);
    if (!p) {
      // the cache may hold enough memory in blocks of other sizes or streams: give it back and retry
      st.num_alloc_retries += 1;
      rt.device_synchronize(dev);
      release_cached(s, rt, dev);
      p = rt.raw_malloc(size, dev);
    }
    if (!p) {
      st.num_ooms += 1;
      size_t free_b = 0, total_b = 0;
      rt.mem_get_info(dev, &free_b, &total_b);
      TL_THROW(OutOfMemory, "CUDA out of memory. Tried to allocate ", human(static_cast<double>(size)), ". GPU ",
               dev, " has a total capacity of ", human(static_cast<double>(total_b)), " of which ",
               human(static_cast<double>(free_b)), " is free. Of the allocated memory ",
               human(static_cast<double>(st.allocated)), " is allocated by tensorlite, and ",
               human(static_cast<double>(st.reserved - st.allocated)),
               " is reserved by tensorlite but unallocated.");
    }
    st.reserved += static_cast<int64_t>(size);
    st.max_reserved = std::max(st.max_reserved, st.reserved);
    st.num_device_mallocs += 1;
  }
  st.allocated += static_cast<int64_t>(size);
  st.max_allocated = std::max(st.max_allocated, st.allocated);
  s.live.emplace(p, Block{size, dev, stream, {}});
  return p;
}

void device_free(void* p) {
  if (!p) return;
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  auto it = s.live.find(p);
  if (it == s.live.end()) return;  // not ours; never happens for storages we allocated
  const Block b = it->second;
  s.live.erase(it);
  // The pool only orders reuse on the allocating stream: work queued on the others must finish first.
  // (torch records events and defers the free; waiting here is simpler and as correct.)
  if (!b.other_uses.empty())
    if (DeviceRuntime* rt = device_runtime())
      for (StreamHandle o : b.other_uses) {
        try {
          rt->stream_synchronize(o, b.dev);
        } catch (...) {  // called from destructors: a sticky CUDA error is reported by the next checked call
        }
      }
  s.at(b.dev).allocated -= static_cast<int64_t>(b.size);
  s.pool[PoolKey{b.dev, b.stream, b.size}].push_back(p);
}

void device_record_stream(void* p, StreamHandle stream) {
  if (!p) return;
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  auto it = s.live.find(p);
  if (it == s.live.end() || it->second.stream == stream) return;
  auto& uses = it->second.other_uses;
  if (std::find(uses.begin(), uses.end(), stream) == uses.end()) uses.push_back(stream);
}

DeviceMemoryStats device_memory_stats(int dev) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  return s.at(dev);
}

void device_reset_peak_stats(int dev) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  DeviceMemoryStats& st = s.at(dev);
  st.max_allocated = st.allocated;
  st.max_reserved = st.reserved;
}

void device_empty_cache() {
  DeviceRuntime* rt = device_runtime();
  if (!rt) return;
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  for (int d = 0; d < rt->device_count(); ++d) rt->device_synchronize(d);
  release_cached(s, *rt, -1);
}

}  // namespace tl
