//===- Activations.cpp - Keras activations as arith/math ops -------------===//
//
// Each activation is Keras 3's formula (keras/src/activations), written so
// that float32 evaluation stays accurate: softplus and log_sigmoid use the
// log1p form that does not overflow, elu and friends use expm1.
//
//===----------------------------------------------------------------------===//

#include "gru/Conversion/Activations.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::gru;

namespace {

/// Small helpers over one float type, so the formulas read like Keras's.
struct Scalar {
  ImplicitLocOpBuilder &b;
  Type type;

  Value c(double v) {
    return arith::ConstantOp::create(b, b.getFloatAttr(type, v));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, x); }
  Value max(Value x, Value y) { return arith::MaximumFOp::create(b, x, y); }
  Value min(Value x, Value y) { return arith::MinimumFOp::create(b, x, y); }
  Value clip(Value x, double lo, double hi) {
    return min(max(x, c(lo)), c(hi));
  }
  Value abs(Value x) { return math::AbsFOp::create(b, x); }
  Value exp(Value x) { return math::ExpOp::create(b, x); }
  Value expm1(Value x) { return math::ExpM1Op::create(b, x); }
  Value log1p(Value x) { return math::Log1pOp::create(b, x); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, x); }
  Value tanh(Value x) { return math::TanhOp::create(b, x); }
  Value erf(Value x) { return math::ErfOp::create(b, x); }
  Value cmp(arith::CmpFPredicate p, Value x, double v) {
    return arith::CmpFOp::create(b, p, x, c(v));
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, cond, x, y);
  }

  Value sigmoid(Value x) { return div(c(1.0), add(c(1.0), exp(neg(x)))); }
  Value hardSigmoid(Value x) { return clip(add(div(x, c(6.0)), c(0.5)), 0, 1); }
  /// log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).
  Value softplus(Value x) {
    return add(max(x, c(0.0)), log1p(exp(neg(abs(x)))));
  }
  /// x > 0 ? x : alpha * (exp(x) - 1).
  Value elu(Value x, double alpha) {
    return select(cmp(arith::CmpFPredicate::OGT, x, 0.0), x,
                  mul(c(alpha), expm1(x)));
  }
};

} // namespace

Value mlir::gru::buildActivation(ImplicitLocOpBuilder &b, Activation activation,
                                 Value x) {
  Scalar s{b, x.getType()};
  using P = arith::CmpFPredicate;
  switch (activation) {
  case Activation::linear:
    return x;
  case Activation::tanh:
    return s.tanh(x);
  case Activation::sigmoid:
    return s.sigmoid(x);
  case Activation::hard_sigmoid:
    return s.hardSigmoid(x);
  case Activation::relu:
    return s.max(x, s.c(0.0));
  case Activation::relu6:
    return s.clip(x, 0.0, 6.0);
  case Activation::leaky_relu:
    return s.select(s.cmp(P::OGE, x, 0.0), x, s.mul(s.c(0.2), x));
  case Activation::elu:
    return s.elu(x, 1.0);
  case Activation::selu:
    return s.mul(s.c(1.0507009873554805), s.elu(x, 1.6732632423543772));
  case Activation::celu: // alpha = 1: max(x, 0) + min(0, expm1(x))
    return s.add(s.max(x, s.c(0.0)), s.min(s.c(0.0), s.expm1(x)));
  case Activation::softplus:
    return s.softplus(x);
  case Activation::softsign:
    return s.div(x, s.add(s.c(1.0), s.abs(x)));
  case Activation::silu:
    return s.mul(x, s.sigmoid(x));
  case Activation::hard_silu:
    return s.mul(x, s.hardSigmoid(x));
  case Activation::gelu: // exact: x/2 (1 + erf(x/sqrt(2)))
    return s.mul(s.mul(s.c(0.5), x),
                 s.add(s.c(1.0), s.erf(s.mul(x, s.c(M_SQRT1_2)))));
  case Activation::exponential:
    return s.exp(x);
  case Activation::hard_tanh:
    return s.clip(x, -1.0, 1.0);
  case Activation::sparse_sigmoid:
    return s.clip(s.mul(s.add(x, s.c(1.0)), s.c(0.5)), 0.0, 1.0);
  case Activation::sparse_plus: { // 0 | (x+1)²/4 | x
    Value quadratic =
        s.mul(s.c(0.25), s.mul(s.add(x, s.c(1.0)), s.add(x, s.c(1.0))));
    return s.select(s.cmp(P::OLE, x, -1.0), s.c(0.0),
                    s.select(s.cmp(P::OLT, x, 1.0), quadratic, x));
  }
  case Activation::squareplus: // b = 4: (x + sqrt(x² + 4)) / 2
    return s.mul(s.c(0.5), s.add(x, s.sqrt(s.add(s.mul(x, x), s.c(4.0)))));
  case Activation::soft_shrink: // threshold 0.5
    return s.select(
        s.cmp(P::OGT, x, 0.5), s.sub(x, s.c(0.5)),
        s.select(s.cmp(P::OLT, x, -0.5), s.add(x, s.c(0.5)), s.c(0.0)));
  case Activation::hard_shrink: // threshold 0.5
    return s.select(s.cmp(P::OGT, s.abs(x), 0.5), x, s.c(0.0));
  case Activation::tanh_shrink:
    return s.sub(x, s.tanh(x));
  case Activation::log_sigmoid: // -softplus(-x)
    return s.neg(s.softplus(s.neg(x)));
  case Activation::mish: // x tanh(softplus(x))
    return s.mul(x, s.tanh(s.softplus(x)));
  }
  llvm_unreachable("unknown activation");
}
