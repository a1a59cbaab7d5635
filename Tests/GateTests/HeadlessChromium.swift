import Foundation
import XCTest

/// Renders review HTML in a real headless Chromium (skipping the test when none is installed).
enum HeadlessChromium {
    /// The DOM after the page's scripts ran (each plot's `data-rendered-width` set).
    static func dom(of html: String) throws -> String {
        guard let browser = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(executable).first else {
            throw XCTSkip("no chromium binary on PATH: `make test-deps` installs it (apt package chromium)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gitml-review-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("review.html")
        try html.write(to: file, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--user-data-dir=\(directory.path)/profile", "--dump-dom", file.absoluteString]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return dom
    }

    /// The width the browser laid the plot `id` out at, or nil when it is missing or was not rendered.
    static func renderedWidth(of id: String, in dom: String) -> Int? {
        guard let start = dom.range(of: "<svg id=\"\(id)\"") else { return nil }
        let tag = dom[start.lowerBound...].prefix { $0 != ">" }
        guard let attribute = tag.range(of: "data-rendered-width=\"") else { return nil }
        return Int(tag[attribute.upperBound...].prefix { $0 != "\"" })
    }

    private static func executable(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
