// libcurl on first use: the libcurl functions the static FoundationNetworking calls
// (`nm -u lib_CFURLSessionInterface.a | grep curl_`), each forwarding to the function of the
// same name in `libcurl.so.4`, opened with dlopen on the first call (include/CurlLoader.h).
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "CurlLoader.h"

// X(return type, name, parameters, arguments) for each forwarded function with a result and
// without `...`; V(name, parameters, arguments) for those without a result.
#define GITML_CURL_FUNCTIONS(X) \
    X(CURLcode, curl_global_init, (long flags), (flags)) \
    X(CURL *, curl_easy_init, (void), ()) \
    X(CURLcode, curl_easy_pause, (CURL *handle, int bitmask), (handle, bitmask)) \
    X(const char *, curl_easy_strerror, (CURLcode code), (code)) \
    X(CURLM *, curl_multi_init, (void), ()) \
    X(CURLMcode, curl_multi_cleanup, (CURLM *multi), (multi)) \
    X(CURLMcode, curl_multi_add_handle, (CURLM *multi, CURL *easy), (multi, easy)) \
    X(CURLMcode, curl_multi_remove_handle, (CURLM *multi, CURL *easy), (multi, easy)) \
    X(CURLMcode, curl_multi_assign, (CURLM *multi, curl_socket_t socket, void *pointer), (multi, socket, pointer)) \
    X(CURLMsg *, curl_multi_info_read, (CURLM *multi, int *queued), (multi, queued)) \
    X(CURLMcode, curl_multi_socket_action, (CURLM *multi, curl_socket_t socket, int events, int *running), \
      (multi, socket, events, running)) \
    X(struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *data), (list, data)) \
    X(CURLU *, curl_url, (void), ()) \
    X(CURLUcode, curl_url_get, (CURLU *url, CURLUPart what, char **part, unsigned int flags), (url, what, part, flags)) \
    X(CURLUcode, curl_url_set, (CURLU *url, CURLUPart what, const char *part, unsigned int flags), (url, what, part, flags)) \
    X(char *, curl_version, (void), ()) \
    X(curl_version_info_data *, curl_version_info, (CURLversion age), (age))
#define GITML_CURL_PROCEDURES(V) \
    V(curl_easy_cleanup, (CURL *curl), (curl)) \
    V(curl_free, (void *p), (p)) \
    V(curl_slist_free_all, (struct curl_slist *list), (list))

// The functions with `...`: each takes exactly one more argument, a long, a pointer or a
// curl_off_t, which every ABI GitML builds for passes like a pointer.
#define GITML_CURL_VARIADIC(X) \
    X(CURLcode, curl_easy_setopt, CURL *, CURLoption) \
    X(CURLcode, curl_easy_getinfo, CURL *, CURLINFO) \
    X(CURLMcode, curl_multi_setopt, CURLM *, CURLMoption)

// The real functions, from dlsym.
#define GITML_POINTER(type, name, ...) static void *real_##name;
#define GITML_POINTER_V(name, ...) GITML_POINTER(void, name)
GITML_CURL_FUNCTIONS(GITML_POINTER)
GITML_CURL_PROCEDURES(GITML_POINTER_V)
GITML_CURL_VARIADIC(GITML_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char problem[512];

static void load(void) {
    const char *file = getenv("GITML_CURL_LIBRARY");
    if (file == NULL || *file == '\0') file = "libcurl.so.4";
    void *library = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(problem, sizeof problem, "%s", dlerror());
        return;
    }
#define GITML_RESOLVE(type, name, ...) \
    if ((real_##name = dlsym(library, #name)) == NULL) { \
        snprintf(problem, sizeof problem, "%s has no %s", file, #name); \
        return; \
    }
#define GITML_RESOLVE_V(name, ...) GITML_RESOLVE(void, name)
    GITML_CURL_FUNCTIONS(GITML_RESOLVE)
    GITML_CURL_PROCEDURES(GITML_RESOLVE_V)
    GITML_CURL_VARIADIC(GITML_RESOLVE)
}

const char *gitml_curl_load_problem(void) {
    pthread_once(&once, load);
    return problem[0] == '\0' ? NULL : problem;
}

const char *gitml_curl_version(void) {
    if (gitml_curl_load_problem() != NULL) return NULL;
    return ((curl_version_info_data * (*)(CURLversion))real_curl_version_info)(CURLVERSION_NOW)->version;
}

// A forwarded call cannot return an error of its own: without libcurl the process stops with
// what to install (an HTTP request is what needs it).
static void require(void) {
    const char *missing = gitml_curl_load_problem();
    if (missing == NULL) return;
    fprintf(stderr, "git-ml: HTTP requests (S3 blob remotes, AWS credentials) need libcurl, which could not be loaded "
                    "(%s): install libcurl 7.62 or later (Debian: apt-get install libcurl4)\n", missing);
    exit(3);
}

#define GITML_FORWARD(type, name, parameters, arguments) \
    type name parameters { \
        require(); \
        return ((type (*) parameters)real_##name) arguments; \
    }
GITML_CURL_FUNCTIONS(GITML_FORWARD)

#define GITML_FORWARD_V(name, parameters, arguments) \
    void name parameters { \
        require(); \
        ((void (*) parameters)real_##name) arguments; \
    }
GITML_CURL_PROCEDURES(GITML_FORWARD_V)

#define GITML_FORWARD_VARIADIC(type, name, handleType, optionType) \
    type name(handleType handle, optionType option, ...) { \
        require(); \
        va_list list; \
        va_start(list, option); \
        void *argument = va_arg(list, void *); \
        va_end(list); \
        return ((type (*)(handleType, optionType, ...))real_##name)(handle, option, argument); \
    }
GITML_CURL_VARIADIC(GITML_FORWARD_VARIADIC)
