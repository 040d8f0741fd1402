// Memory the workers share with the parent, on 2 MiB pages.
//
// A worker is a fresh address space: every 4 KiB page it touches for the first time costs a
// page fault or, on a virtual machine that shadows page tables, a trip to the hypervisor, even
// when fork copied the page's entry. A compile touches ~40 MB of clang's code and ~10 MB of the
// PCH; on 4 KiB pages that cost a worker's first compile more than the compile itself. On 2 MiB
// pages, copied by fork as one entry each, it is a few dozen entries.
#pragma once

#include <cstddef>

// Moves the code and read-only data of the loaded libraries whose file name contains one of
// `names` onto anonymous 2 MiB pages, same addresses, same bytes, same protections. The part of a
// segment that does not fill an aligned 2 MiB page stays as it is. Where the kernel gives no huge
// pages (transparent huge pages off, an old kernel), the segment is put back as it was. Call it
// in the parent, before any thread starts: the code being moved must not run meanwhile.
// Returns how many bytes now sit on huge pages.
size_t moveLibrariesToHugePages(const char *const *names, size_t count);

// Anonymous memory for `bytes` on 2 MiB pages where the kernel gives them (4 KiB otherwise),
// aligned to 2 MiB, for data read once by the parent and only read by the workers. Never freed.
// Returns nullptr on failure.
char *allocateOnHugePages(size_t bytes);

// Once the `bytes` at `p` (from allocateOnHugePages) are written: puts them on huge pages now if
// they are not yet, and makes them read-only.
void sealOnHugePages(char *p, size_t bytes);
