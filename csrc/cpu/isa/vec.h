// The vector types of this ISA variant (GCC vector extensions at the ISA's register width: 16 bytes
// generic, 32 avx2, 64 avx512) and unaligned loads/stores, for the files compiled once per ISA
// (csrc/cpu/isa/*.cpp, csrc/cpu/gemm/ukernel.cpp).
#pragma once
#include <cstdint>
#include <cstring>

// loadu/storeu are also used on vectors wider than this ISA's registers (vmath's 16-lane sums); they are
// always inlined within one file, so GCC's note about the ABI of such arguments does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace tl::cpu::TL_ISA_NS::vec {

#if defined(__AVX512F__)
constexpr int kBytes = 64;
#elif defined(__AVX2__)
constexpr int kBytes = 32;
#else
constexpr int kBytes = 16;
#endif

typedef float vf __attribute__((vector_size(kBytes)));
typedef double vd __attribute__((vector_size(kBytes)));
typedef int32_t vi32 __attribute__((vector_size(kBytes)));
typedef int64_t vi64 __attribute__((vector_size(kBytes)));

// Vec<T>::type: the vector of T; ::mask, ::mask_elem: the integer vector __builtin_shuffle takes.
template <class T> struct Vec;
template <> struct Vec<float> { using type = vf; using mask = vi32; using mask_elem = int32_t; };
template <> struct Vec<double> { using type = vd; using mask = vi64; using mask_elem = int64_t; };

// memcpy compiles to one unaligned vector move; user buffers carry no alignment guarantee.
template <class V, class T>
inline V loadu(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <class T, class V>
inline void storeu(T* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}

}  // namespace tl::cpu::TL_ISA_NS::vec
