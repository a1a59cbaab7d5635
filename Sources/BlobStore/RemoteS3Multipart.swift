import Crypto
import Foundation

extension S3Remote {
    /// Uploads `size` bytes under `key` in parts read by `part`, several at once. An upload of
    /// the same key left unfinished by an interrupted push is resumed: its parts whose size and
    /// MD5 ETag match are kept, the rest are sent. (GitML keys name their content, so an
    /// unfinished upload of a key is always of the same bytes.) A failed upload is left for the
    /// next attempt; `abortUploads(startedBefore:)` removes abandoned ones.
    /// Returns how many parts were kept and how many were sent.
    func multipartUpload(_ key: String, size: Int, _ part: @escaping @Sendable (Range<Int>) throws -> Data) throws
        -> (kept: Int, sent: Int) {
        let partCount = (size + partSize - 1) / partSize
        let (uploadID, existing) = try resumableUpload(key) ?? (try startUpload(key), [:])
        let etags = Tally([String](repeating: "", count: partCount))
        let counts = Tally((kept: 0, sent: 0))
        try RemoteTransferPool.forEach(partCount, width: parallelParts) { [self] i in
            let range = (i * partSize)..<min(size, (i + 1) * partSize)
            let bytes = try part(range)
            // The MD5 is needed only to compare with a part already uploaded (S3 always sends an ETag).
            let md5 = { "\"" + Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined() + "\"" }
            if let old = existing[i + 1], old.size == range.count, old.etag == md5() {
                etags.update { $0[i] = old.etag }
                counts.update { $0.kept += 1 }
                return
            }
            let response = try request("PUT", key: key, query: [("partNumber", "\(i + 1)"), ("uploadId", uploadID)],
                                       body: bytes, expect: [200])
            let etag = response.header("etag") ?? md5()
            etags.update { $0[i] = etag }
            counts.update { $0.sent += 1 }
        }
        let parts = etags.value.enumerated().map {
            "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(XMLText.escape($0.element))</ETag></Part>"
        }
        let body = "<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>"
        let completed = try request("POST", key: key, query: [("uploadId", uploadID)], body: Data(body.utf8), expect: [200])
        // S3 can answer 200 with an error document when completion fails late.
        let answer = String(decoding: completed.body, as: UTF8.self)
        if let code = XMLText.value("Code", in: answer) {
            throw RemoteError.http(remote: name, key: key, status: 200, code: code,
                                   message: XMLText.value("Message", in: answer) ?? "")
        }
        return counts.value
    }

    /// Starts a multipart upload; returns its id.
    func startUpload(_ key: String) throws -> String {
        let created = try request("POST", key: key, query: [("uploads", "")], expect: [200])
        guard let uploadID = XMLText.value("UploadId", in: String(decoding: created.body, as: UTF8.self)) else {
            throw RemoteError.http(remote: name, key: key, status: created.status, code: "NoUploadId",
                                   message: "the server did not start a multipart upload")
        }
        return uploadID
    }

    /// Sends one part of an upload (tests use it to leave an upload unfinished).
    func uploadPart(_ key: String, uploadID: String, number: Int, bytes: Data) throws {
        _ = try request("PUT", key: key, query: [("partNumber", "\(number)"), ("uploadId", uploadID)], body: bytes, expect: [200])
    }

    /// The newest unfinished upload of `key` and its parts by number, or nil.
    private func resumableUpload(_ key: String) throws -> (String, [Int: (size: Int, etag: String)])? {
        guard let upload = try unfinishedUploads(keyPrefix: key).last(where: { $0.key == key }) else { return nil }
        var parts: [Int: (size: Int, etag: String)] = [:]
        var marker: String?
        repeat {
            var query = [("uploadId", upload.id)]
            if let marker { query.append(("part-number-marker", marker)) }
            let xml = String(decoding: try request("GET", key: key, query: query, expect: [200]).body, as: UTF8.self)
            for element in XMLText.elements("Part", in: xml) {
                guard let number = Int(XMLText.value("PartNumber", in: element) ?? ""),
                      let size = Int(XMLText.value("Size", in: element) ?? ""),
                      let etag = XMLText.value("ETag", in: element) else { continue }
                parts[number] = (size, etag)
            }
            marker = XMLText.value("IsTruncated", in: xml) == "true" ? XMLText.value("NextPartNumberMarker", in: xml) : nil
        } while marker != nil
        return (upload.id, parts)
    }

    /// Unfinished multipart uploads whose key starts with `keyPrefix`, oldest first.
    func unfinishedUploads(keyPrefix: String) throws -> [(key: String, id: String, started: String)] {
        var found: [(key: String, id: String, started: String)] = []
        var markers: (key: String, id: String)?
        repeat {
            var query = [("uploads", ""), ("prefix", prefix + keyPrefix)]
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.id)] }
            let xml = String(decoding: try request("GET", key: nil, query: query, expect: [200]).body, as: UTF8.self)
            for element in XMLText.elements("Upload", in: xml) {
                guard let fullKey = XMLText.value("Key", in: element), fullKey.hasPrefix(prefix),
                      let id = XMLText.value("UploadId", in: element) else { continue }
                found.append((String(fullKey.dropFirst(prefix.count)), id, XMLText.value("Initiated", in: element) ?? ""))
            }
            markers = nil
            if XMLText.value("IsTruncated", in: xml) == "true", let key = XMLText.value("NextKeyMarker", in: xml),
               let id = XMLText.value("NextUploadIdMarker", in: xml) {
                markers = (key, id)
            }
        } while markers != nil
        return found.sorted { $0.started < $1.started }
    }

    /// Aborts unfinished multipart uploads started before `cutoff` (parts of interrupted pushes
    /// that nobody resumed; stores bill for them). For remote GC. Returns how many.
    public func abortUploads(startedBefore cutoff: Date) throws -> Int {
        var aborted = 0
        for upload in try unfinishedUploads(keyPrefix: "") {
            guard let started = Self.parseTimestamp(upload.started), started < cutoff else { continue }
            _ = try request("DELETE", key: upload.key, query: [("uploadId", upload.id)], expect: [200, 204, 404])
            aborted += 1
        }
        return aborted
    }
}
