#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include "LazyLibrary.h"

static void open_library(struct gitml_lazy_library *library) {
    const char *file = getenv(library->override);
    if (file == NULL || *file == '\0') file = library->file;
    void *handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        snprintf(library->problem, sizeof library->problem, "%s", dlerror());
        return;
    }
    for (size_t i = 0; i < library->count; i++) {
        if ((library->functions[i] = dlsym(handle, library->names[i])) == NULL) {
            snprintf(library->problem, sizeof library->problem, "%s has no %s", file, library->names[i]);
            return;
        }
    }
}

const char *gitml_lazy_load_problem(struct gitml_lazy_library *library) {
    if (!__atomic_load_n(&library->opened, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&library->lock);
        if (!library->opened) {
            open_library(library);
            __atomic_store_n(&library->opened, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&library->lock);
    }
    return library->problem[0] == '\0' ? NULL : library->problem;
}

void *gitml_lazy_function(struct gitml_lazy_library *library, size_t index) {
    const char *problem = gitml_lazy_load_problem(library);
    if (problem != NULL) {
        fprintf(stderr, "git-ml: %s, which could not be loaded (%s): %s\n", library->need, problem, library->install);
        exit(3);
    }
    return library->functions[index];
}
