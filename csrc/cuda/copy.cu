// PLACEHOLDER until the elementwise CUDA work lands: raises instead of running.
#include "common.cuh"
#include "copy.h"
namespace tl::cuda {
void copy_kernel(const Tensor&, const Tensor&) { TL_THROW(NotImplemented, "copy_: CUDA kernel not built yet"); }
void fill_kernel(const Tensor&, const Scalar&) { TL_THROW(NotImplemented, "fill_: CUDA kernel not built yet"); }
}  // namespace tl::cuda
