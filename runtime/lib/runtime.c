/* runtime.c - the runtime library of compiled gru models. */
#include "gru/runtime.h"
#include "gru/device.h"

#include <omp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

struct gru_rt_instance {
  pthread_mutex_t lock; /* held by each call (gru_rt_begin_call) */
  uint64_t id;          /* unique in the process, unlike the address */
  int slot_count;
  int64_t *slot_bytes;
  void **slots;
  int64_t call_count;
  int64_t seed;
  bool on_cuda; /* its calls run the library's CUDA code */
  struct gru_rt_device_resources *device;
  char error[512];
  char dispatch[512]; /* how the last call ran its cuDNN-eligible layers */
};

/* Errors of calls made with a NULL instance. */
static _Thread_local char null_instance_error[512];
/* The message of this thread's latest call, and on which instance (by id);
 * and a copy of another instance's latest message (gru_rt_last_error). */
static _Atomic uint64_t instance_count;
static _Thread_local uint64_t thread_error_instance;
static _Thread_local char thread_error[512];
static _Thread_local char copied_error[512];

static int64_t random_seed(void) {
  int64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
    seed = (int64_t)time(NULL) ^ (int64_t)(intptr_t)&seed;
  return seed;
}

gru_rt_instance *gru_rt_create(int slot_count, const int64_t *slot_bytes) {
  gru_rt_instance *instance = calloc(1, sizeof *instance);
  if (!instance)
    return NULL;
  if (pthread_mutex_init(&instance->lock, NULL)) {
    free(instance);
    return NULL;
  }
  instance->id = ++instance_count;
  instance->slot_count = slot_count;
  instance->slot_bytes = calloc(slot_count ? slot_count : 1, sizeof(int64_t));
  instance->slots = calloc(slot_count ? slot_count : 1, sizeof(void *));
  if (!instance->slot_bytes || !instance->slots) {
    gru_rt_destroy(instance);
    return NULL;
  }
  for (int i = 0; i < slot_count; ++i) {
    instance->slot_bytes[i] = slot_bytes[i];
    instance->slots[i] = calloc(1, (size_t)slot_bytes[i]);
    if (!instance->slots[i]) {
      gru_rt_destroy(instance);
      return NULL;
    }
  }
  instance->seed = random_seed();
  return instance;
}

void gru_rt_destroy(gru_rt_instance *instance) {
  if (!instance)
    return;
  for (int i = 0; instance->slots && i < instance->slot_count; ++i)
    free(instance->slots[i]);
  free(instance->slots);
  free(instance->slot_bytes);
  gru_rt_cuda_release(instance->device);
  pthread_mutex_destroy(&instance->lock);
  free(instance);
}

void gru_rt_reset(gru_rt_instance *instance) {
  gru_rt_begin_call(instance);
  for (int i = 0; i < instance->slot_count; ++i)
    memset(instance->slots[i], 0, (size_t)instance->slot_bytes[i]);
  gru_rt_cuda_zero_states(instance->device);
  gru_rt_end_call(instance);
}

void gru_rt_begin_call(gru_rt_instance *instance) {
  pthread_mutex_lock(&instance->lock);
  instance->dispatch[0] = '\0';
}

void gru_rt_note_dispatch(gru_rt_instance *instance, const char *format, ...) {
  size_t used = strlen(instance->dispatch);
  if (used + 1 >= sizeof instance->dispatch)
    return;
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(instance->dispatch + used, sizeof instance->dispatch - used, format,
            arguments);
  va_end(arguments);
}

const char *gru_rt_last_dispatch(const gru_rt_instance *instance) {
  return instance ? instance->dispatch : NULL;
}

void gru_rt_end_call(gru_rt_instance *instance) {
  pthread_mutex_unlock(&instance->lock);
}

void *gru_rt_slot(gru_rt_instance *instance, int slot) {
  return instance->slots[slot];
}

int64_t gru_rt_call_count(const gru_rt_instance *instance) {
  return instance->call_count;
}

int64_t gru_rt_seed(const gru_rt_instance *instance) { return instance->seed; }

void gru_rt_set_cuda(gru_rt_instance *instance, bool on_cuda) {
  instance->on_cuda = on_cuda;
}

bool gru_rt_on_cuda(const gru_rt_instance *instance) {
  return instance->on_cuda;
}

struct gru_rt_device_resources **gru_rt_device_of(gru_rt_instance *instance) {
  return &instance->device;
}

void gru_rt_succeed(gru_rt_instance *instance) {
  instance->error[0] = '\0';
  thread_error_instance = instance->id;
  thread_error[0] = '\0';
  ++instance->call_count;
}

/* Callers hold the instance's lock. */
int gru_rt_fail(gru_rt_instance *instance, int code, const char *format, ...) {
  char *buffer = instance ? thread_error : null_instance_error;
  va_list args;
  va_start(args, format);
  vsnprintf(buffer, sizeof thread_error, format, args);
  va_end(args);
  if (instance) {
    memcpy(instance->error, thread_error, sizeof instance->error);
    thread_error_instance = instance->id;
  }
  return code;
}

/* A thread sees the message of its own latest call on `instance`; one that
 * has called another instance since sees the instance's latest message. */
const char *gru_rt_last_error(const gru_rt_instance *instance) {
  if (!instance)
    return null_instance_error;
  if (thread_error_instance == instance->id)
    return thread_error;
  gru_rt_instance *shared = (gru_rt_instance *)(uintptr_t)instance;
  pthread_mutex_lock(&shared->lock);
  memcpy(copied_error, shared->error, sizeof copied_error);
  pthread_mutex_unlock(&shared->lock);
  return copied_error;
}

int gru_rt_check_size(gru_rt_instance *instance, const char *function,
                      const char *name, int64_t value) {
  if (value >= 1 && value <= GRU_MAX_DIM)
    return GRU_OK;
  return gru_rt_fail(instance, GRU_ERR_BAD_SIZE,
                     "%s: size '%s' is %lld; expected 1 to %lld", function,
                     name, (long long)value, (long long)GRU_MAX_DIM);
}

int gru_rt_check_pointer(gru_rt_instance *instance, const char *function,
                         const char *name, const void *pointer) {
  if (pointer)
    return GRU_OK;
  return gru_rt_fail(instance, GRU_ERR_INVALID_ARGUMENT,
                     "%s: '%s' is a null pointer", function, name);
}

int gru_rt_check_extent(gru_rt_instance *instance, const char *function,
                        const char *name, int rank, const int64_t *sizes,
                        int64_t element_bytes) {
  /* Keep every byte offset well inside int64_t. */
  const int64_t limit = (int64_t)1 << 46;
  int64_t bytes = element_bytes;
  for (int i = 0; i < rank; ++i) {
    if (sizes[i] != 0 && bytes > limit / sizes[i])
      return gru_rt_fail(instance, GRU_ERR_BAD_SIZE,
                         "%s: '%s' is too large (over %lld bytes)", function,
                         name, (long long)limit);
    bytes *= sizes[i];
  }
  return GRU_OK;
}

/* GRU_FAIL_ALLOCATION=N: the N-th allocation of the process fails. */
static int64_t fail_allocation_at = -1;
static _Atomic int64_t allocation_count;
static pthread_once_t fail_allocation_once = PTHREAD_ONCE_INIT;

static void read_fail_allocation(void) {
  const char *text = getenv("GRU_FAIL_ALLOCATION");
  if (text)
    fail_allocation_at = strtoll(text, NULL, 10);
}

static int injected_failure(void) {
  pthread_once(&fail_allocation_once, read_fail_allocation);
  return fail_allocation_at > 0 && ++allocation_count == fail_allocation_at;
}

uint8_t *gru_rt_normalize_bools(const uint8_t *values, int64_t count) {
  if (injected_failure())
    return NULL;
  uint8_t *copy = malloc(count ? (size_t)count : 1);
  if (copy)
    for (int64_t i = 0; i < count; ++i)
      copy[i] = values[i] != 0;
  return copy;
}

void *gru_rt_alloc(int64_t bytes) {
  return injected_failure() ? NULL : malloc(bytes ? (size_t)bytes : 1);
}

void gru_rt_free(void *pointer) { free(pointer); }

/* Large buffers (at least GRU_RT_HUGE_PAGE bytes) are 2 MiB aligned with
 * huge pages advised: packed weights and the input projection are streamed
 * at every step, and huge pages spare a TLB miss every 4 KiB. A model call
 * allocates the same large buffers every time, so each thread keeps those
 * it frees for its next calls rather than fault in and zero new pages. */
enum { LARGE_SLOTS = 8 };
typedef struct {
  void *pointer;
  size_t size;
  int live;
} large_buffer;
static _Thread_local large_buffer large_buffers[LARGE_SLOTS];
static pthread_key_t large_buffers_key;
static pthread_once_t large_buffers_once = PTHREAD_ONCE_INIT;

/* At thread exit: frees the kept buffers. */
static void free_kept_buffers(void *buffers) {
  large_buffer *slots = buffers;
  for (int i = 0; i < LARGE_SLOTS; ++i)
    if (slots[i].pointer && !slots[i].live)
      free(slots[i].pointer);
}

static void create_large_buffers_key(void) {
  pthread_key_create(&large_buffers_key, free_kept_buffers);
}

static void *large_alloc(size_t size) {
  large_buffer *best = NULL, *free_slot = NULL;
  for (int i = 0; i < LARGE_SLOTS; ++i) {
    large_buffer *slot = &large_buffers[i];
    if (slot->live)
      continue;
    if (slot->pointer && slot->size >= size &&
        (!best || slot->size < best->size))
      best = slot;
    if (!free_slot || !slot->pointer)
      free_slot = slot;
  }
  if (best) {
    best->live = 1;
    return best->pointer;
  }
  if (size > SIZE_MAX - GRU_RT_HUGE_PAGE)
    return NULL; /* the rounding below would wrap around */
  size_t rounded = (size + GRU_RT_HUGE_PAGE - 1) & ~(GRU_RT_HUGE_PAGE - 1);
  void *pointer = aligned_alloc(GRU_RT_HUGE_PAGE, rounded);
  if (!pointer)
    return NULL;
  madvise(pointer, rounded, MADV_HUGEPAGE); /* only advice */
  if (free_slot) {
    pthread_once(&large_buffers_once, create_large_buffers_key);
    pthread_setspecific(large_buffers_key, large_buffers);
    free(free_slot->pointer); /* a kept buffer too small to reuse */
    *free_slot = (large_buffer){pointer, rounded, 1};
  }
  return pointer;
}

static void *buffer_alloc(size_t alignment, size_t size) {
  if (injected_failure())
    return NULL;
  if (size >= GRU_RT_HUGE_PAGE && alignment <= GRU_RT_HUGE_PAGE)
    return large_alloc(size);
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  if (size > SIZE_MAX - alignment)
    return NULL;
  size_t rounded = (size + alignment - 1) / alignment * alignment;
  return aligned_alloc(alignment, rounded ? rounded : alignment);
}

static void buffer_free(void *pointer) {
  for (int i = 0; pointer && i < LARGE_SLOTS; ++i)
    if (large_buffers[i].pointer == pointer) {
      large_buffers[i].live = 0;
      return;
    }
  free(pointer);
}

/* The calling thread's guard (gru_rt_guard_allocations): where a failed
 * allocation returns to, and the buffers of the call not yet freed. */
typedef struct {
  jmp_buf target;
  int active;
  void **held;
  size_t held_count, held_capacity;
} allocation_guard;
static _Thread_local allocation_guard guard;

jmp_buf *gru_rt_guard_allocations(void) {
  guard.active = 1;
  guard.held_count = 0;
  return &guard.target;
}

void gru_rt_unguard_allocations(void) {
  guard.active = 0;
  guard.held_count = 0;
  free(guard.held);
  guard.held = NULL;
  guard.held_capacity = 0;
}

/* Called on a guarded thread only. */
static _Noreturn void out_of_memory(void) {
  for (size_t i = 0; i < guard.held_count; ++i)
    buffer_free(guard.held[i]);
  gru_rt_unguard_allocations();
  longjmp(guard.target, 1);
}

static int hold(void *pointer) {
  if (guard.held_count == guard.held_capacity) {
    size_t capacity = guard.held_capacity ? 2 * guard.held_capacity : 16;
    void **held = realloc(guard.held, capacity * sizeof *held);
    if (!held)
      return 0;
    guard.held = held;
    guard.held_capacity = capacity;
  }
  guard.held[guard.held_count++] = pointer;
  return 1;
}

/* The buffers of generated code (gru-to-llvm allocates through these). */
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  void *pointer = buffer_alloc(alignment, size);
  if (!guard.active)
    return pointer;
  if (!pointer)
    out_of_memory();
  if (!hold(pointer)) {
    buffer_free(pointer);
    out_of_memory();
  }
  return pointer;
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  return _mlir_memref_to_llvm_aligned_alloc(64, size);
}

void _mlir_memref_to_llvm_free(void *pointer) {
  /* Most recent first: buffers are mostly freed in reverse order. */
  for (size_t i = guard.active ? guard.held_count : 0; i-- > 0;)
    if (guard.held[i] == pointer) {
      guard.held[i] = guard.held[--guard.held_count];
      break;
    }
  buffer_free(pointer);
}

void gru_rt_memref_init(void *descriptor, void *pointer, int rank,
                        const int64_t *sizes) {
  /* The layout of GRU_MEMREF_TYPE(rank). */
  void **pointers = descriptor;
  pointers[0] = pointer;
  pointers[1] = pointer;
  int64_t *fields = (int64_t *)(pointers + 2);
  fields[0] = 0;
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    fields[1 + i] = sizes[i];
    fields[1 + rank + i] = stride;
    stride *= sizes[i];
  }
}

/* MLIR lowers copies between memrefs whose layout is not known to be
 * contiguous to this function (as in MLIR's C runner utilities). */
typedef struct {
  int64_t rank;
  void *descriptor;
} gru_unranked_memref;

void memrefCopy(int64_t element_size, gru_unranked_memref *source,
                gru_unranked_memref *target) {
  int64_t rank = source->rank;
  char **source_pointers = source->descriptor;
  char **target_pointers = target->descriptor;
  int64_t *source_fields = (int64_t *)(source_pointers + 2);
  int64_t *target_fields = (int64_t *)(target_pointers + 2);
  const int64_t *sizes = source_fields + 1;
  const int64_t *source_strides = source_fields + 1 + rank;
  const int64_t *target_strides = target_fields + 1 + rank;
  char *from = source_pointers[1] + source_fields[0] * element_size;
  char *to = target_pointers[1] + target_fields[0] * element_size;
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i)
    count *= sizes[i];
  if (count == 0)
    return;
  if (rank == 0) {
    memcpy(to, from, (size_t)element_size);
    return;
  }
  int64_t index[16] = {0};
  if (rank > 16)
    abort(); /* not produced by the compiler */
  for (int64_t done = 0; done < count; ++done) {
    int64_t from_offset = 0, to_offset = 0;
    for (int64_t i = 0; i < rank; ++i) {
      from_offset += index[i] * source_strides[i];
      to_offset += index[i] * target_strides[i];
    }
    memcpy(to + to_offset * element_size, from + from_offset * element_size,
           (size_t)element_size);
    for (int64_t i = rank - 1; i >= 0; --i) {
      if (++index[i] < sizes[i])
        break;
      index[i] = 0;
    }
  }
}

static int team_size = 1;
static pthread_once_t team_size_once = PTHREAD_ONCE_INIT;

static void read_team_size(void) {
  const char *text = getenv("GRU_NUM_THREADS");
  long value = text ? strtol(text, NULL, 10) : 1;
  team_size = value >= 1 && value <= 1024 ? (int)value : 1;
}

/* What a compiler emits for `#pragma omp barrier` (LLVM's OpenMP runtime
 * ABI, kmp.h), so that the runtime itself needs no OpenMP compilation. */
typedef struct {
  int32_t reserved_1, flags, reserved_2, reserved_3;
  const char *psource;
} gru_kmp_ident;
extern int32_t __kmpc_global_thread_num(gru_kmp_ident *location);
extern void __kmpc_barrier(gru_kmp_ident *location, int32_t thread);

void gru_rt_barrier(void) {
  static gru_kmp_ident location = {0, 2 /* KMP_IDENT_KMPC */, 0, 0,
                                   ";runtime.c;gru_rt_barrier;0;0;;"};
  __kmpc_barrier(&location, __kmpc_global_thread_num(&location));
}

void gru_rt_use_threads(void) {
  pthread_once(&team_size_once, read_team_size);
  omp_set_num_threads(team_size);
}
