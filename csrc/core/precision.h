// Process-wide numeric switches of the matrix products, mirroring torch's: the float32 matmul precision
// ("highest" / "high" / "medium", torch.set_float32_matmul_precision) and its alias
// torch.backends.cuda.matmul.allow_tf32. Only the CUDA GEMM reads them (TF32 tensor cores for float32
// when the precision is not "highest"); the CPU kernels always compute in full float32, as torch's do.
#pragma once
#include <string>

namespace tl {

// torch's three levels; anything but Highest lets float32 GEMMs run on TF32 tensor cores.
enum class MatmulPrecision { Highest = 0, High = 1, Medium = 2 };

MatmulPrecision float32_matmul_precision();
void set_float32_matmul_precision(MatmulPrecision p);
// The level's torch name, and the inverse (returns false for an unknown name, leaving `out` unchanged).
const char* matmul_precision_name(MatmulPrecision p);
bool parse_matmul_precision(const std::string& name, MatmulPrecision* out);

// allow_tf32 is a view of the level, as in torch: true sets "high", false sets "highest".
inline bool allow_tf32() { return float32_matmul_precision() != MatmulPrecision::Highest; }
inline void set_allow_tf32(bool on) {
  set_float32_matmul_precision(on ? MatmulPrecision::High : MatmulPrecision::Highest);
}

}  // namespace tl
