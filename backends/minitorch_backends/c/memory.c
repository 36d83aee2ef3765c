/* memory.c -- the allocator behind large CBuffers and the GEMM's workspaces: malloc,
 * plus a small cache of freed large blocks.
 *
 * Why a cache: a training step frees and re-allocates the same few large buffers (a
 * 128 x 784 batch, the weight gradients: ~400 KB each) every step. glibc gives such a
 * block back to the kernel when it is freed (mmap'd blocks, and the top of the heap past
 * M_TRIM_THRESHOLD), so the next step's block page-faults on first touch: measured here,
 * it made some MNIST runs ~40% slower than others, depending only on the order in which
 * buffers happened to be freed. PyTorch's GPU allocator caches blocks for the same
 * reason. Blocks of at least MT_CACHE_MIN_BYTES go to the cache when freed (up to
 * CACHE_SLOTS blocks and CACHE_MAX_BYTES in all; past either, cached blocks are
 * released, round-robin); an allocation of exactly the size of a cached block takes it back.
 * Smaller blocks, which malloc serves well, are never cached (and c_backend.py
 * allocates small CBuffers with cffi's default allocator, which is faster to call).
 *
 * Every block is 64-byte aligned and preceded by a 64-byte header holding its size;
 * blocks of 4 MiB and more are advised to use huge pages (advise_huge_pages).
 * Under AddressSanitizer the cache is off, so that every use after free is reported.
 */
#define _GNU_SOURCE   /* posix_memalign, and madvise with MADV_HUGEPAGE on Linux */

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "kernels.h"

enum {
    HEADER = 64,                          /* keeps the block 64-byte aligned */
    CACHE_SLOTS = 32
};
#define CACHE_MAX_BYTES ((size_t)256 << 20)

#if defined(__SANITIZE_ADDRESS__)
#define CACHE_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CACHE_ENABLED 0
#endif
#endif
#ifndef CACHE_ENABLED
#define CACHE_ENABLED 1
#endif

static struct { size_t size; char *block; } cache[CACHE_SLOTS];   /* block NULL: empty */
static int next_evicted;        /* the slot released when all are taken (round-robin) */
static size_t cached_bytes;
static char lock;               /* cffi releases the GIL, so two threads may get here */

static void acquire(void)
{
    while (__atomic_test_and_set(&lock, __ATOMIC_ACQUIRE))
        ;
}

static void release(void)
{
    __atomic_clear(&lock, __ATOMIC_RELEASE);
}

/* Takes the cached block of exactly `size` bytes out of the cache, or returns NULL. */
static char *take_cached(size_t size)
{
    char *found = NULL;
    acquire();
    for (int i = 0; i < CACHE_SLOTS && found == NULL; i++)
        if (cache[i].block != NULL && cache[i].size == size) {
            found = cache[i].block;
            cache[i].block = NULL;
            cached_bytes -= size;
        }
    release();
    return found;
}

/* Asks Linux to back the 2 MiB-aligned part of a large block with huge pages (when
 * transparent huge pages are in "madvise" mode, as on Debian). A training set gathered
 * row by row at random (a shuffled MNIST batch) then costs fewer TLB misses: measured
 * here, the batch gather of an MNIST step took ~8 us less (45 -> 37 us). */
static void advise_huge_pages(char *block, size_t nbytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (nbytes < 2 * huge)
        return;
    const uintptr_t start = ((uintptr_t)block + huge - 1) & ~(huge - 1);
    const uintptr_t end = ((uintptr_t)block + nbytes) & ~(huge - 1);
    if (end > start)
        madvise((void *)start, end - start, MADV_HUGEPAGE);   /* advice: failure is harmless */
#else
    (void)block;
    (void)nbytes;
#endif
}

void *mt_alloc(size_t nbytes)
{
    char *block = CACHE_ENABLED && nbytes >= MT_CACHE_MIN_BYTES ? take_cached(nbytes) : NULL;
    if (block == NULL) {
        void *p;
        if (nbytes > (size_t)-1 - HEADER || posix_memalign(&p, HEADER, nbytes + HEADER) != 0)
            return NULL;
        block = p;
        *(size_t *)block = nbytes;
        advise_huge_pages(block, nbytes + HEADER);
    }
    return block + HEADER;
}

void mt_free(void *memory)
{
    if (memory == NULL)
        return;
    char *block = (char *)memory - HEADER;
    const size_t size = *(size_t *)block;
    if (!CACHE_ENABLED || size < MT_CACHE_MIN_BYTES || size > CACHE_MAX_BYTES) {
        free(block);
        return;
    }
    char *evicted = NULL;
    acquire();
    int slot = -1;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; i++)
        if (cache[i].block == NULL)
            slot = i;
    if (slot < 0) {
        slot = next_evicted;
        next_evicted = (next_evicted + 1) % CACHE_SLOTS;
        evicted = cache[slot].block;
        cached_bytes -= cache[slot].size;
        cache[slot].block = NULL;
    }
    while (cached_bytes + size > CACHE_MAX_BYTES) {   /* over the byte budget: release more */
        for (int i = 0; i < CACHE_SLOTS; i++)
            if (cache[i].block != NULL) {
                free(cache[i].block);
                cached_bytes -= cache[i].size;
                cache[i].block = NULL;
                break;
            }
    }
    cache[slot].size = size;
    cache[slot].block = block;
    cached_bytes += size;
    release();
    free(evicted);
}

int mt_cache_enabled(void)
{
    return CACHE_ENABLED;
}

size_t mt_cached_bytes(void)
{
    acquire();
    const size_t bytes = cached_bytes;
    release();
    return bytes;
}

void mt_empty_cache(void)
{
    acquire();
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(cache[i].block);
        cache[i].block = NULL;
    }
    cached_bytes = 0;
    release();
}
