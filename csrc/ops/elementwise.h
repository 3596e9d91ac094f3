// Elementwise ops, generated from elementwise.def. Contract:
//   unary(op, x)        -> y, x.shape; dtype by the op's kind (see elementwise.def)
//   binary(op, a, b)    -> y, broadcast(a.shape, b.shape); dtype = torch's result_type (+ kind)
//   *_ variants write into their first argument (torch's in-place ops, with its casting rules).
#pragma once
#include "../core/scalar.h"
#include "../core/tensor.h"

namespace tl {

enum class UnaryOp : int {
#define TL_UNARY(name, kind, expr) name,
#include "elementwise.def"
};
enum class BinaryOp : int {
#define TL_BINARY(name, kind, expr) name,
#include "elementwise.def"
};
enum class UnaryKind { FLOAT, FLOATONLY, SAME, BOOLOUT };
enum class BinaryKind { ARITH, DIV, CMP, LOGICAL };

const char* op_name(UnaryOp op);
const char* op_name(BinaryOp op);
UnaryKind op_kind(UnaryOp op);
BinaryKind op_kind(BinaryOp op);

// torch's result_type: dimensioned tensors > zero-dim tensors > Python scalars, by category.
DType result_type(const Tensor& a, const Tensor& b);
DType result_type(const Tensor& a, const Scalar& b);
// torch's canCast: no float -> integral, no non-bool -> bool.
bool can_cast(DType from, DType to);

Tensor unary(UnaryOp op, const Tensor& x, double p0 = 0.0, double p1 = 0.0);
void unary_(UnaryOp op, const Tensor& x, double p0 = 0.0, double p1 = 0.0);
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
Tensor binary(BinaryOp op, const Tensor& a, const Scalar& b, bool reverse = false);
void binary_(BinaryOp op, const Tensor& self, const Tensor& other);
void binary_(BinaryOp op, const Tensor& self, const Scalar& other);

// where(cond, a, b): broadcast of all three; a/b promoted as a binary op.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

}  // namespace tl
