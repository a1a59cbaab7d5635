import Platform

/// Reads whole files into one byte array (no intermediate `Data` copy).
enum FileBytes {
    static func contents(of path: String) throws(TableReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(status.st_size)
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var offset = 0
            while offset < size {
                let n = read(descriptor, buffer.baseAddress! + offset, size - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failure = n < 0 ? String(cString: strerror(errno)) : "the file shrank while being read"; break }
                offset += n
            }
            initialized = offset
        }
        if let failure { throw .unreadableFile(path: path, reason: failure) }
        return bytes
    }
}
