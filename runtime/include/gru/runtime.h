/* runtime.h - the runtime library of compiled gru models.
 *
 * Plain C, no MLIR. The wrapper that gru-compile generates for each model
 * calls these functions to check arguments, hold per-instance data (kept
 * state of stateful layers, the dropout call counter and seed) and report
 * errors. */
#ifndef GRU_RUNTIME_H
#define GRU_RUNTIME_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes of every model function. */
enum {
  GRU_OK = 0,
  GRU_ERR_INVALID_ARGUMENT = 1, /* a null instance or data pointer */
  GRU_ERR_BAD_SIZE = 2,         /* a size out of range or inconsistent */
  GRU_ERR_OUT_OF_MEMORY = 3,
  GRU_ERR_UNSUPPORTED_CPU = 4, /* the CPU cannot run the library's code */
  GRU_ERR_DEVICE = 5, /* no usable CUDA driver or device, or a CUDA failure */
};

/* The largest accepted dimension size. */
#define GRU_MAX_DIM ((int64_t)1 << 31)

typedef struct gru_rt_instance gru_rt_instance;

/* An instance with `slot_count` zero-filled state slots of the given byte
 * sizes and a random dropout seed; NULL when out of memory. */
gru_rt_instance *gru_rt_create(int slot_count, const int64_t *slot_bytes);
void gru_rt_destroy(gru_rt_instance *instance);
/* Sets every state slot to zeros. */
void gru_rt_reset(gru_rt_instance *instance);
void *gru_rt_slot(gru_rt_instance *instance, int slot);

/* The number of completed calls, which keys the dropout masks, and the
 * instance's own dropout seed (for layers without one). */
int64_t gru_rt_call_count(const gru_rt_instance *instance);
int64_t gru_rt_seed(const gru_rt_instance *instance);
/* Whether the instance's calls run the library's CUDA code (chosen when it
 * is created), not its CPU code. */
void gru_rt_set_cuda(gru_rt_instance *instance, bool on_cuda);
bool gru_rt_on_cuda(const gru_rt_instance *instance);
/* How the instance's last call ran its layers that may use cuDNN: a line
 * each, "layer N: cudnn" or "layer N: fused (why)", appended by
 * gru_rt_note_dispatch (printf-style; the caller holds the instance's
 * lock); "" after a call without such layers, NULL for NULL. */
void gru_rt_note_dispatch(gru_rt_instance *instance, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
const char *gru_rt_last_dispatch(const gru_rt_instance *instance);
/* Where the instance keeps its device resources (gru/device.h), NULL until
 * its first CUDA call. */
struct gru_rt_device_resources **gru_rt_device_of(gru_rt_instance *instance);
/* The allocation functions of generated code: `alignment` (a power of two)
 * aligned; buffers of at least GRU_RT_HUGE_PAGE bytes are 2 MiB aligned
 * with huge pages advised, and each thread keeps up to 8 of them once freed
 * for its next calls (released at thread exit). NULL when out of memory.
 * Hidden: each compiled library keeps its own. */
#define GRU_RT_HUGE_PAGE ((size_t)2 << 20)
#define GRU_RT_HIDDEN __attribute__((visibility("hidden")))
GRU_RT_HIDDEN void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                       size_t size);
GRU_RT_HIDDEN void *_mlir_memref_to_llvm_alloc(size_t size);
GRU_RT_HIDDEN void _mlir_memref_to_llvm_free(void *pointer);
/* The barrier of the OpenMP team that runs a layer's time steps in one
 * parallel region (convert-gru-to-loops); called by generated code only. */
GRU_RT_HIDDEN void gru_rt_barrier(void);

/* Calls on one instance are serialized: the wrapper holds the instance's
 * lock from gru_rt_begin_call to gru_rt_end_call. */
void gru_rt_begin_call(gru_rt_instance *instance);
void gru_rt_end_call(gru_rt_instance *instance);

/* Allocation failures inside generated code: the wrapper calls
 *   if (setjmp(*gru_rt_guard_allocations())) { out of memory }
 * right before the model's code and gru_rt_unguard_allocations() after it.
 * In between, the calling thread's allocations are tracked; one that fails
 * frees those still held and returns to the setjmp. (Generated code never
 * allocates inside a parallel region, so only the calling thread does.)
 * Unguarded, the allocation functions return NULL when out of memory. */
jmp_buf *gru_rt_guard_allocations(void);
void gru_rt_unguard_allocations(void);

/* For tests of every allocation site: with GRU_FAIL_ALLOCATION=N in the
 * environment (read once), the N-th allocation of the process made by a
 * wrapper or by generated code fails. */

/* Sets the calling thread's OpenMP team size, which the large products of
 * a model call share, to GRU_NUM_THREADS (default 1). */
void gru_rt_use_threads(void);
/* Records a successful call: clears the error and counts the call. */
void gru_rt_succeed(gru_rt_instance *instance);

/* Records an error message (printf-style) on `instance`, or for the calling
 * thread when `instance` is NULL, and returns `code`. */
int gru_rt_fail(gru_rt_instance *instance, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* The last error of `instance` ("" after a success); with NULL, the last
 * error of a call made with a NULL instance on this thread. */
const char *gru_rt_last_error(const gru_rt_instance *instance);

/* Checks 1 <= value <= GRU_MAX_DIM for the size parameter `name`. */
int gru_rt_check_size(gru_rt_instance *instance, const char *function,
                      const char *name, int64_t value);
/* Checks that `pointer` is not NULL. */
int gru_rt_check_pointer(gru_rt_instance *instance, const char *function,
                         const char *name, const void *pointer);
/* Checks that the element count of `sizes` times `element_bytes` fits. */
int gru_rt_check_extent(gru_rt_instance *instance, const char *function,
                        const char *name, int rank, const int64_t *sizes,
                        int64_t element_bytes);

/* A copy of `count` booleans as 0/1 bytes (nonzero means true); NULL when
 * out of memory. Free with gru_rt_free. */
uint8_t *gru_rt_normalize_bools(const uint8_t *values, int64_t count);
void *gru_rt_alloc(int64_t bytes);
void gru_rt_free(void *pointer);

/* A strided memref descriptor of rank R, as MLIR's C interface passes it. */
#define GRU_MEMREF_TYPE(R)                                                     \
  struct {                                                                     \
    void *allocated;                                                           \
    void *aligned;                                                             \
    int64_t offset;                                                            \
    int64_t sizes[R];                                                          \
    int64_t strides[R];                                                        \
  }

/* Fills the descriptor `memref` of a dense row-major buffer. */
#define GRU_MEMREF_INIT(memref, pointer, rank, ...)                            \
  gru_rt_memref_init((void *)&(memref), (void *)(pointer), (rank),             \
                     (const int64_t[]){__VA_ARGS__})
void gru_rt_memref_init(void *descriptor, void *pointer, int rank,
                        const int64_t *sizes);

#ifdef __cplusplus
}
#endif

#endif /* GRU_RUNTIME_H */
