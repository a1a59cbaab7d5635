// The C library, for every module that calls it: GitML's modules import Platform, never Glibc
// (or Darwin, Musl) themselves, so the one place that names the C library is this file.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#else
#error("GitML builds against Glibc (Linux); this platform's C library is not wired in Platform/SystemLibrary.swift")
#endif
