// malloc, free, calloc and realloc of the wasm modules, which link with
// -sMALLOC=none. That setting also leaves out Emscripten's sbrk, so the heap
// (heap.h) keeps its own break above the linker's __heap_base and grows the
// wasm memory through emscripten_resize_heap, which also renews the glue's
// typed-array views of it (ALLOW_MEMORY_GROWTH). The modules are
// single-threaded, so nothing here locks.
#include <cerrno>
#include <cstddef>
#include <cstdint>

#include <emscripten/heap.h>

#include "heap.h"

// The linker puts the heap after the static data and the stack.
extern "C" unsigned char __heap_base;

namespace {

uintptr_t heap_break = 0;

void* grow_heap(size_t bytes) {
  if (heap_break == 0) {
    const auto base = reinterpret_cast<uintptr_t>(&__heap_base);
    heap_break = (base + gpuplan::wasm::kAlignment - 1) & ~uintptr_t{gpuplan::wasm::kAlignment - 1};
  }
  const uintptr_t start = heap_break;
  const uintptr_t end = start + bytes;
  if (end < start) return nullptr;
  if (end > emscripten_get_heap_size() && !emscripten_resize_heap(end)) return nullptr;
  heap_break = end;
  return reinterpret_cast<void*>(start);
}

gpuplan::wasm::SizeClassHeap heap(grow_heap);

}  // namespace

extern "C" {

void* malloc(size_t bytes) { return heap.allocate(bytes); }

void free(void* pointer) { heap.release(pointer); }

void* calloc(size_t count, size_t size) { return heap.allocate_zeroed(count, size); }

void* realloc(void* pointer, size_t bytes) { return heap.reallocate(pointer, bytes); }

// Every block is 16-byte aligned, so these serve alignments up to 16 and fail
// for larger ones. The core has no over-aligned types, but libc++'s aligned
// operator new refers to posix_memalign, and only optimization drops that reference.
void* aligned_alloc(size_t alignment, size_t bytes) {
  return alignment <= gpuplan::wasm::kAlignment ? heap.allocate(bytes) : nullptr;
}

int posix_memalign(void** pointer, size_t alignment, size_t bytes) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  if (alignment > gpuplan::wasm::kAlignment) return ENOMEM;
  void* block = heap.allocate(bytes);
  if (block == nullptr) return ENOMEM;
  *pointer = block;
  return 0;
}

}  // extern "C"
