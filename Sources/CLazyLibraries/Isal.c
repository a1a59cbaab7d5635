// ISA-L on first use: the igzip inflater that gzip-compressed text needs (Sources/Tables), each
// function forwarding to libisal.so.2, opened with dlopen on the first call
// (include/LazyLibraries.h). The compiler checks the definitions against igzip_lib.h;
// scripts/lazy-link.sh refuses a release that still calls an isal function missing here.
#include <isa-l/igzip_lib.h>
#include "LazyLibraries.h"
#include "LazyLibrary.h"

#define GITML_ISAL_FUNCTIONS(X) \
    X(int, isal_inflate, (struct inflate_state *state), (state))
#define GITML_ISAL_PROCEDURES(V) \
    V(isal_inflate_init, (struct inflate_state *state), (state))

enum { GITML_ISAL_FUNCTIONS(GITML_LAZY_INDEX) GITML_ISAL_PROCEDURES(GITML_LAZY_INDEX_V) gitml_isal_count };
static const char *const names[] = { GITML_ISAL_FUNCTIONS(GITML_LAZY_NAME) GITML_ISAL_PROCEDURES(GITML_LAZY_NAME_V) };
static void *functions[gitml_isal_count];
static struct gitml_lazy_library libisal = GITML_LAZY_LIBRARY("libisal.so.2", "GITML_ISAL_LIBRARY",
    "reading gzip-compressed text needs ISA-L's libisal", "install it (Debian 12: apt-get install libisal2)",
    names, functions);

const char *gitml_isal_load_problem(void) { return gitml_lazy_load_problem(&libisal); }

#define GITML_FORWARD(type, name, parameters, arguments) GITML_LAZY_FORWARD(libisal, type, name, parameters, arguments)
GITML_ISAL_FUNCTIONS(GITML_FORWARD)
#define GITML_FORWARD_V(name, parameters, arguments) GITML_LAZY_FORWARD_V(libisal, name, parameters, arguments)
GITML_ISAL_PROCEDURES(GITML_FORWARD_V)
