// The heap behind malloc and free in the wasm modules (wasm/malloc.cpp), in
// place of Emscripten's dlmalloc, which made the first-view module about 4 KB
// larger in gzip (Emscripten 3.1.6, docs/benchmarks.md).
//
// Every block starts with a 16-byte header that stores its size class. A freed
// block goes onto its class's free list, and the next request of that class
// takes it back. Blocks are never split or merged, so freed memory serves only
// requests of the same class, and the heap never shrinks. The classes grow by
// at most a quarter per step, so a block is at most a quarter larger than the
// request with its header, rounded up to 16 bytes. That suits the core, which
// allocates the same sizes for every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace gpuplan::wasm {

// Alignment of every returned pointer, as for max_align_t on wasm32.
constexpr size_t kAlignment = 16;
constexpr size_t kHeaderBytes = 16;
// Larger requests fail. Emscripten 3.1.6 grows wasm memory to 2 GiB at most,
// and with this limit the largest block (1.25 GiB) and the heap's end stay
// within 32 bits.
constexpr size_t kMaxRequestBytes = size_t{1} << 30;

constexpr unsigned floor_log2(size_t value) {
  return 63 - static_cast<unsigned>(__builtin_clzll(static_cast<unsigned long long>(value)));
}

// Block size of a class in 16-byte units: classes 2 to 7 are exact, then
// four steps per doubling: 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, ...
constexpr size_t class_units(unsigned size_class) {
  return size_class < 8 ? size_class : size_t{4 + (size_class & 3)} << ((size_class >> 2) - 1);
}

// The smallest class whose blocks have `units` 16-byte units.
constexpr unsigned class_for_units(size_t units) {
  if (units < 8) return static_cast<unsigned>(units);
  // units - 1 = (4 + step) << shift + rest with step < 4 and rest < 2^shift, so
  // the class one step above (4 + step) << shift is the first that fits units.
  const size_t last = units - 1;
  const unsigned shift = floor_log2(last) - 2;
  return ((shift + 1) << 2) + static_cast<unsigned>(last >> shift) - 3;
}

// 16-byte units of the block for a request: the header plus the bytes, at
// least one unit more than the header so a free block can hold its list link.
constexpr size_t units_for_request(size_t bytes) {
  const size_t units = (bytes + kHeaderBytes + kAlignment - 1) / kAlignment;
  return units < 2 ? 2 : units;
}

constexpr unsigned kClassCount = class_for_units(units_for_request(kMaxRequestBytes)) + 1;

class SizeClassHeap {
 public:
  // Extends the heap by `bytes` (a multiple of 16) and returns the start of
  // the new memory, 16-byte aligned, or nullptr when no memory is left.
  using Grow = void* (*)(size_t bytes);

  explicit constexpr SizeClassHeap(Grow grow) : grow_(grow) {}

  // Returns at least `bytes` bytes, 16-byte aligned, or nullptr.
  void* allocate(size_t bytes) {
    if (bytes > kMaxRequestBytes) return nullptr;
    const unsigned size_class = class_for_units(units_for_request(bytes));
    if (unsigned char* block = free_lists_[size_class]) {
      free_lists_[size_class] = next_free(block);
      return block;
    }
    auto* start = static_cast<unsigned char*>(grow_(class_units(size_class) * kAlignment));
    if (start == nullptr) return nullptr;
    const uint32_t stored_class = size_class;
    std::memcpy(start, &stored_class, sizeof stored_class);
    return start + kHeaderBytes;
  }

  // Returns `count` × `size` zeroed bytes, or nullptr when the product overflows or no memory is left.
  void* allocate_zeroed(size_t count, size_t size) {
    if (size != 0 && count > kMaxRequestBytes / size) return nullptr;
    void* pointer = allocate(count * size);
    if (pointer != nullptr) std::memset(pointer, 0, count * size);
    return pointer;
  }

  // Puts a block from allocate() back on its class's free list; nullptr is ignored.
  void release(void* pointer) {
    if (pointer == nullptr) return;
    auto* block = static_cast<unsigned char*>(pointer);
    const unsigned size_class = class_of(pointer);
    set_next_free(block, free_lists_[size_class]);
    free_lists_[size_class] = block;
  }

  // Keeps the block when `bytes` fits in it (shrinking included); otherwise
  // moves the contents to a new block. On failure returns nullptr and the old
  // block stays valid, as realloc requires.
  void* reallocate(void* pointer, size_t bytes) {
    if (pointer == nullptr) return allocate(bytes);
    const size_t old_capacity = capacity(pointer);
    if (bytes <= old_capacity) return pointer;
    void* moved = allocate(bytes);
    if (moved == nullptr) return nullptr;
    std::memcpy(moved, pointer, old_capacity);
    release(pointer);
    return moved;
  }

  // Usable bytes of a block from allocate().
  static size_t capacity(const void* pointer) { return class_units(class_of(pointer)) * kAlignment - kHeaderBytes; }

 private:
  // A free block's payload starts with the address of the next free block of its class.
  static unsigned char* next_free(const unsigned char* block) {
    unsigned char* next = nullptr;
    std::memcpy(&next, block, sizeof next);
    return next;
  }

  static void set_next_free(unsigned char* block, unsigned char* next) { std::memcpy(block, &next, sizeof next); }

  static unsigned class_of(const void* pointer) {
    uint32_t size_class = 0;
    std::memcpy(&size_class, static_cast<const unsigned char*>(pointer) - kHeaderBytes, sizeof size_class);
    return size_class;
  }

  Grow grow_;
  // The first free block of each class, or nullptr.
  unsigned char* free_lists_[kClassCount] = {};
};

}  // namespace gpuplan::wasm
