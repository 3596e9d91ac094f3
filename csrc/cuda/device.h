#pragma once
#include <string>

namespace tl::cuda {
int device_count();              // 0 when there is no driver or no GPU
std::string device_name(int index);
int runtime_version();           // e.g. 13000
}  // namespace tl::cuda
