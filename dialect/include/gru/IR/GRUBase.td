//===- GRUBase.td - gru dialect definition -----------------*- tablegen -*-===//

#ifndef GRU_BASE_TD
#define GRU_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def GRU_Dialect : Dialect {
  let name = "gru";
  let cppNamespace = "::mlir::gru";
  let summary = "GRU layers with the semantics of Keras 3 `keras.layers.GRU`";
  let description = [{
    The `gru` dialect describes recurrent layers at the level of a Keras layer
    call (`gru.layer`), plus the lower-level pieces that transformations
    produce: single steps (`gru.cell`), explicit dropout masks
    (`gru.dropout_mask`) and compile-time weight initializers
    (`gru.initializer`). Every Keras constructor and call argument is an
    attribute or operand of `gru.layer`, with Keras's name and default.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class GRU_Op<string mnemonic, list<Trait> traits = []>
    : Op<GRU_Dialect, mnemonic, traits>;

class GRU_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<GRU_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

// A double-precision parameter printed and parsed as a plain float literal
// (`0.01`, not `1.000000e-02 : f64`).
def GRU_DoubleParam : AttrParameter<"::llvm::APFloat", "a double value"> {
  let parser = "::mlir::gru::parseDoubleParameter($_parser)";
  let printer = "$_printer.printFloat($_self)";
}

def GRU_SeedParam : AttrParameter<"int64_t", "random seed">;

#endif // GRU_BASE_TD
