//===- GateMath.cpp - the gate math of one step ---------------------------===//

#include "gru/Conversion/Activations.h"
#include "gru/Conversion/StepSemantics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::gru;

Value GateMath::gate(ImplicitLocOpBuilder &b, Activation activation,
                     Value x) const {
  if (clip) {
    Value bound =
        arith::ConstantOp::create(b, b.getFloatAttr(x.getType(), *clip));
    Value low = arith::NegFOp::create(b, bound);
    x = arith::MinimumFOp::create(b, arith::MaximumFOp::create(b, x, low),
                                  bound);
  }
  return buildActivation(b, activation, x);
}

Value GateMath::reset(ImplicitLocOpBuilder &b, Value xr, Value hr) const {
  return gate(b, recurrentActivation, arith::AddFOp::create(b, xr, hr));
}

Value GateMath::next(ImplicitLocOpBuilder &b, const GateInputs &in,
                     Value h) const {
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddFOp::create(b, x, y);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulFOp::create(b, x, y);
  };
  Value z = gate(b, recurrentActivation, add(in.xz, in.hz));
  Value candidateInput = resetAfter
                             ? add(in.xh, mul(reset(b, in.xr, in.hr), in.hh))
                             : add(in.xh, in.hh);
  Value candidate = gate(b, activation, candidateInput);
  Value one = arith::ConstantOp::create(b, b.getFloatAttr(h.getType(), 1.0));
  return add(mul(z, h), mul(arith::SubFOp::create(b, one, z), candidate));
}
