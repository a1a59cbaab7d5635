// libcurl on first use: the libcurl functions the static FoundationNetworking calls
// (`nm -u lib_CFURLSessionInterface.a | grep curl_`), each forwarding to the function of the
// same name in `libcurl.so.4`, opened with dlopen on the first call (include/LazyLibraries.h).
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <stdarg.h>
#include "LazyLibraries.h"
#include "LazyLibrary.h"

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

enum {
    GITML_CURL_FUNCTIONS(GITML_LAZY_INDEX) GITML_CURL_PROCEDURES(GITML_LAZY_INDEX_V) GITML_CURL_VARIADIC(GITML_LAZY_INDEX)
    gitml_curl_count
};
static const char *const names[] = {
    GITML_CURL_FUNCTIONS(GITML_LAZY_NAME) GITML_CURL_PROCEDURES(GITML_LAZY_NAME_V) GITML_CURL_VARIADIC(GITML_LAZY_NAME)
};
static void *functions[gitml_curl_count];
static struct gitml_lazy_library libcurl = GITML_LAZY_LIBRARY("libcurl.so.4", "GITML_CURL_LIBRARY",
    "HTTP requests (S3 blob remotes, AWS credentials) need libcurl",
    "install libcurl 7.62 or later (Debian: apt-get install libcurl4)", names, functions);

const char *gitml_curl_load_problem(void) { return gitml_lazy_load_problem(&libcurl); }

const char *gitml_curl_version(void) {
    if (gitml_curl_load_problem() != NULL) return NULL;
    return curl_version_info(CURLVERSION_NOW)->version;
}

#define GITML_FORWARD(type, name, parameters, arguments) GITML_LAZY_FORWARD(libcurl, type, name, parameters, arguments)
GITML_CURL_FUNCTIONS(GITML_FORWARD)
#define GITML_FORWARD_V(name, parameters, arguments) GITML_LAZY_FORWARD_V(libcurl, name, parameters, arguments)
GITML_CURL_PROCEDURES(GITML_FORWARD_V)

#define GITML_FORWARD_VARIADIC(type, name, handleType, optionType) \
    type name(handleType handle, optionType option, ...) { \
        va_list list; \
        va_start(list, option); \
        void *argument = va_arg(list, void *); \
        va_end(list); \
        return ((type (*)(handleType, optionType, ...))gitml_lazy_function(&libcurl, gitml_index_##name))(handle, option, argument); \
    }
GITML_CURL_VARIADIC(GITML_FORWARD_VARIADIC)
