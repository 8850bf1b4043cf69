/* cudnn.c - GRU layers through cuDNN 9's RNN API, loaded with dlopen (see
 * gru/cudnn.h). */
#include "gru/cudnn.h"
#include "gru/device.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cuDNN's types and constants, as cudnn_graph.h, cudnn_ops.h and
 * cudnn_adv.h define them (not included: the runtime builds without
 * cuDNN). The stand-in of the tests is compiled with those headers. */
typedef int cudnnStatus_t;
typedef void *cudnnHandle_t, *cudnnRNNDescriptor_t, *cudnnRNNDataDescriptor_t,
    *cudnnTensorDescriptor_t, *cudnnDropoutDescriptor_t;
enum {
  CUDNN_DATA_FLOAT = 0,
  CUDNN_DEFAULT_MATH = 0,
  CUDNN_FMA_MATH = 3,
  CUDNN_RNN_ALGO_PERSIST_DYNAMIC = 2,
  CUDNN_GRU = 3,
  CUDNN_RNN_DOUBLE_BIAS = 2,
  CUDNN_UNIDIRECTIONAL = 0,
  CUDNN_LINEAR_INPUT = 0,
  CUDNN_FWD_MODE_INFERENCE = 0,
  CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED = 2,
  CUDNN_RNN_PADDED_IO_ENABLED = 1,
};

/* The entry points that the bridge calls. */
#define GRU_CUDNN_FUNCTIONS(X)                                                 \
  X(cudnnGetVersion, size_t, void)                                             \
  X(cudnnGetErrorString, const char *, cudnnStatus_t)                          \
  X(cudnnGetLastErrorString, void, char *, size_t)                             \
  X(cudnnCreate, cudnnStatus_t, cudnnHandle_t *)                               \
  X(cudnnDestroy, cudnnStatus_t, cudnnHandle_t)                                \
  X(cudnnSetStream, cudnnStatus_t, cudnnHandle_t, void *)                      \
  X(cudnnCreateDropoutDescriptor, cudnnStatus_t, cudnnDropoutDescriptor_t *)   \
  X(cudnnDestroyDropoutDescriptor, cudnnStatus_t, cudnnDropoutDescriptor_t)    \
  X(cudnnSetDropoutDescriptor, cudnnStatus_t, cudnnDropoutDescriptor_t,        \
    cudnnHandle_t, float, void *, size_t, unsigned long long)                  \
  X(cudnnCreateTensorDescriptor, cudnnStatus_t, cudnnTensorDescriptor_t *)     \
  X(cudnnDestroyTensorDescriptor, cudnnStatus_t, cudnnTensorDescriptor_t)      \
  X(cudnnSetTensorNdDescriptor, cudnnStatus_t, cudnnTensorDescriptor_t, int,   \
    int, const int *, const int *)                                             \
  X(cudnnGetTensorNdDescriptor, cudnnStatus_t, cudnnTensorDescriptor_t, int,   \
    int *, int *, int *, int *)                                                \
  X(cudnnTransformTensor, cudnnStatus_t, cudnnHandle_t, const void *,          \
    cudnnTensorDescriptor_t, const void *, const void *,                       \
    cudnnTensorDescriptor_t, void *)                                           \
  X(cudnnCreateRNNDescriptor, cudnnStatus_t, cudnnRNNDescriptor_t *)           \
  X(cudnnDestroyRNNDescriptor, cudnnStatus_t, cudnnRNNDescriptor_t)            \
  X(cudnnSetRNNDescriptor_v8, cudnnStatus_t, cudnnRNNDescriptor_t, int, int,   \
    int, int, int, int, int, int, int32_t, int32_t, int32_t, int32_t,          \
    cudnnDropoutDescriptor_t, uint32_t)                                        \
  X(cudnnBuildRNNDynamic, cudnnStatus_t, cudnnHandle_t, cudnnRNNDescriptor_t,  \
    int)                                                                       \
  X(cudnnCreateRNNDataDescriptor, cudnnStatus_t, cudnnRNNDataDescriptor_t *)   \
  X(cudnnDestroyRNNDataDescriptor, cudnnStatus_t, cudnnRNNDataDescriptor_t)    \
  X(cudnnSetRNNDataDescriptor, cudnnStatus_t, cudnnRNNDataDescriptor_t, int,   \
    int, int, int, int, const int *, void *)                                   \
  X(cudnnGetRNNWeightSpaceSize, cudnnStatus_t, cudnnHandle_t,                  \
    cudnnRNNDescriptor_t, size_t *)                                            \
  X(cudnnGetRNNWeightParams, cudnnStatus_t, cudnnHandle_t,                     \
    cudnnRNNDescriptor_t, int32_t, size_t, const void *, int32_t,              \
    cudnnTensorDescriptor_t, void **, cudnnTensorDescriptor_t, void **)        \
  X(cudnnGetRNNTempSpaceSizes, cudnnStatus_t, cudnnHandle_t,                   \
    cudnnRNNDescriptor_t, int, cudnnRNNDataDescriptor_t, size_t *, size_t *)   \
  X(cudnnRNNForward, cudnnStatus_t, cudnnHandle_t, cudnnRNNDescriptor_t, int,  \
    const int32_t *, cudnnRNNDataDescriptor_t, const void *,                   \
    cudnnRNNDataDescriptor_t, void *, cudnnTensorDescriptor_t, const void *,   \
    void *, cudnnTensorDescriptor_t, const void *, void *, size_t,             \
    const void *, size_t, void *, size_t, void *)

static struct {
#define GRU_CUDNN_POINTER(name, result, ...) result (*name)(__VA_ARGS__);
  GRU_CUDNN_FUNCTIONS(GRU_CUDNN_POINTER)
#undef GRU_CUDNN_POINTER
} dnn;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_failure[512]; /* empty once loaded */

static void load_cudnn(void) {
  const char *name = getenv("GRU_CUDNN_LIBRARY");
  if (!name || !*name)
    name = "libcudnn.so.9";
  void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *error = dlerror();
    snprintf(load_failure, sizeof load_failure, "%s cannot be loaded (%s)",
             name, error ? error : "not found");
    return;
  }
#define GRU_CUDNN_RESOLVE(field, ...)                                          \
  if (!(*(void **)&dnn.field = dlsym(library, #field))) {                      \
    snprintf(load_failure, sizeof load_failure, "%s has no %s (too old?)",     \
             name, #field);                                                    \
    return;                                                                    \
  }
  GRU_CUDNN_FUNCTIONS(GRU_CUDNN_RESOLVE)
#undef GRU_CUDNN_RESOLVE
  size_t version = dnn.cudnnGetVersion();
  if (version < 90000)
    snprintf(load_failure, sizeof load_failure,
             "%s is cuDNN %zu; the RNN API needs cuDNN 9", name, version);
}

/* What went wrong in `what`, with cuDNN's own message where it has one. */
static void say_failure(char *message, size_t size, const char *what,
                        cudnnStatus_t status) {
  char detail[256] = "";
  dnn.cudnnGetLastErrorString(detail, sizeof detail);
  snprintf(message, size, "%s failed: %s (cuDNN status %d)%s%s", what,
           dnn.cudnnGetErrorString(status), status, *detail ? ": " : "",
           detail);
}

/* False, with the failure recorded for the calling thread, when `status`
 * is an error of `what`. */
static bool succeeded(cudnnStatus_t status, const char *what) {
  if (!status)
    return true;
  char message[512];
  say_failure(message, sizeof message, what, status);
  gru_rt_cuda_fail("%s", message);
  return false;
}

/* A layer's plan: its descriptors and its weights in cuDNN's layout. */
typedef struct plan {
  int64_t layer;
  int64_t options;
  int features, units;
  cudnnRNNDescriptor_t rnn;
  cudnnDropoutDescriptor_t dropout;
  cudnnTensorDescriptor_t matrix, vector; /* for cudnnGetRNNWeightParams */
  void *weights;                          /* device */
  size_t weight_bytes;
  bool weights_mapped; /* constant weights mapped at an earlier call */
  int built_batch;     /* PERSIST_DYNAMIC's plan, for this batch size */
  struct plan *next;
} plan;

/* An instance's plans, and the cuDNN handle that they belong to. */
typedef struct {
  cudnnHandle_t handle;
  /* Why cudnnCreate failed, once it has: the instance's layers then run
   * the fused kernels without trying again at every call. */
  char create_failure[512];
  plan *plans;
} plans;

static void release_plans(void *opaque) {
  plans *all = opaque;
  if (!all)
    return;
  for (plan *p = all->plans, *next; p; p = next) {
    next = p->next;
    dnn.cudnnDestroyRNNDescriptor(p->rnn);
    dnn.cudnnDestroyDropoutDescriptor(p->dropout);
    dnn.cudnnDestroyTensorDescriptor(p->matrix);
    dnn.cudnnDestroyTensorDescriptor(p->vector);
    gru_rt_cuda_free(p->weights);
    free(p);
  }
  if (all->handle)
    dnn.cudnnDestroy(all->handle);
  free(all);
}

/* The current instance's plans, with a handle; NULL with the reason in
 * `why` where cuDNN cannot be used. */
static plans *instance_plans(char *why, size_t size) {
  pthread_once(&load_once, load_cudnn);
  if (*load_failure) {
    snprintf(why, size, "%s", load_failure);
    return NULL;
  }
  void **slot = gru_rt_cuda_plans(release_plans);
  if (!slot || !gru_rt_cuda_ready()) {
    snprintf(why, size, "no usable CUDA device");
    return NULL;
  }
  if (!*slot && !(*slot = calloc(1, sizeof(plans)))) {
    snprintf(why, size, "out of memory");
    return NULL;
  }
  plans *all = *slot;
  if (!all->handle && !*all->create_failure) {
    cudnnStatus_t status = dnn.cudnnCreate(&all->handle);
    if (status) {
      all->handle = NULL;
      say_failure(all->create_failure, sizeof all->create_failure,
                  "cudnnCreate", status);
    }
  }
  if (*all->create_failure) {
    snprintf(why, size, "%s", all->create_failure);
    return NULL;
  }
  return all;
}

bool _mlir_ciface_gru_rt_mask_lengths(gru_rt_memref2 *mask,
                                      gru_rt_memref1 *lengths) {
  const uint8_t *m = (const uint8_t *)mask->aligned + mask->offset;
  int32_t *length = (int32_t *)lengths->aligned + lengths->offset;
  for (int64_t b = 0; b < mask->sizes[0]; ++b) {
    int64_t t = 0, steps = mask->sizes[1];
    const uint8_t *row = m + b * mask->strides[0];
    while (t < steps && row[t * mask->strides[1]])
      ++t;
    int64_t valid = t;
    while (t < steps && !row[t * mask->strides[1]])
      ++t;
    if (valid == 0 || t < steps)
      return false;
    length[b * lengths->strides[0]] = (int32_t)valid;
  }
  return true;
}

bool gru_rt_cudnn_select(int64_t layer, bool right_padded) {
  gru_rt_instance *instance = gru_rt_cuda_instance();
  char why[512];
  if (!right_padded) {
    snprintf(why, sizeof why, "the mask is not strictly right-padded");
  } else if (instance_plans(why, sizeof why)) {
    gru_rt_note_dispatch(instance, "layer %lld: cudnn\n", (long long)layer);
    return true;
  }
  gru_rt_note_dispatch(instance, "layer %lld: fused (%s)\n", (long long)layer,
                       why);
  return false;
}

/* A new plan for the layer: the RNN descriptor and its weight space. */
static plan *create_plan(plans *all, int64_t layer, int64_t options,
                         int features, int units) {
  plan *p = calloc(1, sizeof *p);
  if (!p) {
    gru_rt_cuda_fail("out of memory for a cuDNN plan");
    return NULL;
  }
  p->layer = layer;
  p->options = options;
  p->features = features;
  p->units = units;
  p->next = all->plans;
  all->plans = p; /* released with the others, also when incomplete */
  int algo = (int)((options & GRU_CUDNN_ALGO_MASK) >> GRU_CUDNN_ALGO_SHIFT);
  int math = options & GRU_CUDNN_TF32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
  if (!succeeded(dnn.cudnnCreateDropoutDescriptor(&p->dropout),
                 "cudnnCreateDropoutDescriptor") ||
      !succeeded(dnn.cudnnSetDropoutDescriptor(p->dropout, all->handle, 0.0f,
                                               NULL, 0, 0),
                 "cudnnSetDropoutDescriptor") ||
      !succeeded(dnn.cudnnCreateRNNDescriptor(&p->rnn),
                 "cudnnCreateRNNDescriptor") ||
      !succeeded(dnn.cudnnSetRNNDescriptor_v8(
                     p->rnn, algo, CUDNN_GRU, CUDNN_RNN_DOUBLE_BIAS,
                     CUDNN_UNIDIRECTIONAL, CUDNN_LINEAR_INPUT, CUDNN_DATA_FLOAT,
                     CUDNN_DATA_FLOAT, math, features, units, units, 1,
                     p->dropout, CUDNN_RNN_PADDED_IO_ENABLED),
                 "cudnnSetRNNDescriptor_v8") ||
      !succeeded(dnn.cudnnCreateTensorDescriptor(&p->matrix),
                 "cudnnCreateTensorDescriptor") ||
      !succeeded(dnn.cudnnCreateTensorDescriptor(&p->vector),
                 "cudnnCreateTensorDescriptor") ||
      !succeeded(
          dnn.cudnnGetRNNWeightSpaceSize(all->handle, p->rnn, &p->weight_bytes),
          "cudnnGetRNNWeightSpaceSize"))
    return NULL;
  return (p->weights = gru_rt_cuda_alloc(p->weight_bytes)) ? p : NULL;
}

/* The layer's plan, a new one where it has none or its shape changed. */
static plan *layer_plan(plans *all, int64_t layer, int64_t options,
                        int features, int units) {
  for (plan *p = all->plans; p; p = p->next)
    if (p->layer == layer && p->options == options && p->features == features &&
        p->units == units)
      return p;
  return create_plan(all, layer, options, features, units);
}

/* Keras's gate g of the kernel (z, r, h) for cuDNN's linear layer `id`:
 * cuDNN orders the gates r, z, h, the inputs' three before the recurrent
 * three. */
static int keras_gate(int id) {
  static const int gate[3] = {1, 0, 2};
  return gate[id % 3];
}

/* The element (i, j) of a rank-2 memref. */
static float at(const gru_rt_memref2 *m, int64_t i, int64_t j) {
  return ((const float *)
              m->aligned)[m->offset + i * m->strides[0] + j * m->strides[1]];
}

/* Where cuDNN keeps linear layer `id`'s matrix and bias, checked to be of
 * `count` and `units` elements inside the weight space. */
static bool weight_params(plans *all, plan *p, int id, size_t *matrix,
                          size_t *bias, int count) {
  void *m = NULL, *b = NULL;
  if (!succeeded(dnn.cudnnGetRNNWeightParams(all->handle, p->rnn, 0,
                                             p->weight_bytes, p->weights, id,
                                             p->matrix, &m, p->vector, &b),
                 "cudnnGetRNNWeightParams"))
    return false;
  int type, dims, size[3], stride[3];
  int elements[2] = {count, p->units};
  cudnnTensorDescriptor_t descriptors[2] = {p->matrix, p->vector};
  for (int k = 0; k < 2; ++k) {
    if (!succeeded(dnn.cudnnGetTensorNdDescriptor(descriptors[k], 3, &type,
                                                  &dims, size, stride),
                   "cudnnGetTensorNdDescriptor"))
      return false;
    long long total = 1;
    for (int d = 0; d < dims && d < 3; ++d)
      total *= size[d];
    if (total != elements[k]) {
      gru_rt_cuda_fail("cuDNN's linear layer %d has %lld elements where %d "
                       "were expected",
                       id, total, elements[k]);
      return false;
    }
  }
  *matrix = (size_t)((char *)m - (char *)p->weights) / sizeof(float);
  *bias = (size_t)((char *)b - (char *)p->weights) / sizeof(float);
  if ((*matrix + (size_t)count) * sizeof(float) > p->weight_bytes ||
      (*bias + (size_t)p->units) * sizeof(float) > p->weight_bytes) {
    gru_rt_cuda_fail("cuDNN's linear layer %d lies outside its weight space",
                     id);
    return false;
  }
  return true;
}

/* Maps Keras's weights into the plan's weight space: for cuDNN's linear
 * layer id (0-2 the input's r, z, h; 3-5 the recurrent ones), the matrix is
 * the transpose of Keras's gate columns, (U, F) or (U, U) row-major, and
 * the bias is that gate's part of bias row 0 (input) or 1 (recurrent). */
static bool map_weights(plans *all, plan *p, gru_rt_memref2 *kernel,
                        gru_rt_memref2 *recurrent_kernel, gru_rt_memref2 *bias,
                        void *stream) {
  float *host = calloc(1, p->weight_bytes);
  if (!host) {
    gru_rt_cuda_fail("out of memory for cuDNN's weights");
    return false;
  }
  int U = p->units;
  bool mapped = true;
  for (int id = 0; mapped && id < 6; ++id) {
    gru_rt_memref2 *w = id < 3 ? kernel : recurrent_kernel;
    int rows = id < 3 ? p->features : U;
    size_t matrix, vector;
    if (!(mapped = weight_params(all, p, id, &matrix, &vector, rows * U)))
      break;
    int64_t column = (int64_t)keras_gate(id) * U;
    for (int u = 0; u < U; ++u) {
      for (int k = 0; k < rows; ++k)
        host[matrix + (size_t)u * rows + k] = at(w, k, column + u);
      host[vector + u] = at(bias, id < 3 ? 0 : 1, column + u);
    }
  }
  if (mapped)
    mgpuMemcpy(p->weights, host, p->weight_bytes, stream);
  free(host);
  return mapped;
}

/* A descriptor of `size` (rank 3) with `stride`, into `d`. */
static bool describe(cudnnTensorDescriptor_t d, const int size[3],
                     const int stride[3]) {
  return succeeded(
      dnn.cudnnSetTensorNdDescriptor(d, CUDNN_DATA_FLOAT, 3, size, stride),
      "cudnnSetTensorNdDescriptor");
}

/* map_weights for weights on the device, there: each matrix is transposed
 * by cudnnTransformTensor (a strided copy), each bias copied. */
static bool map_device_weights(plans *all, plan *p, gru_rt_memref2 *kernel,
                               gru_rt_memref2 *recurrent_kernel,
                               gru_rt_memref2 *bias, void *stream) {
  int U = p->units;
  float one = 1.0f, zero = 0.0f;
  for (int id = 0; id < 6; ++id) {
    gru_rt_memref2 *w = id < 3 ? kernel : recurrent_kernel;
    int rows = id < 3 ? p->features : U;
    size_t matrix, vector;
    if (!weight_params(all, p, id, &matrix, &vector, rows * U))
      return false;
    int64_t column = (int64_t)keras_gate(id) * U;
    const float *from =
        (const float *)w->aligned + w->offset + column * w->strides[1];
    /* (u, k) of the gate's columns is Keras's (k, u). */
    int size[3] = {1, U, rows};
    int source[3] = {U * rows, (int)w->strides[1], (int)w->strides[0]};
    int target[3] = {U * rows, rows, 1};
    if (!describe(p->matrix, size, source) ||
        !describe(p->vector, size, target) ||
        !succeeded(dnn.cudnnTransformTensor(all->handle, &one, p->matrix, from,
                                            &zero, p->vector,
                                            (float *)p->weights + matrix),
                   "cudnnTransformTensor"))
      return false;
    if (bias->strides[1] != 1) {
      gru_rt_cuda_fail("cuDNN's bias must be contiguous");
      return false;
    }
    const float *b = (const float *)bias->aligned + bias->offset +
                     (id < 3 ? 0 : 1) * bias->strides[0] + column;
    mgpuMemcpy((float *)p->weights + vector, (void *)(uintptr_t)b,
               sizeof(float) * U, stream);
  }
  return true;
}

/* A data descriptor of `batch` rows of `steps` vectors of `width`. */
static cudnnRNNDataDescriptor_t data_descriptor(int steps, int batch, int width,
                                                const int *lengths) {
  cudnnRNNDataDescriptor_t d = NULL;
  float fill = 0.0f;
  if (!succeeded(dnn.cudnnCreateRNNDataDescriptor(&d),
                 "cudnnCreateRNNDataDescriptor"))
    return NULL;
  if (!succeeded(dnn.cudnnSetRNNDataDescriptor(
                     d, CUDNN_DATA_FLOAT,
                     CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED, steps, batch,
                     width, lengths, &fill),
                 "cudnnSetRNNDataDescriptor")) {
    dnn.cudnnDestroyRNNDataDescriptor(d);
    return NULL;
  }
  return d;
}

/* The state descriptor (1, B, U). */
static cudnnTensorDescriptor_t state_descriptor(int batch, int units) {
  cudnnTensorDescriptor_t d = NULL;
  int size[3] = {1, batch, units}, stride[3] = {batch * units, units, 1};
  if (!succeeded(dnn.cudnnCreateTensorDescriptor(&d),
                 "cudnnCreateTensorDescriptor"))
    return NULL;
  if (!succeeded(
          dnn.cudnnSetTensorNdDescriptor(d, CUDNN_DATA_FLOAT, 3, size, stride),
          "cudnnSetTensorNdDescriptor")) {
    dnn.cudnnDestroyTensorDescriptor(d);
    return NULL;
  }
  return d;
}

/* A buffer's first element, on the device. */
#define DATA(memref) ((float *)(memref)->aligned + (memref)->offset)

/* One forward pass of the layer with the plan's weights. */
static void forward(plans *all, plan *p, int64_t options, gru_rt_memref3 *x,
                    int *lengths, gru_rt_memref2 *h0, gru_rt_memref3 *y,
                    gru_rt_memref2 *hy, void *stream) {
  int B = (int)x->sizes[0], T = (int)x->sizes[1];
  int32_t *device_lengths = mgpuMemAlloc(sizeof(int32_t) * B, stream, false);
  cudnnRNNDataDescriptor_t xd = data_descriptor(T, B, p->features, lengths);
  cudnnRNNDataDescriptor_t yd = data_descriptor(T, B, p->units, lengths);
  cudnnTensorDescriptor_t hd = state_descriptor(B, p->units);
  size_t work_bytes = 0, reserve_bytes = 0;
  void *work = NULL;
  bool dynamic = (options & GRU_CUDNN_ALGO_MASK) >> GRU_CUDNN_ALGO_SHIFT ==
                 CUDNN_RNN_ALGO_PERSIST_DYNAMIC;
  if (device_lengths && xd && yd && hd &&
      (!dynamic || p->built_batch == B ||
       succeeded(dnn.cudnnBuildRNNDynamic(all->handle, p->rnn, B),
                 "cudnnBuildRNNDynamic")) &&
      succeeded(dnn.cudnnGetRNNTempSpaceSizes(all->handle, p->rnn,
                                              CUDNN_FWD_MODE_INFERENCE, xd,
                                              &work_bytes, &reserve_bytes),
                "cudnnGetRNNTempSpaceSizes") &&
      (!work_bytes || (work = mgpuMemAlloc(work_bytes, stream, false)))) {
    if (dynamic)
      p->built_batch = B;
    mgpuMemcpy(device_lengths, lengths, sizeof(int32_t) * B, stream);
    succeeded(
        dnn.cudnnRNNForward(all->handle, p->rnn, CUDNN_FWD_MODE_INFERENCE,
                            device_lengths, xd, DATA(x), yd, DATA(y), hd,
                            options & GRU_CUDNN_INITIAL_STATE ? DATA(h0) : NULL,
                            DATA(hy), NULL, NULL, NULL, p->weight_bytes,
                            p->weights, work_bytes, work, 0, NULL),
        "cudnnRNNForward");
  }
  mgpuMemFree(work, stream);
  mgpuMemFree(device_lengths, stream);
  if (xd)
    dnn.cudnnDestroyRNNDataDescriptor(xd);
  if (yd)
    dnn.cudnnDestroyRNNDataDescriptor(yd);
  if (hd)
    dnn.cudnnDestroyTensorDescriptor(hd);
}

/* One call of a layer, with its weights on the device or on the host. */
static void run_layer(int64_t layer, int64_t options, gru_rt_memref3 *x,
                      gru_rt_memref2 *kernel, gru_rt_memref2 *recurrent_kernel,
                      gru_rt_memref2 *bias, gru_rt_memref1 *lengths,
                      gru_rt_memref2 *h0, gru_rt_memref3 *y, gru_rt_memref2 *hy,
                      bool weights_on_device) {
  char why[512];
  plans *all = instance_plans(why, sizeof why);
  if (!all) {
    gru_rt_cuda_fail("cuDNN: %s", why);
    return;
  }
  int B = (int)x->sizes[0], T = (int)x->sizes[1];
  int *row_lengths = malloc(sizeof(int) * (size_t)B);
  void *stream = mgpuStreamCreate();
  plan *p = NULL;
  if (!row_lengths)
    gru_rt_cuda_fail("out of memory for cuDNN's sequence lengths");
  else if (succeeded(dnn.cudnnSetStream(all->handle, stream), "cudnnSetStream"))
    p = layer_plan(all, layer, options, (int)x->sizes[2],
                   (int)recurrent_kernel->sizes[0]);
  bool mapped = p && (p->weights_mapped ||
                      (weights_on_device ? map_device_weights : map_weights)(
                          all, p, kernel, recurrent_kernel, bias, stream));
  if (mapped) {
    p->weights_mapped = (options & GRU_CUDNN_CONSTANT_WEIGHTS) != 0;
    const int32_t *given = (const int32_t *)lengths->aligned + lengths->offset;
    for (int b = 0; b < B; ++b)
      row_lengths[b] =
          options & GRU_CUDNN_LENGTHS ? given[b * lengths->strides[0]] : T;
    forward(all, p, options, x, row_lengths, h0, y, hy, stream);
  }
  free(row_lengths);
  mgpuStreamDestroy(stream);
}

void _mlir_ciface_gru_rt_cudnn_gru(int64_t layer, int64_t options,
                                   gru_rt_memref3 *x, gru_rt_memref2 *kernel,
                                   gru_rt_memref2 *recurrent_kernel,
                                   gru_rt_memref2 *bias,
                                   gru_rt_memref1 *lengths, gru_rt_memref2 *h0,
                                   gru_rt_memref3 *y, gru_rt_memref2 *hy) {
  run_layer(layer, options, x, kernel, recurrent_kernel, bias, lengths, h0, y,
            hy, true);
}

void _mlir_ciface_gru_rt_cudnn_gru_constant(
    int64_t layer, int64_t options, gru_rt_memref3 *x, gru_rt_memref2 *kernel,
    gru_rt_memref2 *recurrent_kernel, gru_rt_memref2 *bias,
    gru_rt_memref1 *lengths, gru_rt_memref2 *h0, gru_rt_memref3 *y,
    gru_rt_memref2 *hy) {
  run_layer(layer, options, x, kernel, recurrent_kernel, bias, lengths, h0, y,
            hy, false);
}
