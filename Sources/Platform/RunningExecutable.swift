/// The file of the running executable, for starting another process of the same binary.
public enum RunningExecutable {
    /// The path `/proc/self/exe` resolves to on Linux; `argv[0]` where it cannot be read.
    public static var path: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
