#ifndef GITML_CURL_LOADER_H
#define GITML_CURL_LOADER_H

/// libcurl loaded on first use (docs/INSTALL.md, "What the binaries still load").
///
/// The release links Foundation statically; its URLSession (S3 blob remotes, instance metadata,
/// STS, SSO) calls 23 libcurl functions. CurlLoader.c defines those functions itself, so the
/// linker (`--as-needed`) drops libcurl from the binary's needed libraries: a process that never
/// makes an HTTP request does not load libcurl and the ~19 libraries only it needs (TLS, HTTP/2,
/// IDN, LDAP, SASL). The first call of any of them opens `libcurl.so.4` with `dlopen` and
/// forwards every call to the real function. GITML_CURL_LIBRARY names another file to open
/// (tests use it for a missing library).

/// Opens libcurl if it is not open yet. Returns NULL when it is loaded, otherwise why it could
/// not be (a static string, valid for the life of the process).
const char *gitml_curl_load_problem(void);

/// libcurl's version ("7.88.1"), loading it first; NULL when it cannot be loaded.
const char *gitml_curl_version(void);

#endif
