#include <zlib.h>

/// `inflateInit2` is a macro, which Swift cannot call; this wraps it.
static inline int gitml_inflate_init(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
