import AsyncHTTPClient
import Foundation
import NIOCore
import S3

/// Sets under `s3://<bucket>/<prefix>/`, through the platform's S3 client.
struct S3BackupStorage: BackupStorage {
    let client: S3Client
    let bucket: String
    /// Without a trailing slash; may be empty.
    let prefix: String
    var location: String { "s3://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)") }

    private func key(_ set: String, _ name: String = "") -> String {
        (prefix.isEmpty ? "" : prefix + "/") + set + "/" + name
    }

    /// Creates the bucket when it is missing.
    func prepare() async throws {
        if try await !client.bucketExists(bucket) { try await client.createBucket(bucket) }
    }

    func setIDs() async throws -> [String] {
        let root = prefix.isEmpty ? "" : prefix + "/"
        var sets = Set<String>()
        for object in try await client.allKeys(bucket: bucket, prefix: root) {
            if let set = object.dropFirst(root.count).split(separator: "/").first.map(String.init), BackupSetID.date(of: set) != nil {
                sets.insert(set)
            }
        }
        return sets.sorted()
    }

    func store(_ file: URL, as name: String, in set: String) async throws {
        try await client.putObject(bucket: bucket, key: key(set, name), contentType: "application/octet-stream", body: FileChunks(url: file))
    }

    func store(_ data: Data, as name: String, in set: String) async throws {
        try await client.putObject(bucket: bucket, key: key(set, name), contentType: "application/json", bytes: .init(bytes: data))
    }

    func fetch(_ name: String, in set: String, scratch: URL) async throws -> URL? {
        guard let download = try await client.getObject(bucket: bucket, key: key(set, name)) else { return nil }
        let file = scratch.appendingPathComponent(set + "-" + name)
        _ = try await FileChunks.write(download.body, to: file)
        return file
    }

    func read(_ name: String, in set: String) async throws -> Data? {
        guard let download = try await client.getObject(bucket: bucket, key: key(set, name)) else { return nil }
        var data = Data()
        for try await buffer in download.body { data.append(contentsOf: buffer.readableBytesView) }
        return data
    }

    func delete(set: String) async throws {
        for object in try await client.allKeys(bucket: bucket, prefix: key(set)) { try await client.deleteObject(bucket: bucket, key: object) }
    }
}
