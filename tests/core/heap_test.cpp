// The size-class heap of the wasm modules (wasm/heap.h), run natively over a
// fixed arena. The cases cover the class table, alignment, reuse, realloc and
// calloc semantics and running out of memory. A random workload checks that
// blocks never overlap and keep their contents.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "heap.h"

using namespace gpuplan::wasm;

namespace {

// The memory that the heap grows into: `capacity` bytes from a 16-byte aligned start.
struct Arena {
  std::unique_ptr<unsigned char[]> storage;
  unsigned char* next = nullptr;
  unsigned char* end = nullptr;
  size_t grow_calls = 0;

  size_t used() const { return static_cast<size_t>(next - aligned_start()); }
  unsigned char* aligned_start() const {
    const auto address = reinterpret_cast<uintptr_t>(storage.get());
    return storage.get() + ((kAlignment - address % kAlignment) % kAlignment);
  }
};

Arena arena;

void reset_arena(size_t capacity) {
  arena.storage.reset(new unsigned char[capacity + kAlignment]);
  arena.next = arena.aligned_start();
  arena.end = arena.next + capacity;
  arena.grow_calls = 0;
}

void* grow_arena(size_t bytes) {
  ++arena.grow_calls;
  if (bytes % kAlignment != 0) FAIL("grow request of " << bytes << " bytes is not a multiple of 16");
  if (static_cast<size_t>(arena.end - arena.next) < bytes) return nullptr;
  void* start = arena.next;
  arena.next += bytes;
  return start;
}

bool aligned(const void* pointer) { return reinterpret_cast<uintptr_t>(pointer) % kAlignment == 0; }

}  // namespace

TEST_CASE("heap classes cover every size", "[heap]") {
  // Classes 2 to 7 are exact, and from 8 units on there are four steps per doubling.
  CHECK(class_units(7) == 7);
  CHECK(class_units(8) == 8);
  CHECK(class_units(9) == 10);
  CHECK(class_units(12) == 16);
  CHECK(class_units(13) == 20);
  CHECK(class_for_units(17) == 13);
  // 0 bytes still get a 32-byte block: the header and room for the free-list link.
  CHECK(units_for_request(0) == 2);
  CHECK(units_for_request(16) == 2);
  CHECK(units_for_request(17) == 3);

  for (size_t units = 2; units <= 300000; ++units) {
    const unsigned size_class = class_for_units(units);
    INFO("units " << units << ", class " << size_class);
    REQUIRE(class_units(size_class) >= units);
    // The class is the smallest that fits, and it wastes at most a quarter.
    if (size_class > 2) REQUIRE(class_units(size_class - 1) < units);
    REQUIRE(class_units(size_class) * 4 <= units * 5);
  }
  // A 1 GiB request is 2^26 + 1 units: class 4 × 25 + 1 of (4 + 1) << 24 units.
  CHECK(class_for_units(units_for_request(kMaxRequestBytes)) == 101);
  CHECK(kClassCount == 102);
  CHECK(class_units(101) * kAlignment == 1342177280);
}

TEST_CASE("heap returns aligned blocks of the requested size", "[heap]") {
  reset_arena(1 << 20);
  SizeClassHeap heap(grow_arena);
  for (size_t bytes : {0, 1, 15, 16, 17, 100, 1000, 4096, 65535}) {
    INFO(bytes << " bytes");
    void* pointer = heap.allocate(bytes);
    REQUIRE(pointer != nullptr);
    CHECK(aligned(pointer));
    CHECK(SizeClassHeap::capacity(pointer) >= bytes);
    std::memset(pointer, 0xAB, bytes);
  }
  // Every block so far came from the arena, each its class's size.
  CHECK(arena.grow_calls == 9);
}

TEST_CASE("heap reuses freed blocks of a class", "[heap]") {
  reset_arena(1 << 20);
  SizeClassHeap heap(grow_arena);
  void* first = heap.allocate(100);
  void* second = heap.allocate(100);
  heap.release(first);
  heap.release(second);
  // Last freed, first reused.
  CHECK(heap.allocate(100) == second);
  // 97 bytes and 100 bytes both take an 8-unit block, so the block is reused too.
  CHECK(heap.allocate(97) == first);
  const size_t used = arena.used();

  // A steady workload stops growing the heap after its first round.
  std::vector<void*> blocks;
  for (int round = 0; round < 100; ++round) {
    for (size_t bytes = 1; bytes < 5000; bytes += 37) blocks.push_back(heap.allocate(bytes));
    for (void* block : blocks) heap.release(block);
    blocks.clear();
    if (round == 0) CHECK(arena.used() > used);
  }
  const size_t after_rounds = arena.used();
  for (size_t bytes = 1; bytes < 5000; bytes += 37) blocks.push_back(heap.allocate(bytes));
  CHECK(arena.used() == after_rounds);
  heap.release(nullptr);
}

TEST_CASE("heap reallocate keeps contents", "[heap]") {
  reset_arena(1 << 20);
  SizeClassHeap heap(grow_arena);
  auto* text = static_cast<char*>(heap.reallocate(nullptr, 10));
  REQUIRE(text != nullptr);
  std::memcpy(text, "0123456789", 10);
  // 10 bytes sit in a 16-byte payload, so growing to 16 or shrinking keeps the block.
  CHECK(heap.reallocate(text, 16) == text);
  CHECK(heap.reallocate(text, 1) == text);
  auto* grown = static_cast<char*>(heap.reallocate(text, 5000));
  REQUIRE(grown != nullptr);
  CHECK(grown != text);
  CHECK(std::memcmp(grown, "0123456789", 10) == 0);
  // The old block went back to its class.
  CHECK(heap.allocate(10) == text);
}

TEST_CASE("heap allocate_zeroed clears reused memory", "[heap]") {
  reset_arena(1 << 20);
  SizeClassHeap heap(grow_arena);
  void* dirty = heap.allocate(64);
  // GCC 12 cannot follow the block through the heap's free list and warns that
  // this write overflows a region of size 0; the block has 64 usable bytes.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
  std::memset(dirty, 0xFF, 64);
#pragma GCC diagnostic pop
  heap.release(dirty);
  auto* zeroed = static_cast<unsigned char*>(heap.allocate_zeroed(16, 4));
  REQUIRE(zeroed == dirty);
  CHECK(std::all_of(zeroed, zeroed + 64, [](unsigned char byte) { return byte == 0; }));
  // count × size overflows size_t: no allocation, and nothing asked of the arena.
  const size_t grow_calls = arena.grow_calls;
  CHECK(heap.allocate_zeroed(SIZE_MAX / 2, 4) == nullptr);
  CHECK(arena.grow_calls == grow_calls);
}

TEST_CASE("heap out of memory", "[heap]") {
  reset_arena(4096);
  SizeClassHeap heap(grow_arena);
  CHECK(heap.allocate(kMaxRequestBytes + 1) == nullptr);
  CHECK(arena.grow_calls == 0);
  // 1000-byte requests take 1024-byte blocks (64 units), so four fill the arena.
  std::vector<void*> blocks;
  while (void* block = heap.allocate(1000)) blocks.push_back(block);
  CHECK(blocks.size() == 4);
  CHECK(heap.allocate(16) == nullptr);
  // A freed block serves its class again; other classes still fail.
  heap.release(blocks.back());
  CHECK(heap.allocate(1000) == blocks.back());
  CHECK(heap.allocate(2000) == nullptr);
  // A failed reallocate leaves the block as it was.
  auto* kept = static_cast<unsigned char*>(blocks.front());
  std::memset(kept, 7, 1000);
  CHECK(heap.reallocate(kept, 3000) == nullptr);
  CHECK(std::all_of(kept, kept + 1000, [](unsigned char byte) { return byte == 7; }));
}

TEST_CASE("heap random workload", "[heap]") {
  reset_arena(size_t{256} << 20);
  SizeClassHeap heap(grow_arena);
  struct Live {
    unsigned char* data;
    size_t bytes;
    unsigned char fill;
  };
  std::map<int, Live> live;
  std::mt19937 random(7);
  // Mostly small requests, as the core makes, with a few up to 1 MiB.
  auto request_size = [&random]() -> size_t {
    const unsigned kind = random() % 100;
    if (kind < 74) return random() % 257;
    if (kind < 99) return random() % 65537;
    return random() % (1 << 20) + 1;
  };
  auto intact = [](const Live& block) {
    return std::all_of(block.data, block.data + block.bytes, [&block](unsigned char byte) { return byte == block.fill; });
  };

  int next_id = 0;
  for (int step = 0; step < 100000; ++step) {
    // 45% allocate, 40% release, 15% reallocate.
    const unsigned action = random() % 100;
    if (action < 45 || live.empty()) {
      const size_t bytes = request_size();
      auto* data = static_cast<unsigned char*>(heap.allocate(bytes));
      REQUIRE(data != nullptr);
      REQUIRE(aligned(data));
      const auto fill = static_cast<unsigned char>(next_id);
      std::memset(data, fill, bytes);
      live[next_id++] = {data, bytes, fill};
      continue;
    }
    auto chosen = live.begin();
    std::advance(chosen, random() % live.size());
    REQUIRE(intact(chosen->second));
    if (action < 85) {
      heap.release(chosen->second.data);
      live.erase(chosen);
    } else {
      Live& block = chosen->second;
      const size_t bytes = request_size();
      auto* moved = static_cast<unsigned char*>(heap.reallocate(block.data, bytes));
      REQUIRE(moved != nullptr);
      REQUIRE(aligned(moved));
      // The kept prefix must survive the move; the rest is refilled.
      REQUIRE(std::all_of(moved, moved + std::min(bytes, block.bytes), [&block](unsigned char byte) { return byte == block.fill; }));
      std::memset(moved, block.fill, bytes);
      block.data = moved;
      block.bytes = bytes;
    }
  }

  // No two live blocks overlap, headers included, and every block kept its contents.
  std::vector<Live> blocks;
  for (const auto& [id, block] : live) blocks.push_back(block);
  std::sort(blocks.begin(), blocks.end(), [](const Live& a, const Live& b) { return a.data < b.data; });
  for (size_t i = 0; i < blocks.size(); ++i) {
    REQUIRE(intact(blocks[i]));
    REQUIRE(SizeClassHeap::capacity(blocks[i].data) >= blocks[i].bytes);
    if (i + 1 < blocks.size()) REQUIRE(blocks[i].data + SizeClassHeap::capacity(blocks[i].data) + kHeaderBytes <= blocks[i + 1].data);
  }
  CHECK(live.size() > 1000);
}
