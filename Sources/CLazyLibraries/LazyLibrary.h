// One shared library opened with dlopen on the first call of one of its functions
// (include/LazyLibraries.h), and the macros that define the forwarding functions from a list.
#ifndef GITML_LAZY_LIBRARY_H
#define GITML_LAZY_LIBRARY_H

#include <pthread.h>
#include <stddef.h>

struct gitml_lazy_library {
    /// The file dlopen opens: the library's soname.
    const char *file;
    /// The environment variable that names another file instead.
    const char *override;
    /// What needs the library, and what to install: the message when it cannot be loaded reads
    /// "git-ml: <need>, which could not be loaded (<why>): <install>".
    const char *need, *install;
    /// The functions resolved when it is opened, and their addresses in the same order.
    const char *const *names;
    void **functions;
    size_t count;

    pthread_mutex_t lock;
    int opened;
    char problem[512];
};

/// A library's fixed fields; the rest start empty.
#define GITML_LAZY_LIBRARY(file, override, need, install, names, functions) \
    { file, override, need, install, names, functions, sizeof(names) / sizeof(names[0]), PTHREAD_MUTEX_INITIALIZER, 0, "" }

/// Opens the library and resolves every function once per process (the first caller opens it,
/// the others wait). Returns NULL when all are resolved, otherwise why not.
const char *gitml_lazy_load_problem(struct gitml_lazy_library *library);

/// The address of function `index`, opening the library first; stops the process (exit 3) with
/// `need` and `install` when it cannot be loaded.
void *gitml_lazy_function(struct gitml_lazy_library *library, size_t index);

// From a list of X(return type, name, parameters, arguments) for functions with a result and
// V(name, parameters, arguments) for those without: the index of each function
// (gitml_index_<name>), the table of names, and the forwarding definitions, given the library.
#define GITML_LAZY_INDEX(type, name, ...) gitml_index_##name,
#define GITML_LAZY_INDEX_V(name, ...) gitml_index_##name,
#define GITML_LAZY_NAME(type, name, ...) #name,
#define GITML_LAZY_NAME_V(name, ...) #name,
#define GITML_LAZY_FORWARD(library, type, name, parameters, arguments) \
    type name parameters { return ((type (*) parameters)gitml_lazy_function(&library, gitml_index_##name)) arguments; }
#define GITML_LAZY_FORWARD_V(library, name, parameters, arguments) \
    void name parameters { ((void (*) parameters)gitml_lazy_function(&library, gitml_index_##name)) arguments; }

#endif
