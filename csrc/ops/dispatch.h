// Device dispatch for the op layer. An op validates and allocates once, then calls
//   TL_KERNEL(out.device(), unary_kernel, out, in, p0, p1);
// which runs tl::cuda::unary_kernel for a CUDA tensor and tl::cpu::unary_kernel otherwise. The two
// kernels have the same signature, declared in csrc/cpu/<family>.h and csrc/cuda/<family>.h. Under the
// emulated runtime (core/runtime.h) "cuda" tensors are host memory and run the CPU kernel, which is how
// the device-agnostic layers are tested without a GPU.
//
// Rule for op-layer code: never read or write tensor memory directly (a CUDA pointer dereferenced on
// the host is a crash); go through a kernel, or copy to the host first (to_host in ops/copy.h).
#pragma once
#include <initializer_list>
#include "../core/check.h"
#include "../core/runtime.h"
#include "../core/tensor.h"

#ifdef TL_WITH_CUDA
#define TL_KERNEL(DEV, NAME, ...)                                          \
  (((DEV).is_cuda() && !::tl::cuda_emulated()) ? ::tl::cuda::NAME(__VA_ARGS__) \
                                               : ::tl::cpu::NAME(__VA_ARGS__))
#else
#define TL_KERNEL(DEV, NAME, ...) ::tl::cpu::NAME(__VA_ARGS__)
#endif

namespace tl {

// torch's RuntimeError for operands on different devices ("Expected all tensors to be on the same
// device, but found at least two devices, cuda:0 and cpu!"), naming the op. Undefined tensors skip.
inline void check_same_device(const char* op, std::initializer_list<const Tensor*> ts) {
  const Tensor* first = nullptr;
  for (const Tensor* t : ts) {
    if (!t || !t->defined()) continue;
    if (!first) { first = t; continue; }
    if (t->device() != first->device())
      TL_THROW(Runtime, "Expected all tensors to be on the same device, but found at least two devices, ",
               first->device().str(), " and ", t->device().str(), "! (in ", op, ")");
  }
}

}  // namespace tl
