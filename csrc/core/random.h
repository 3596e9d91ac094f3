// Counter-based random numbers: Philox 4x32-10 (Salmon et al., SC'11). Element i of a random op
// draws the 128-bit block philox(key = seed, counter = offset + i); the op then advances the
// generator's offset by the element count. Each element's value depends only on (seed, offset, i),
// so results are the same for any thread count and, with the CUDA issue, on the GPU.
#pragma once
#include <cmath>
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

// ---- value transforms, shared by csrc/cpu/random.cpp and csrc/cuda/random.cu ------------------------
// One source for both sides, so the CUDA stream is the CPU stream. nvcc contracts a * b + c into an
// FMA by default (one rounding instead of two) and the x86-64 baseline build of the CPU code has no
// FMA, so every product and sum below is an explicitly rounded operation on the device. (A host build
// with FMA enabled, e.g. aarch64 where GCC contracts by default, would need -ffp-contract=off here.)
TL_HD inline double rn_mul(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
TL_HD inline double rn_add(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
TL_HD inline float rn_mul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
TL_HD inline float rn_add(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}

// U[lo, hi) in float: lo + span * u with span = float(hi - lo); a value that rounds up to hi is lo.
TL_HD inline float uniform_f32(const Philox4x32& r, float flo, float span, float fhi) {
  float v = rn_add(flo, rn_mul(span, u32_to_unit_float(r.c[0])));
  return v < fhi || span == 0.0f ? v : flo;
}
TL_HD inline double uniform_f64(const Philox4x32& r, double lo, double span) {
  return rn_add(lo, rn_mul(span, u64_to_unit_double(r.c[0], r.c[1])));
}

// Box-Muller in double on all four words; u1 in (0, 1] so the log is finite. log and cos are the
// platform's (glibc on the host, CUDA's libdevice on the device): both are within 1-2 ulp of exact but
// not the same function, so this is the one transform that is not bit-identical across devices (see
// csrc/cuda/random.cu). sqrt and the arithmetic are IEEE-exact on both.
TL_HD inline double normal_f64(const Philox4x32& r, double mean, double std) {
  const double u1 = rn_add(1.0, -u64_to_unit_double(r.c[0], r.c[1]));
  const double u2 = u64_to_unit_double(r.c[2], r.c[3]);
#if defined(__CUDA_ARCH__)
  const double lg = ::log(u1), cs = ::cos(rn_mul(6.283185307179586, u2)), sq = ::sqrt(rn_mul(-2.0, lg));
#else
  const double lg = std::log(u1), cs = std::cos(rn_mul(6.283185307179586, u2)), sq = std::sqrt(rn_mul(-2.0, lg));
#endif
  return rn_add(mean, rn_mul(rn_mul(std, sq), cs));
}

// Integer in [lo, lo + range) from the first two words (modulo bias < range / 2^64). The sum is taken
// unsigned: lo + v may pass through int64 overflow for the full range, which would be UB in signed math.
TL_HD inline int64_t randint_i64(const Philox4x32& r, int64_t lo, uint64_t range) {
  const uint64_t v = (static_cast<uint64_t>(r.c[0]) << 32 | r.c[1]) % range;
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + v);
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
