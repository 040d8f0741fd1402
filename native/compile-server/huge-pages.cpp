// See huge-pages.h for why.
#include "huge-pages.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <link.h>
#include <sys/mman.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 // Linux 6.1
#endif

namespace {

constexpr uintptr_t kHugePage = uintptr_t(2) << 20;

uintptr_t alignUp(uintptr_t x) { return (x + kHugePage - 1) & ~(kHugePage - 1); }
uintptr_t alignDown(uintptr_t x) { return x & ~(kHugePage - 1); }

// Puts [at, at + len) on huge pages now: already so when its page faults got huge pages. Fails
// where the kernel has none to give; EAGAIN is a page briefly held elsewhere: tried again.
bool collapse(void *at, size_t len) {
  for (int tries = 0; tries < 3; tries++) {
    if (madvise(at, len, MADV_COLLAPSE) == 0) return true;
    if (errno != EAGAIN) return false;
  }
  return false;
}

// Replaces the mapping at [start, start + len), 2 MiB aligned, with an anonymous copy of its bytes
// on huge pages, or leaves it as it was.
bool moveRange(uintptr_t start, size_t len, int prot) {
  void *at = reinterpret_cast<void *>(start);
  void *aside = mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (aside == MAP_FAILED) return false;
  // The original mapping moves aside (its page tables, not its bytes) and the copy is made from
  // there; it goes back if the copy cannot be on huge pages.
  if (mremap(at, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, aside) == MAP_FAILED) {
    munmap(aside, len);
    return false;
  }
  bool ok = mmap(at, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
                at &&
            madvise(at, len, MADV_HUGEPAGE) == 0;
  if (ok) {
    memcpy(at, aside, len);
    ok = collapse(at, len) && mprotect(at, len, prot) == 0;
  }
  if (!ok) {
    // The code may be clang's own: without it back, the process cannot go on.
    if (mremap(aside, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, at) == MAP_FAILED) abort();
    return false;
  }
  munmap(aside, len);
  return true;
}

struct Wanted {
  const char *const *names;
  size_t count;
  size_t moved;
  bool refused; // the kernel gave no huge pages: the other segments would fare no better
};

int moveLibrary(dl_phdr_info *info, size_t, void *data) {
  auto *wanted = static_cast<Wanted *>(data);
  const char *name = info->dlpi_name;
  bool match = false;
  for (size_t i = 0; name && i < wanted->count; i++)
    match |= strstr(name, wanted->names[i]) != nullptr;
  if (!match) return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) &ph = info->dlpi_phdr[i];
    int prot = PROT_READ;
    if (ph.p_type == PT_LOAD && !(ph.p_flags & PF_W)) {
      if (ph.p_flags & PF_X) prot |= PROT_EXEC;
    } else if (ph.p_type != PT_GNU_RELRO) {
      continue; // writable data: each worker writes its own copy of what it changes
    }
    // (PT_GNU_RELRO: relocated data the dynamic loader has made read-only.)
    uintptr_t start = alignUp(info->dlpi_addr + ph.p_vaddr);
    uintptr_t end = alignDown(info->dlpi_addr + ph.p_vaddr + ph.p_memsz);
    if (end <= start || wanted->refused) continue;
    if (moveRange(start, end - start, prot)) wanted->moved += end - start;
    else wanted->refused = true;
  }
  return 0;
}

} // namespace

size_t moveLibrariesToHugePages(const char *const *names, size_t count) {
  Wanted wanted{names, count, 0, false};
  dl_iterate_phdr(moveLibrary, &wanted);
  return wanted.moved;
}

char *allocateOnHugePages(size_t bytes) {
  size_t len = alignUp(bytes ? bytes : 1);
  void *raw = mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  char *start = static_cast<char *>(raw);
  char *p = reinterpret_cast<char *>(alignUp(reinterpret_cast<uintptr_t>(raw)));
  if (p > start) munmap(start, size_t(p - start));
  munmap(p + len, size_t(start + kHugePage - p));
  madvise(p, len, MADV_HUGEPAGE); // without huge pages, plain pages do
  return p;
}

void sealOnHugePages(char *p, size_t bytes) {
  collapse(p, alignUp(bytes)); // failing leaves plain pages: slower, as good
  mprotect(p, alignUp(bytes), PROT_READ);
}
