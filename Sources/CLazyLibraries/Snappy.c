// libsnappy on first use: the two functions Parquet's SNAPPY pages need (Sources/Tables), each
// forwarding to libsnappy.so.1, opened with dlopen on the first call (include/LazyLibraries.h).
// The compiler checks the definitions against snappy-c.h; scripts/lazy-link.sh refuses a release
// that still calls a snappy function missing here.
#include <snappy-c.h>
#include "LazyLibraries.h"
#include "LazyLibrary.h"

#define GITML_SNAPPY_FUNCTIONS(X) \
    X(snappy_status, snappy_uncompress, (const char *compressed, size_t compressed_length, char *uncompressed, size_t *uncompressed_length), (compressed, compressed_length, uncompressed, uncompressed_length)) \
    X(snappy_status, snappy_uncompressed_length, (const char *compressed, size_t compressed_length, size_t *result), (compressed, compressed_length, result))

enum { GITML_SNAPPY_FUNCTIONS(GITML_LAZY_INDEX) gitml_snappy_count };
static const char *const names[] = { GITML_SNAPPY_FUNCTIONS(GITML_LAZY_NAME) };
static void *functions[gitml_snappy_count];
static struct gitml_lazy_library libsnappy = GITML_LAZY_LIBRARY("libsnappy.so.1", "GITML_SNAPPY_LIBRARY",
    "reading Snappy-compressed Parquet pages needs libsnappy", "install it (Debian 12: apt-get install libsnappy1v5)",
    names, functions);

const char *gitml_snappy_load_problem(void) { return gitml_lazy_load_problem(&libsnappy); }

#define GITML_FORWARD(type, name, parameters, arguments) GITML_LAZY_FORWARD(libsnappy, type, name, parameters, arguments)
GITML_SNAPPY_FUNCTIONS(GITML_FORWARD)
