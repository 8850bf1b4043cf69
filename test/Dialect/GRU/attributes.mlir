// Every attribute of the dialect prints and parses back.
// RUN: gru-opt %s | gru-opt | FileCheck %s

// Every elementwise activation of Keras 3, and the aliases swish and
// hard_swish, which are stored under their Keras 3 names.
// CHECK-LABEL: func private @activations
// CHECK-SAME: a00 = #gru.activation<linear>
// CHECK-SAME: a01 = #gru.activation<tanh>
// CHECK-SAME: a02 = #gru.activation<sigmoid>
// CHECK-SAME: a03 = #gru.activation<hard_sigmoid>
// CHECK-SAME: a04 = #gru.activation<relu>
// CHECK-SAME: a05 = #gru.activation<relu6>
// CHECK-SAME: a06 = #gru.activation<leaky_relu>
// CHECK-SAME: a07 = #gru.activation<elu>
// CHECK-SAME: a08 = #gru.activation<selu>
// CHECK-SAME: a09 = #gru.activation<celu>
// CHECK-SAME: a10 = #gru.activation<softplus>
// CHECK-SAME: a11 = #gru.activation<softsign>
// CHECK-SAME: a12 = #gru.activation<silu>
// CHECK-SAME: a13 = #gru.activation<hard_silu>
// CHECK-SAME: a14 = #gru.activation<gelu>
// CHECK-SAME: a15 = #gru.activation<exponential>
// CHECK-SAME: a16 = #gru.activation<hard_tanh>
// CHECK-SAME: a17 = #gru.activation<sparse_sigmoid>
// CHECK-SAME: a18 = #gru.activation<sparse_plus>
// CHECK-SAME: a19 = #gru.activation<squareplus>
// CHECK-SAME: a20 = #gru.activation<soft_shrink>
// CHECK-SAME: a21 = #gru.activation<hard_shrink>
// CHECK-SAME: a22 = #gru.activation<tanh_shrink>
// CHECK-SAME: a23 = #gru.activation<log_sigmoid>
// CHECK-SAME: a24 = #gru.activation<mish>
// CHECK-SAME: alias0 = #gru.activation<silu>, alias1 = #gru.activation<hard_silu>
func.func private @activations() attributes {
  a00 = #gru.activation<linear>,
  a01 = #gru.activation<tanh>,
  a02 = #gru.activation<sigmoid>,
  a03 = #gru.activation<hard_sigmoid>,
  a04 = #gru.activation<relu>,
  a05 = #gru.activation<relu6>,
  a06 = #gru.activation<leaky_relu>,
  a07 = #gru.activation<elu>,
  a08 = #gru.activation<selu>,
  a09 = #gru.activation<celu>,
  a10 = #gru.activation<softplus>,
  a11 = #gru.activation<softsign>,
  a12 = #gru.activation<silu>,
  a13 = #gru.activation<hard_silu>,
  a14 = #gru.activation<gelu>,
  a15 = #gru.activation<exponential>,
  a16 = #gru.activation<hard_tanh>,
  a17 = #gru.activation<sparse_sigmoid>,
  a18 = #gru.activation<sparse_plus>,
  a19 = #gru.activation<squareplus>,
  a20 = #gru.activation<soft_shrink>,
  a21 = #gru.activation<hard_shrink>,
  a22 = #gru.activation<tanh_shrink>,
  a23 = #gru.activation<log_sigmoid>,
  a24 = #gru.activation<mish>,
  alias0 = #gru.activation<swish>,
  alias1 = #gru.activation<"hard_swish">}

// CHECK-LABEL: func private @regularizers_and_constraints
// CHECK-SAME: c0 = #gru.max_norm<max_value = 2.000000e+00, axis = 0>
// CHECK-SAME: c1 = #gru.non_neg
// CHECK-SAME: c2 = #gru.unit_norm<axis = 1>
// CHECK-SAME: c3 = #gru.min_max_norm<min_value = 0.000000e+00, max_value = 1.000000e+00, rate = 1.000000e+00, axis = 0>
// CHECK-SAME: r0 = #gru.l1<1.000000e-02>
// CHECK-SAME: r1 = #gru.l2<1.000000e-02>
// CHECK-SAME: r2 = #gru.l1_l2<l1 = 0.000000e+00, l2 = 2.500000e-01>
func.func private @regularizers_and_constraints() attributes {
  r0 = #gru.l1<0.01>, r1 = #gru.l2<0.01>, r2 = #gru.l1_l2<l1 = 0.0, l2 = 0.25>,
  c0 = #gru.max_norm<max_value = 2.0, axis = 0>, c1 = #gru.non_neg,
  c2 = #gru.unit_norm<axis = 1>,
  c3 = #gru.min_max_norm<min_value = 0.0, max_value = 1.0, rate = 1.0, axis = 0>}

// CHECK-LABEL: func private @initializers
// CHECK-SAME: i00 = #gru.zeros, i01 = #gru.ones, i02 = #gru.constant<5.000000e-01>
// CHECK-SAME: i03 = #gru.random_normal<mean = 0.000000e+00, stddev = 5.000000e-02, seed = 1>
// CHECK-SAME: i04 = #gru.random_uniform<minval = -5.000000e-02, maxval = 5.000000e-02, seed = 2>
// CHECK-SAME: i05 = #gru.truncated_normal<mean = 0.000000e+00, stddev = 5.000000e-02, seed = 3>
// CHECK-SAME: i06 = #gru.glorot_uniform<seed = 4>, i07 = #gru.glorot_normal<seed = 5>
// CHECK-SAME: i08 = #gru.he_normal<seed = 6>, i09 = #gru.he_uniform<seed = 7>
// CHECK-SAME: i10 = #gru.lecun_normal<seed = 8>, i11 = #gru.lecun_uniform<seed = 9>
// CHECK-SAME: i12 = #gru.orthogonal<gain = 1.000000e+00, seed = 10>
// CHECK-SAME: i13 = #gru.identity<gain = 2.000000e+00>
func.func private @initializers() attributes {
  i00 = #gru.zeros, i01 = #gru.ones, i02 = #gru.constant<0.5>,
  i03 = #gru.random_normal<mean = 0.0, stddev = 0.05, seed = 1>,
  i04 = #gru.random_uniform<minval = -0.05, maxval = 0.05, seed = 2>,
  i05 = #gru.truncated_normal<mean = 0.0, stddev = 0.05, seed = 3>,
  i06 = #gru.glorot_uniform<seed = 4>, i07 = #gru.glorot_normal<seed = 5>,
  i08 = #gru.he_normal<seed = 6>, i09 = #gru.he_uniform<seed = 7>,
  i10 = #gru.lecun_normal<seed = 8>, i11 = #gru.lecun_uniform<seed = 9>,
  i12 = #gru.orthogonal<gain = 1.0, seed = 10>, i13 = #gru.identity<gain = 2.0>}

// CHECK-LABEL: func private @impls
// CHECK-SAME: i0 = #gru.impl<fused>, i1 = #gru.impl<cudnn>, i2 = #gru.impl<cudnn_if_right_padded>
func.func private @impls() attributes {
  i0 = #gru.impl<fused>, i1 = #gru.impl<cudnn>, i2 = #gru.impl<cudnn_if_right_padded>}
