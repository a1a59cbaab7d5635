// libbz2 on first use: the decompression functions bzip2-compressed text needs (Sources/Tables),
// each forwarding to libbz2.so.1.0, opened with dlopen on the first call
// (include/LazyLibraries.h). The compiler checks the definitions against bzlib.h;
// scripts/lazy-link.sh refuses a release that still calls a BZ2 function missing here.
#include <stdio.h>
#include <bzlib.h>
#include "LazyLibraries.h"
#include "LazyLibrary.h"

#define GITML_BZIP2_FUNCTIONS(X) \
    X(int, BZ2_bzDecompressInit, (bz_stream *strm, int verbosity, int small), (strm, verbosity, small)) \
    X(int, BZ2_bzDecompress, (bz_stream *strm), (strm)) \
    X(int, BZ2_bzDecompressEnd, (bz_stream *strm), (strm))

enum { GITML_BZIP2_FUNCTIONS(GITML_LAZY_INDEX) gitml_bzip2_count };
static const char *const names[] = { GITML_BZIP2_FUNCTIONS(GITML_LAZY_NAME) };
static void *functions[gitml_bzip2_count];
static struct gitml_lazy_library libbz2 = GITML_LAZY_LIBRARY("libbz2.so.1.0", "GITML_BZIP2_LIBRARY",
    "reading bzip2-compressed text needs libbz2", "install it (Debian 12: apt-get install libbz2-1.0)",
    names, functions);

const char *gitml_bzip2_load_problem(void) { return gitml_lazy_load_problem(&libbz2); }

#define GITML_FORWARD(type, name, parameters, arguments) GITML_LAZY_FORWARD(libbz2, type, name, parameters, arguments)
GITML_BZIP2_FUNCTIONS(GITML_FORWARD)
