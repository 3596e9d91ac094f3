// Device queries. cudart is linked statically, so these work (and say "no device") on machines
// without a driver; the CUDA runtime issue adds allocator, streams and kernels beside this file.
#include <cuda_runtime.h>
#include "cuda/device.h"

namespace tl::cuda {

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return n;
}

std::string device_name(int index) {
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, index) != cudaSuccess) {
    cudaGetLastError();
    return "";
  }
  return prop.name;
}

int runtime_version() {
  int v = 0;
  cudaRuntimeGetVersion(&v);
  return v;
}

}  // namespace tl::cuda
