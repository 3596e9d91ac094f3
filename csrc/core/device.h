#pragma once
#include <string>
#include "check.h"

namespace tl {

enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };

struct Device {
  DeviceType type = DeviceType::CPU;
  int index = -1;  // -1: "the current one" (cpu has only one)
  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const {
    if (type == DeviceType::CPU) return "cpu";
    return index < 0 ? "cuda" : "cuda:" + std::to_string(index);
  }
};

inline Device cpu_device() { return Device{}; }

}  // namespace tl
