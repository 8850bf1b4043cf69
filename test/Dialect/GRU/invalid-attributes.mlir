// Attribute values that are not Keras's: each is a diagnostic naming the
// attribute and what was expected.
// RUN: gru-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{unknown activation 'tanhh'; expected one of: linear, tanh, sigmoid, hard_sigmoid, relu, relu6, leaky_relu, elu, selu, celu, softplus, softsign, silu, hard_silu, gelu, exponential, hard_tanh, sparse_sigmoid, sparse_plus, squareplus, soft_shrink, hard_shrink, tanh_shrink, log_sigmoid, mish}}
func.func private @f() attributes {a = #gru.activation<tanhh>}

// -----

// expected-error @+1 {{activation 'softmax' is not supported by GRU layers: it normalizes across the units axis; only elementwise activations are supported}}
func.func private @f() attributes {a = #gru.activation<softmax>}

// -----

// expected-error @+1 {{activation 'log_softmax' is not supported by GRU layers}}
func.func private @f() attributes {a = #gru.activation<log_softmax>}

// -----

// expected-error @+1 {{activation 'sparsemax' is not supported by GRU layers}}
func.func private @f() attributes {a = #gru.activation<sparsemax>}

// -----

// expected-error @+1 {{activation 'glu' is not supported by GRU layers: it halves the units axis}}
func.func private @f() attributes {a = #gru.activation<glu>}

// -----

// expected-error @+1 {{activation 'threshold' is not supported by GRU layers}}
func.func private @f() attributes {a = #gru.activation<threshold>}

// -----

// expected-error @+1 {{regularization factor 'l1' must be finite and >= 0, got -0.01}}
func.func private @f() attributes {r = #gru.l1<-0.01>}

// -----

// expected-error @+1 {{regularization factor 'l2' must be finite and >= 0, got inf}}
func.func private @f() attributes {r = #gru.l1_l2<l1 = 0.0, l2 = 0x7FF0000000000000>}

// -----

// expected-error @+1 {{max_norm 'max_value' must be finite and >= 0, got -2}}
func.func private @f() attributes {c = #gru.max_norm<max_value = -2.0, axis = 0>}

// -----

// expected-error @+1 {{min_max_norm needs finite 0 <= 'min_value' <= 'max_value', got 2 and 1}}
func.func private @f() attributes {c = #gru.min_max_norm<min_value = 2.0, max_value = 1.0, rate = 1.0, axis = 0>}

// -----

// expected-error @+1 {{min_max_norm 'rate' must be in [0, 1], got 1.5}}
func.func private @f() attributes {c = #gru.min_max_norm<min_value = 0.0, max_value = 1.0, rate = 1.5, axis = 0>}

// -----

// expected-error @+1 {{random_uniform needs finite 'minval' <= 'maxval', got 1 and -1}}
func.func private @f() attributes {i = #gru.random_uniform<minval = 1.0, maxval = -1.0, seed = 0>}

// -----

// expected-error @+1 {{random_normal needs a finite mean and a finite 'stddev' >= 0}}
func.func private @f() attributes {i = #gru.random_normal<mean = 0.0, stddev = -1.0, seed = 0>}

// -----

// expected-error @+1 {{truncated_normal needs a finite mean and a finite 'stddev' >= 0}}
func.func private @f() attributes {i = #gru.truncated_normal<mean = 0x7FF8000000000000, stddev = 1.0, seed = 0>}

// -----

// expected-error @+2 {{expected floating point literal}}
// expected-error @+1 {{failed to parse GRU_L2Attr parameter 'l2'}}
func.func private @f() attributes {r = #gru.l2<"big">}

// -----

// expected-error @+2 {{expected valid keyword}}
// expected-error @+1 {{expected a parameter name in struct}}
func.func private @f() attributes {i = #gru.glorot_uniform<>}

// -----

// expected-error @+2 {{expected ::mlir::gru::Implementation to be one of: fused, cudnn, cudnn_if_right_padded}}
// expected-error @+1 {{failed to parse GRU_ImplAttr parameter 'value'}}
func.func private @f() attributes {i = #gru.impl<cpu>}

// -----

// expected-error @+1 {{unknown attribute `l3` in dialect `gru`}}
func.func private @f() attributes {r = #gru.l3<0.1>}
