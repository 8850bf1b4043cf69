// A text classifier as Keras would build it:
//
//   x = Embedding(1000, 32, mask_zero=True)(tokens)     # token 0 is padding
//   h = GRU(48, dropout=0.2, recurrent_dropout=0.1)(x)  # dropout only acts in training
//   logits = Dense(4)(h)
//
// Weights come from Keras's default initializers with fixed seeds and are
// computed at compile time. Batch size and sequence length are dynamic.
// Token ids outside the vocabulary are clamped to it, as JAX's gather does.

func.func @classify(%tokens: tensor<?x?xi32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %batch = tensor.dim %tokens, %c0 : tensor<?x?xi32>
  %steps = tensor.dim %tokens, %c1 : tensor<?x?xi32>

  // Embedding lookup and its mask (mask_zero = True).
  %table = gru.initializer(#gru.random_uniform<minval = -0.05, maxval = 0.05, seed = 1>) : tensor<1000x32xf32>
  %embedded_init = tensor.empty(%batch, %steps) : tensor<?x?x32xf32>
  %embedded = linalg.generic {
      indexing_maps = [affine_map<(b, t, f) -> (b, t)>, affine_map<(b, t, f) -> (b, t, f)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%tokens : tensor<?x?xi32>) outs(%embedded_init : tensor<?x?x32xf32>) {
  ^bb0(%token: i32, %out: f32):
    %zero = arith.constant 0 : i32
    %last = arith.constant 999 : i32
    %clamped = arith.maxsi %zero, %token : i32
    %in_vocabulary = arith.minsi %last, %clamped : i32
    %row = arith.index_cast %in_vocabulary : i32 to index
    %f = linalg.index 2 : index
    %value = tensor.extract %table[%row, %f] : tensor<1000x32xf32>
    linalg.yield %value : f32
  } -> tensor<?x?x32xf32>
  %mask_init = tensor.empty(%batch, %steps) : tensor<?x?xi1>
  %mask = linalg.generic {
      indexing_maps = [affine_map<(b, t) -> (b, t)>, affine_map<(b, t) -> (b, t)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%tokens : tensor<?x?xi32>) outs(%mask_init : tensor<?x?xi1>) {
  ^bb0(%token: i32, %out: i1):
    %zero = arith.constant 0 : i32
    %keep = arith.cmpi ne, %token, %zero : i32
    linalg.yield %keep : i1
  } -> tensor<?x?xi1>

  // GRU(48) with Keras's default initializers.
  %kernel = gru.initializer(#gru.glorot_uniform<seed = 2>) : tensor<32x144xf32>
  %recurrent_kernel = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 3>) : tensor<48x144xf32>
  %bias = gru.initializer(#gru.zeros) : tensor<2x144xf32>
  %h = gru.layer %embedded, %kernel, %recurrent_kernel bias(%bias) mask(%mask)
      {units = 48 : i64, dropout = 0.2, recurrent_dropout = 0.1, seed = 4 : i64}
      : (tensor<?x?x32xf32>, tensor<32x144xf32>, tensor<48x144xf32>, tensor<2x144xf32>, tensor<?x?xi1>)
      -> tensor<?x48xf32>

  // Dense(4).
  %dense_kernel = gru.initializer(#gru.glorot_uniform<seed = 5>) : tensor<48x4xf32>
  %dense_bias = gru.initializer(#gru.zeros) : tensor<4xf32>
  %logits_init = tensor.empty(%batch) : tensor<?x4xf32>
  %logits_bias = linalg.broadcast ins(%dense_bias : tensor<4xf32>)
      outs(%logits_init : tensor<?x4xf32>) dimensions = [0]
  %logits = linalg.matmul ins(%h, %dense_kernel : tensor<?x48xf32>, tensor<48x4xf32>)
      outs(%logits_bias : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %logits : tensor<?x4xf32>
}
