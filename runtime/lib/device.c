/* device.c - the CUDA device layer: the driver through dlopen, the mgpu*
 * functions of MLIR's GPU lowering over it (see gru/device.h). */
#include "gru/device.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CUDA driver API's types, as cuda.h defines them (not included: the
 * runtime builds without CUDA). */
typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext, *CUmodule, *CUfunction, *CUstream;
typedef unsigned long long CUdeviceptr;
enum {
  CU_STREAM_NON_BLOCKING = 1,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
  CU_MEM_ATTACH_GLOBAL = 1,
  /* Dynamic shared memory beyond this needs the attribute above. */
  DEFAULT_SHARED_LIMIT = 48 << 10,
  CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION = 4,
  CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE = 720,
};

/* cuLaunchKernelEx's configuration, as cuda.h lays it out. */
typedef struct {
  int id;
  char pad[4];
  union {
    char pad[64];
    struct {
      unsigned x, y, z;
    } cluster;
  } value;
} CUlaunchAttribute;
typedef struct {
  unsigned grid_x, grid_y, grid_z, block_x, block_y, block_z, shared_bytes;
  CUstream stream;
  CUlaunchAttribute *attributes;
  unsigned attribute_count;
} CUlaunchConfig;

/* The driver's entry points that the runtime calls, by their exported
 * (versioned) names. */
#define GRU_CUDA_FUNCTIONS(X)                                                  \
  X(cuInit, "cuInit", CUresult, unsigned)                                      \
  X(cuGetErrorString, "cuGetErrorString", CUresult, CUresult, const char **)   \
  X(cuDeviceGetCount, "cuDeviceGetCount", CUresult, int *)                     \
  X(cuDeviceGet, "cuDeviceGet", CUresult, CUdevice *, int)                     \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", CUresult,            \
    CUcontext *, CUdevice)                                                     \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", CUresult, CUcontext)                   \
  X(cuModuleLoadData, "cuModuleLoadData", CUresult, CUmodule *, const void *)  \
  X(cuModuleUnload, "cuModuleUnload", CUresult, CUmodule)                      \
  X(cuModuleGetFunction, "cuModuleGetFunction", CUresult, CUfunction *,        \
    CUmodule, const char *)                                                    \
  X(cuFuncSetAttribute, "cuFuncSetAttribute", CUresult, CUfunction, int, int)  \
  X(cuLaunchKernel, "cuLaunchKernel", CUresult, CUfunction, unsigned,          \
    unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream,      \
    void **, void **)                                                          \
  X(cuLaunchCooperativeKernel, "cuLaunchCooperativeKernel", CUresult,          \
    CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,    \
    unsigned, CUstream, void **)                                               \
  X(cuLaunchKernelEx, "cuLaunchKernelEx", CUresult, const CUlaunchConfig *,    \
    CUfunction, void **, void **)                                              \
  X(cuStreamCreate, "cuStreamCreate", CUresult, CUstream *, unsigned)          \
  X(cuStreamSynchronize, "cuStreamSynchronize", CUresult, CUstream)            \
  X(cuStreamDestroy, "cuStreamDestroy_v2", CUresult, CUstream)                 \
  X(cuMemAlloc, "cuMemAlloc_v2", CUresult, CUdeviceptr *, size_t)              \
  X(cuMemAllocManaged, "cuMemAllocManaged", CUresult, CUdeviceptr *, size_t,   \
    unsigned)                                                                  \
  X(cuMemFree, "cuMemFree_v2", CUresult, CUdeviceptr)                          \
  X(cuMemcpyAsync, "cuMemcpyAsync", CUresult, CUdeviceptr, CUdeviceptr,        \
    size_t, CUstream)                                                          \
  X(cuMemsetD32Async, "cuMemsetD32Async", CUresult, CUdeviceptr, unsigned,     \
    size_t, CUstream)

static struct {
#define GRU_CUDA_POINTER(field, symbol, result, ...)                           \
  result (*field)(__VA_ARGS__);
  GRU_CUDA_FUNCTIONS(GRU_CUDA_POINTER)
#undef GRU_CUDA_POINTER
  CUcontext context;
} cuda;

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int probe_status = GRU_ERR_DEVICE;
static char probe_reason[512];

static const char *error_name(CUresult result) {
  const char *name = NULL;
  if (cuda.cuGetErrorString && cuda.cuGetErrorString(result, &name) != 0)
    name = NULL;
  return name ? name : "unknown CUDA error";
}

static void load_driver(void) {
  const char *name = getenv("GRU_CUDA_DRIVER");
  if (!name || !*name)
    name = "libcuda.so.1";
  void *library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *error = dlerror();
    snprintf(probe_reason, sizeof probe_reason,
             "no CUDA driver: %s cannot be loaded (%s)", name,
             error ? error : "not found");
    return;
  }
#define GRU_CUDA_RESOLVE(field, symbol, ...)                                   \
  if (!(*(void **)&cuda.field = dlsym(library, symbol))) {                     \
    snprintf(probe_reason, sizeof probe_reason,                                \
             "the CUDA driver %s has no %s (too old?)", name, symbol);         \
    return;                                                                    \
  }
  GRU_CUDA_FUNCTIONS(GRU_CUDA_RESOLVE)
#undef GRU_CUDA_RESOLVE
  int count = 0;
  CUdevice device;
  const char *step = "cuInit";
  CUresult result = cuda.cuInit(0);
  if (!result) {
    step = "cuDeviceGetCount";
    result = cuda.cuDeviceGetCount(&count);
  }
  if (!result && count == 0) {
    snprintf(probe_reason, sizeof probe_reason, "no CUDA device");
    return;
  }
  if (!result) {
    step = "cuDeviceGet";
    result = cuda.cuDeviceGet(&device, 0);
  }
  if (!result) {
    step = "cuDevicePrimaryCtxRetain";
    result = cuda.cuDevicePrimaryCtxRetain(&cuda.context, device);
  }
  if (result) {
    snprintf(probe_reason, sizeof probe_reason,
             "the CUDA driver cannot be used: %s failed: %s (CUDA error %d)",
             step, error_name(result), result);
    return;
  }
  probe_status = GRU_OK;
}

int gru_rt_cuda_probe(const char **why) {
  pthread_once(&probe_once, load_driver);
  if (why)
    *why = probe_status == GRU_OK ? "" : probe_reason;
  return probe_status;
}

int gru_rt_choose_cuda(bool has_cuda, const char *function) {
  const char *wanted = getenv("GRU_DEVICE");
  bool forced = wanted && *wanted;
  if (forced && !strcmp(wanted, "cpu"))
    return 0;
  if (forced && strcmp(wanted, "cuda")) {
    gru_rt_fail(NULL, GRU_ERR_INVALID_ARGUMENT,
                "%s: GRU_DEVICE is '%s'; it must be cpu or cuda", function,
                wanted);
    return -1;
  }
  if (!has_cuda) {
    if (!forced)
      return 0;
    gru_rt_fail(NULL, GRU_ERR_DEVICE,
                "%s: GRU_DEVICE is cuda, but the library has no CUDA code "
                "(gru-compile --targets=cpu,cuda)",
                function);
    return -1;
  }
  const char *why;
  if (gru_rt_cuda_probe(&why) == GRU_OK)
    return 1;
  if (!forced)
    return 0;
  gru_rt_fail(NULL, GRU_ERR_DEVICE, "%s: GRU_DEVICE is cuda, but %s", function,
              why);
  return -1;
}

/* The calling thread's first device failure since the last take. */
static _Thread_local bool thread_failed;
static _Thread_local char thread_failure[512];
/* Whether the primary context is current on this thread. */
static _Thread_local bool context_current;

static void record_failure(const char *message) {
  if (thread_failed)
    return;
  thread_failed = true;
  snprintf(thread_failure, sizeof thread_failure, "%s", message);
}

/* False (with the failure recorded) when `result` is an error of `what`. */
static bool succeeded(CUresult result, const char *what) {
  if (!result)
    return true;
  char message[512];
  snprintf(message, sizeof message, "%s failed: %s (CUDA error %d)", what,
           error_name(result), result);
  record_failure(message);
  return false;
}

/* Whether a device call may go ahead: no failure pending on this thread,
 * a usable driver, its context current. */
static bool ready(void) {
  if (thread_failed)
    return false;
  const char *why;
  if (gru_rt_cuda_probe(&why) != GRU_OK) {
    record_failure(why);
    return false;
  }
  if (!context_current &&
      !succeeded(cuda.cuCtxSetCurrent(cuda.context), "cuCtxSetCurrent"))
    return false;
  context_current = true;
  return true;
}

int gru_rt_take_device_error(gru_rt_instance *instance) {
  if (!thread_failed)
    return GRU_OK;
  thread_failed = false;
  return gru_rt_fail(instance, GRU_ERR_DEVICE, "%s", thread_failure);
}

/* A module's blob, loaded on its first function: mgpuModuleLoad runs from
 * a global constructor, when the library is loaded, and must not touch the
 * driver then. */
typedef struct {
  const void *data;
  pthread_mutex_t lock;
  CUmodule module;
} lazy_module;

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  lazy_module *module = calloc(1, sizeof *module);
  if (!module)
    return NULL;
  module->data = data;
  pthread_mutex_init(&module->lock, NULL);
  return module;
}

void mgpuModuleUnload(void *handle) {
  lazy_module *module = handle;
  if (!module)
    return;
  if (module->module)
    cuda.cuModuleUnload(module->module);
  pthread_mutex_destroy(&module->lock);
  free(module);
}

void *mgpuModuleGetFunction(void *handle, const char *name) {
  lazy_module *module = handle;
  if (!ready())
    return NULL;
  if (!module) {
    record_failure("the GPU module could not be allocated");
    return NULL;
  }
  pthread_mutex_lock(&module->lock);
  bool loaded = module->module ||
                succeeded(cuda.cuModuleLoadData(&module->module, module->data),
                          "cuModuleLoadData");
  pthread_mutex_unlock(&module->lock);
  CUfunction function = NULL;
  if (loaded)
    succeeded(cuda.cuModuleGetFunction(&function, module->module, name),
              "cuModuleGetFunction");
  return function;
}

/* An instance's stream and device buffers (gru/device.h). A buffer that a
 * call frees stays in `buffers`, idle, for a later call of the instance to
 * take; the instance's calls run one at a time on its stream, so that a
 * buffer taken again is used after the kernels that used it before. */
enum { MAX_KEPT_BUFFERS = 64 };
struct gru_rt_device_resources {
  CUstream stream;
  /* The kept state of each stateful slot: `current` is what the next call
   * reads, `next` what it writes; a call that succeeds swaps them. */
  int state_count;
  struct device_state {
    CUdeviceptr current, next;
    bool zero; /* current must be zeroed before it is read */
  } * states;
  void *plans; /* the cuDNN bridge's, freed by release_plans */
  void (*release_plans)(void *plans);
  int count;
  struct {
    CUdeviceptr pointer;
    size_t bytes;
    bool idle;
  } buffers[MAX_KEPT_BUFFERS];
};

/* The resources of the instance whose CUDA code this thread runs, and the
 * caller's stream that it runs on (NULL: the instance's). */
static _Thread_local gru_rt_device_resources *current;
static _Thread_local gru_rt_instance *current_instance;
static _Thread_local CUstream caller_stream;

void gru_rt_cuda_enter(gru_rt_instance *instance, void *stream) {
  caller_stream = stream;
  current_instance = instance;
  gru_rt_device_resources **resources = gru_rt_device_of(instance);
  if (!*resources)
    *resources = calloc(1, sizeof **resources);
  /* Without them (out of memory), the calls allocate for themselves. */
  current = *resources;
}

void gru_rt_cuda_leave(void) {
  current = NULL;
  current_instance = NULL;
  caller_stream = NULL;
}

gru_rt_instance *gru_rt_cuda_instance(void) { return current_instance; }

void **gru_rt_cuda_plans(void (*release)(void *plans)) {
  if (!current)
    return NULL;
  current->release_plans = release;
  return &current->plans;
}

bool gru_rt_cuda_ready(void) { return ready(); }

void gru_rt_cuda_fail(const char *format, ...) {
  char message[512];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(message, sizeof message, format, arguments);
  va_end(arguments);
  record_failure(message);
}

void *gru_rt_cuda_alloc(size_t bytes) {
  CUdeviceptr pointer = 0;
  if (ready())
    succeeded(cuda.cuMemAlloc(&pointer, bytes), "cuMemAlloc");
  return (void *)(uintptr_t)pointer;
}

void gru_rt_cuda_free(void *pointer) {
  if (pointer && gru_rt_cuda_probe(NULL) == GRU_OK)
    cuda.cuMemFree((CUdeviceptr)(uintptr_t)pointer);
}

void gru_rt_cuda_release(gru_rt_device_resources *resources) {
  if (!resources)
    return;
  if (resources->release_plans)
    resources->release_plans(resources->plans);
  if (gru_rt_cuda_probe(NULL) == GRU_OK) {
    for (int i = 0; i < resources->count; ++i)
      cuda.cuMemFree(resources->buffers[i].pointer);
    for (int i = 0; i < resources->state_count; ++i) {
      cuda.cuMemFree(resources->states[i].current);
      cuda.cuMemFree(resources->states[i].next);
    }
    if (resources->stream)
      cuda.cuStreamDestroy(resources->stream);
  }
  free(resources->states);
  free(resources);
}

void *mgpuStreamCreate(void) {
  if (caller_stream)
    return caller_stream;
  if (current && current->stream)
    return current->stream;
  CUstream stream = NULL;
  if (ready())
    succeeded(cuda.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
              "cuStreamCreate");
  if (current)
    current->stream = stream;
  return stream;
}

void mgpuStreamSynchronize(void *stream) {
  if (ready())
    succeeded(cuda.cuStreamSynchronize(stream), "cuStreamSynchronize");
}

void mgpuStreamDestroy(void *stream) {
  /* Also after a failure: the stream is released either way. */
  if (stream && stream != caller_stream &&
      (!current || stream != current->stream) &&
      gru_rt_cuda_probe(NULL) == GRU_OK)
    cuda.cuStreamDestroy(stream);
}

/* The device state of the current instance's `slot`, its entry made on
 * first use; null after a failure, recorded. */
static struct device_state *state_of(int slot) {
  if (!ready())
    return NULL;
  if (!current) {
    record_failure("out of memory for the instance's device state");
    return NULL;
  }
  if (slot >= current->state_count) {
    struct device_state *states =
        realloc(current->states, (size_t)(slot + 1) * sizeof *states);
    if (!states) {
      record_failure("out of memory for the instance's device state");
      return NULL;
    }
    memset(states + current->state_count, 0,
           (size_t)(slot + 1 - current->state_count) * sizeof *states);
    current->states = states;
    current->state_count = slot + 1;
  }
  return &current->states[slot];
}

/* Allocates `*buffer` for `bytes` of state where it has none yet. */
static bool allocate_state(CUdeviceptr *buffer, size_t bytes) {
  return *buffer || succeeded(cuda.cuMemAlloc(buffer, bytes), "cuMemAlloc");
}

void *gru_rt_cuda_state(int slot, size_t bytes) {
  struct device_state *state = state_of(slot);
  if (!state)
    return NULL;
  bool fresh = !state->current;
  if (!allocate_state(&state->current, bytes))
    return NULL;
  /* A new state is zeros, as is one reset since (f32 elements); where the
   * fill fails, the next call fills it again. */
  if (fresh || state->zero) {
    mgpuMemset32((void *)(uintptr_t)state->current, 0, bytes / 4,
                 mgpuStreamCreate());
    if ((state->zero = thread_failed))
      return NULL;
  }
  return (void *)(uintptr_t)state->current;
}

void *gru_rt_cuda_next_state(int slot, size_t bytes) {
  struct device_state *state = state_of(slot);
  if (!state || !allocate_state(&state->next, bytes))
    return NULL;
  return (void *)(uintptr_t)state->next;
}

void gru_rt_cuda_commit_state(gru_rt_instance *instance, int slot) {
  gru_rt_device_resources *resources = *gru_rt_device_of(instance);
  struct device_state *state = &resources->states[slot];
  CUdeviceptr written = state->next;
  state->next = state->current;
  state->current = written;
}

void gru_rt_cuda_zero_states(gru_rt_device_resources *resources) {
  for (int i = 0; resources && i < resources->state_count; ++i)
    resources->states[i].zero = true;
}

/* An idle buffer of the current instance for `bytes`: the smallest that
 * holds them, taken; else null. */
static CUdeviceptr take_kept(size_t bytes) {
  int best = -1;
  for (int i = 0; current && i < current->count; ++i)
    if (current->buffers[i].idle && current->buffers[i].bytes >= bytes &&
        (best < 0 || current->buffers[i].bytes < current->buffers[best].bytes))
      best = i;
  if (best < 0)
    return 0;
  current->buffers[best].idle = false;
  return current->buffers[best].pointer;
}

/* Keeps a new buffer for the current instance, in place of an idle one too
 * small to be taken where all places are in use; false where it cannot. */
static bool keep(CUdeviceptr pointer, size_t bytes) {
  if (!current)
    return false;
  int place = current->count < MAX_KEPT_BUFFERS ? current->count++ : -1;
  for (int i = 0; place < 0 && i < current->count; ++i)
    if (current->buffers[i].idle && current->buffers[i].bytes < bytes) {
      cuda.cuMemFree(current->buffers[i].pointer);
      place = i;
    }
  if (place < 0)
    return false;
  current->buffers[place].pointer = pointer;
  current->buffers[place].bytes = bytes;
  current->buffers[place].idle = false;
  return true;
}

/* Whether a launch may go ahead: a usable driver, a function, no `extra`
 * parameters (MLIR's lowering passes its kernels' in `params`), and the
 * function allowed the dynamic shared memory it asks for. */
static bool launchable(void *function, int32_t shared_bytes, void **extra) {
  if (!ready() || !function)
    return false;
  if (extra) {
    record_failure("a kernel launch passed `extra` parameters, which the "
                   "runtime does not take");
    return false;
  }
  return shared_bytes <= DEFAULT_SHARED_LIMIT ||
         succeeded(cuda.cuFuncSetAttribute(
                       function,
                       CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                       shared_bytes),
                   "cuFuncSetAttribute");
}

/* Whether the calling thread's next launch is cooperative, and whether the
 * driver refused the last cooperative one (gru/device.h). */
static _Thread_local bool next_cooperative, cooperative_refused;

void gru_rt_cuda_launch_cooperatively(void) {
  next_cooperative = true;
  cooperative_refused = false;
}

bool gru_rt_cuda_launch_refused(void) {
  bool refused = cooperative_refused;
  next_cooperative = cooperative_refused = false;
  return refused;
}

/* A cooperative launch is refused by the driver where its blocks cannot all
 * be resident at once (CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE), so that the
 * grid barrier of a persistent kernel never waits for a block that cannot
 * run; that refusal is no failure, the host code runs the steps another
 * way. */
void mgpuLaunchKernel(void *function, intptr_t grid_x, intptr_t grid_y,
                      intptr_t grid_z, intptr_t block_x, intptr_t block_y,
                      intptr_t block_z, int32_t shared_bytes, void *stream,
                      void **params, void **extra, size_t param_count) {
  (void)param_count;
  bool cooperative = next_cooperative;
  next_cooperative = false;
  if (!launchable(function, shared_bytes, extra))
    return;
  if (!cooperative) {
    succeeded(cuda.cuLaunchKernel(function, (unsigned)grid_x, (unsigned)grid_y,
                                  (unsigned)grid_z, (unsigned)block_x,
                                  (unsigned)block_y, (unsigned)block_z,
                                  (unsigned)shared_bytes, stream, params, NULL),
              "cuLaunchKernel");
    return;
  }
  CUresult result = cuda.cuLaunchCooperativeKernel(
      function, (unsigned)grid_x, (unsigned)grid_y, (unsigned)grid_z,
      (unsigned)block_x, (unsigned)block_y, (unsigned)block_z,
      (unsigned)shared_bytes, stream, params);
  if (result == CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE)
    cooperative_refused = true;
  else
    succeeded(result, "cuLaunchCooperativeKernel");
}

/* A launch of thread-block clusters: the blocks of a cluster are resident
 * together by definition, so that a cluster barrier always completes. */
void mgpuLaunchClusterKernel(void *function, intptr_t cluster_x,
                             intptr_t cluster_y, intptr_t cluster_z,
                             intptr_t grid_x, intptr_t grid_y, intptr_t grid_z,
                             intptr_t block_x, intptr_t block_y,
                             intptr_t block_z, int32_t shared_bytes,
                             void *stream, void **params, void **extra) {
  if (!launchable(function, shared_bytes, extra))
    return;
  CUlaunchAttribute cluster = {.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION};
  cluster.value.cluster.x = (unsigned)cluster_x;
  cluster.value.cluster.y = (unsigned)cluster_y;
  cluster.value.cluster.z = (unsigned)cluster_z;
  CUlaunchConfig config = {(unsigned)grid_x,
                           (unsigned)grid_y,
                           (unsigned)grid_z,
                           (unsigned)block_x,
                           (unsigned)block_y,
                           (unsigned)block_z,
                           (unsigned)shared_bytes,
                           stream,
                           &cluster,
                           1};
  succeeded(cuda.cuLaunchKernelEx(&config, function, params, NULL),
            "cuLaunchKernelEx");
}

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool host_shared) {
  (void)stream;
  CUdeviceptr pointer = 0;
  if (!ready())
    return NULL;
  if (host_shared) {
    succeeded(cuda.cuMemAllocManaged(&pointer, bytes, CU_MEM_ATTACH_GLOBAL),
              "cuMemAllocManaged");
    return (void *)(uintptr_t)pointer;
  }
  if ((pointer = take_kept(bytes)))
    return (void *)(uintptr_t)pointer;
  if (succeeded(cuda.cuMemAlloc(&pointer, bytes), "cuMemAlloc"))
    keep(pointer, bytes);
  return (void *)(uintptr_t)pointer;
}

void mgpuMemFree(void *pointer, void *stream) {
  (void)stream;
  if (!pointer)
    return;
  for (int i = 0; current && i < current->count; ++i)
    if (current->buffers[i].pointer == (CUdeviceptr)(uintptr_t)pointer) {
      current->buffers[i].idle = true;
      return;
    }
  /* Also after a failure, so that nothing leaks. */
  if (gru_rt_cuda_probe(NULL) == GRU_OK)
    cuda.cuMemFree((CUdeviceptr)(uintptr_t)pointer);
}

void mgpuMemcpy(void *destination, void *source, size_t bytes, void *stream) {
  if (ready())
    succeeded(cuda.cuMemcpyAsync((CUdeviceptr)(uintptr_t)destination,
                                 (CUdeviceptr)(uintptr_t)source, bytes, stream),
              "cuMemcpyAsync");
}

void mgpuMemset32(void *destination, uint32_t value, size_t count,
                  void *stream) {
  if (ready())
    succeeded(cuda.cuMemsetD32Async((CUdeviceptr)(uintptr_t)destination, value,
                                    count, stream),
              "cuMemsetD32Async");
}
