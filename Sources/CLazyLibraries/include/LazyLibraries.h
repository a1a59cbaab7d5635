#ifndef GITML_LAZY_LIBRARIES_H
#define GITML_LAZY_LIBRARIES_H

/// Shared libraries opened on first use instead of at start-up (docs/INSTALL.md, "What the
/// binaries still load"; docs/BENCHMARKS.md, "Start-up").
///
/// The binary defines every function of libcurl, libgit2 and the codec libraries (libsnappy,
/// ISA-L, libbz2) that it calls (Curl.c, Git2.c, Snappy.c, Isal.c, Bzip2.c);
/// the first call of one opens the library with `dlopen` and each call is forwarded to the real
/// function. The release drops them from the libraries the binary needs (scripts/lazy-link.sh),
/// so a process that makes no HTTP request, reads no git repository and no compressed table
/// (`git-ml --version`, `--help`) loads none of them, nor the ~30 libraries only libcurl and
/// libgit2 need (TLS, Kerberos, SSH, HTTP/2, LDAP). A
/// forwarded call cannot return an error of its own: when its library cannot be loaded, the
/// process stops (exit 3) with what to install. Callers that can report the problem themselves
/// ask first (the `*_load_problem` functions below).
///
/// GITML_CURL_LIBRARY, GITML_GIT2_LIBRARY, GITML_SNAPPY_LIBRARY, GITML_ISAL_LIBRARY and
/// GITML_BZIP2_LIBRARY name another file to open (tests use them for a missing library).

/// Opens libcurl if it is not open yet. Returns NULL when it is loaded, otherwise why it could
/// not be (a string valid for the life of the process).
const char *gitml_curl_load_problem(void);

/// libcurl's version ("7.88.1"), loading it first; NULL when it cannot be loaded.
const char *gitml_curl_version(void);

/// Opens libgit2 (the release GitML was built against, `libgit2.so.<LIBGIT2_SOVERSION>`) if it is
/// not open yet. Returns NULL when it is loaded, otherwise why it could not be.
const char *gitml_git2_load_problem(void);

/// Open libsnappy (Parquet's SNAPPY pages), ISA-L's libisal (gzip text) and libbz2 (bzip2 text)
/// if they are not open yet. Each returns NULL when its library is loaded, otherwise why not.
const char *gitml_snappy_load_problem(void);
const char *gitml_isal_load_problem(void);
const char *gitml_bzip2_load_problem(void);

#endif
