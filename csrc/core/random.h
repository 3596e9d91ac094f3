// Counter-based random numbers: Philox 4x32-10 (Salmon et al., SC'11). Element i of a random op
// draws the 128-bit block philox(key = seed, counter = offset + i); the op then advances the
// generator's offset by the element count. Each element's value depends only on (seed, offset, i),
// so results are the same for any thread count and, with the CUDA issue, on the GPU.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include "math.h"

namespace tl {

struct Philox4x32 {
  uint32_t c[4];
};

TL_HD inline Philox4x32 philox4x32_10(uint64_t counter, uint64_t key) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  constexpr uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int r = 0; r < 10; ++r) {
    uint64_t p0 = static_cast<uint64_t>(M0) * c0;
    uint64_t p1 = static_cast<uint64_t>(M1) * c2;
    uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
    uint32_t n1 = static_cast<uint32_t>(p1);
    uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
    uint32_t n3 = static_cast<uint32_t>(p0);
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += W0;
    k1 += W1;
  }
  return {{c0, c1, c2, c3}};
}

// [0, 1) with 24 (float) or 53 (double) random bits.
TL_HD inline float u32_to_unit_float(uint32_t x) { return static_cast<float>(x >> 8) * (1.0f / 16777216.0f); }
TL_HD inline double u64_to_unit_double(uint32_t hi, uint32_t lo) {
  uint64_t v = (static_cast<uint64_t>(hi) << 32 | lo) >> 11;
  return static_cast<double>(v) * (1.0 / 9007199254740992.0);
}

class Generator {
 public:
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;  // torch's default seed
  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed) {}

  void manual_seed(uint64_t seed) { std::lock_guard<std::mutex> g(mu_); seed_ = seed; offset_ = 0; }
  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) { std::lock_guard<std::mutex> g(mu_); seed_ = seed; offset_ = offset; }
  // Reserves n counters; returns the first one.
  uint64_t advance(uint64_t n) { std::lock_guard<std::mutex> g(mu_); uint64_t o = offset_; offset_ += n; return o; }

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
  std::mutex mu_;
};

Generator& default_generator();

}  // namespace tl
