// PLACEHOLDER until the elementwise CUDA work lands: raises instead of running.
#include "common.cuh"
#include "creation.h"
namespace tl::cuda {
void arange_kernel(const Tensor&, double, double, int64_t, int64_t) { TL_THROW(NotImplemented, "arange: CUDA kernel not built yet"); }
void linspace_kernel(const Tensor&, double, double, bool, double) { TL_THROW(NotImplemented, "linspace: CUDA kernel not built yet"); }
void eye_kernel(const Tensor&) { TL_THROW(NotImplemented, "eye: CUDA kernel not built yet"); }
}  // namespace tl::cuda
