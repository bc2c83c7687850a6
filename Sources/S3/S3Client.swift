import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A small S3 client on AsyncHTTPClient: buckets, objects (multipart above a size, streamed
/// downloads with ranges), listings and presigned URLs, every request signed with Signature
/// Version 4. Works with AWS, MinIO and other S3-compatible servers.
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    private let httpClient: HTTPClient
    private let signer: SignatureV4
    private let logger: Logger

    public init(configuration: S3Configuration, httpClient: HTTPClient = .shared, logger: Logger = Logger(label: "s3")) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.signer = SignatureV4(credentials: configuration.credentials, region: configuration.region)
        self.logger = logger
    }

    // MARK: - Buckets

    /// Creates `bucket`; a bucket this account already owns is not an error.
    public func createBucket(_ bucket: String) async throws {
        var body: ByteBuffer?
        if configuration.region != "us-east-1" {
            body = ByteBuffer(
                string:
                    """
                    <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                    <LocationConstraint>\(S3XML.escaped(configuration.region))</LocationConstraint></CreateBucketConfiguration>
                    """
            )
        }
        do {
            _ = try await send(.PUT, bucket: bucket, body: body)
        } catch let error as S3Error where error.code == .bucketAlreadyOwnedByYou {
            return
        }
    }

    /// Whether `bucket` exists and these credentials may use it.
    public func bucketExists(_ bucket: String) async throws -> Bool {
        do {
            _ = try await send(.HEAD, bucket: bucket)
            return true
        } catch let error as S3Error where error.status == 404 {
            return false
        }
    }

    // MARK: - Objects

    /// Stores what `body` yields under `key`. Up to ``S3Configuration/partSize`` it is one
    /// PutObject; beyond, a multipart upload of parts that size, each signed with its own hash,
    /// so memory holds one part at most. A failed multipart upload is aborted.
    @discardableResult
    public func putObject<Body: AsyncSequence & Sendable>(bucket: String, key: String, contentType: String, body: Body) async throws -> S3ObjectInfo
    where Body.Element == ByteBuffer {
        var part = ByteBuffer()
        var iterator = body.makeAsyncIterator()
        var finished = false
        // Fill the first part: a small object never starts a multipart upload.
        while part.readableBytes < configuration.partSize {
            guard var chunk = try await iterator.next() else {
                finished = true
                break
            }
            part.writeBuffer(&chunk)
        }
        if finished {
            return try await putObject(bucket: bucket, key: key, contentType: contentType, bytes: part)
        }
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key, contentType: contentType)
        do {
            var etags: [String] = []
            var size: Int64 = 0
            while true {
                // Parts are exactly partSize but the last: carry what overflows to the next.
                let slice: ByteBuffer
                if let whole = part.readSlice(length: configuration.partSize) {
                    slice = whole
                } else {
                    slice = part
                    part.clear()
                }
                if slice.readableBytes > 0 || etags.isEmpty {
                    etags.append(try await uploadPart(bucket: bucket, key: key, uploadID: uploadID, number: etags.count + 1, bytes: slice))
                    size += Int64(slice.readableBytes)
                }
                if finished && part.readableBytes == 0 { break }
                while !finished && part.readableBytes < configuration.partSize {
                    guard var chunk = try await iterator.next() else {
                        finished = true
                        break
                    }
                    part.writeBuffer(&chunk)
                }
            }
            let etag = try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, etags: etags)
            return S3ObjectInfo(key: key, size: size, etag: etag, contentType: contentType)
        } catch {
            _ = try? await send(.DELETE, bucket: bucket, key: key, query: [("uploadId", uploadID)])
            throw error
        }
    }

    /// Stores a buffer in one PutObject.
    @discardableResult
    public func putObject(bucket: String, key: String, contentType: String, bytes: ByteBuffer) async throws -> S3ObjectInfo {
        let response = try await send(.PUT, bucket: bucket, key: key, headers: [("Content-Type", contentType)], body: bytes)
        return S3ObjectInfo(key: key, size: Int64(bytes.readableBytes), etag: response.headers.first(name: "ETag"), contentType: contentType)
    }

    /// The object under `key` (a byte range of it with `range`), streamed; `nil` when there is none.
    public func getObject(bucket: String, key: String, range: ClosedRange<Int64>? = nil) async throws -> S3Download? {
        let headers = range.map { [("Range", "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
        let response: HTTPClientResponse
        do {
            response = try await send(.GET, bucket: bucket, key: key, headers: headers, streamingResponse: true)
        } catch let error as S3Error where error.code == .noSuchKey {
            return nil
        }
        let info = Self.info(key: key, headers: response.headers)
        var total = info.size
        if let contentRange = response.headers.first(name: "Content-Range"), let slash = contentRange.lastIndex(of: "/"),
            let whole = Int64(contentRange[contentRange.index(after: slash)...])
        {
            total = whole
        }
        return S3Download(info: info, totalSize: total, body: response.body)
    }

    /// The object's metadata, or `nil` when there is none.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectInfo? {
        do {
            let response = try await send(.HEAD, bucket: bucket, key: key)
            return Self.info(key: key, headers: response.headers)
        } catch let error as S3Error where error.status == 404 {
            return nil
        }
    }

    /// Deletes the object; deleting what is not there is not an error (S3 answers 204 either way).
    public func deleteObject(bucket: String, key: String) async throws {
        do {
            _ = try await send(.DELETE, bucket: bucket, key: key)
        } catch let error as S3Error where error.code == .noSuchKey {
            return
        }
    }

    /// One page of the objects whose keys start with `prefix`, in key order (ListObjectsV2).
    public func listObjects(bucket: String, prefix: String? = nil, continuationToken: String? = nil, maxKeys: Int = 1000) async throws -> S3ObjectList
    {
        var query = [("list-type", "2"), ("max-keys", String(maxKeys))]
        if let prefix { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let document = try await xml(try await send(.GET, bucket: bucket, query: query, streamingResponse: true))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let objects = document.all("Contents").map { entry in
            let modified = entry["LastModified"]?.text ?? ""
            return S3ObjectInfo(
                key: entry["Key"]?.text ?? "",
                size: Int64(entry["Size"]?.text ?? "") ?? 0,
                etag: entry["ETag"]?.text,
                lastModified: formatter.date(from: modified) ?? ISO8601DateFormatter().date(from: modified)
            )
        }
        let truncated = document["IsTruncated"]?.text == "true"
        return S3ObjectList(objects: objects, nextContinuationToken: truncated ? document["NextContinuationToken"]?.text : nil)
    }

    /// Every key starting with `prefix`, in key order, through all pages of the listing.
    public func allKeys(bucket: String, prefix: String) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            let page = try await listObjects(bucket: bucket, prefix: prefix, continuationToken: token)
            keys += page.objects.map(\.key)
            token = page.nextContinuationToken
        } while token != nil
        return keys
    }

    /// A URL that fetches the object without credentials until it expires (at most 7 days).
    /// `responseHeaders` asks S3 to answer with those headers (`response-content-disposition`,
    /// `response-content-type`, …), signed with the rest. Throws when the endpoint and bucket make no URL.
    public func presignedURL(
        method: HTTPMethod = .GET,
        bucket: String,
        key: String,
        expires: Duration,
        responseHeaders: [(String, String)] = [],
        date: Date = Date()
    ) throws -> URL {
        let target = self.target(bucket: bucket, key: key)
        let items = signer.presignedQuery(
            method: method.rawValue,
            encodedPath: target.path,
            host: target.host,
            query: responseHeaders,
            expires: expires,
            date: date
        )
        guard let url = URL(string: target.base + target.path + "?" + SignatureV4.canonicalQuery(responseHeaders + items)) else {
            throw S3Error(code: .other("InvalidURL"), status: 0, message: "no URL can be made of \(target.base)\(target.path)")
        }
        return url
    }

    // MARK: - Multipart

    private func createMultipartUpload(bucket: String, key: String, contentType: String) async throws -> String {
        let document = try await xml(
            try await send(
                .POST,
                bucket: bucket,
                key: key,
                query: [("uploads", "")],
                headers: [("Content-Type", contentType)],
                streamingResponse: true
            )
        )
        guard let id = document["UploadId"]?.text, !id.isEmpty else { throw S3Error(code: .invalidResponse, status: 200, message: "no UploadId") }
        return id
    }

    private func uploadPart(bucket: String, key: String, uploadID: String, number: Int, bytes: ByteBuffer) async throws -> String {
        let response = try await send(.PUT, bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: bytes)
        guard let etag = response.headers.first(name: "ETag") else {
            throw S3Error(code: .invalidResponse, status: 200, message: "part \(number) has no ETag")
        }
        return etag
    }

    private func completeMultipartUpload(bucket: String, key: String, uploadID: String, etags: [String]) async throws -> String? {
        let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escaped($0.element))</ETag></Part>" }
            .joined()
        let body = ByteBuffer(string: "<CompleteMultipartUpload>\(parts)</CompleteMultipartUpload>")
        let document = try await xml(
            try await send(
                .POST,
                bucket: bucket,
                key: key,
                query: [("uploadId", uploadID)],
                headers: [("Content-Type", "application/xml")],
                body: body,
                streamingResponse: true
            )
        )
        // S3 may answer 200 and still fail the completion, with an error document.
        if document.name == "Error" { throw Self.error(document, status: 200) }
        return document["ETag"]?.text
    }

    // MARK: - Requests

    /// Where a request goes: the URL's scheme and authority, the encoded path, the `host` header.
    private func target(bucket: String?, key: String?) -> (base: String, path: String, host: String) {
        let endpoint = configuration.endpoint
        let scheme = endpoint.scheme ?? "https"
        var host = endpoint.host ?? "localhost"
        let defaultPort = scheme == "https" ? 443 : 80
        let portSuffix = endpoint.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? ""
        var path = ""
        if let bucket {
            switch configuration.addressing {
            case .path: path = "/" + SignatureV4.uriEncode(bucket)
            case .virtualHost: host = bucket + "." + host
            }
        }
        if let key { path += "/" + SignatureV4.uriEncode(key, keepSlash: true) }
        if path.isEmpty { path = "/" }
        return ("\(scheme)://\(host)\(portSuffix)", path, host + portSuffix)
    }

    /// Sends a signed request; an answer outside 2xx becomes an ``S3Error``.
    @discardableResult
    private func send(
        _ method: HTTPMethod,
        bucket: String?,
        key: String? = nil,
        query: [(String, String)] = [],
        headers: [(String, String)] = [],
        body: ByteBuffer? = nil,
        streamingResponse: Bool = false
    ) async throws -> HTTPClientResponse {
        let target = self.target(bucket: bucket, key: key)
        let payloadHash = body.map { SignatureV4.payloadHash($0.readableBytesView) } ?? SignatureV4.emptyPayloadHash
        var signedHeaders = headers
        signedHeaders.append(("host", target.host))
        let queryString = query.isEmpty ? "" : "?" + SignatureV4.canonicalQuery(query)
        var attempt = 1
        let response: HTTPClientResponse
        while true {
            var request = HTTPClientRequest(url: target.base + target.path + queryString)
            request.method = method
            for (name, value) in signedHeaders
                + signer.authorization(
                    method: method.rawValue,
                    encodedPath: target.path,
                    query: query,
                    headers: signedHeaders,
                    payloadHash: payloadHash,
                    date: Date()
                )
            {
                request.headers.add(name: name, value: value)
            }
            if let body {
                request.body = .bytes(body)
            } else if method == .PUT || method == .POST {
                request.headers.add(name: "Content-Length", value: "0")
            }
            do {
                response = try await httpClient.execute(request, timeout: .nanoseconds(configuration.requestTimeout.nanosecondsClamped))
                break
            } catch  where attempt < Self.staleConnectionAttempts && Self.isStaleConnection(error) {
                // The pool handed out a keep-alive connection the server had just closed: the request
                // never reached it, so sending it again on a fresh connection is safe.
                logger.debug("S3 connection closed by the server before the request; retrying", metadata: ["method": "\(method.rawValue)"])
                attempt += 1
            } catch {
                throw S3Error(code: .unreachable, status: 0, message: "\(method.rawValue) \(target.path): \(error)")
            }
        }
        guard (200..<300).contains(response.status.code) else {
            let status = Int(response.status.code)
            let bytes = try? await response.body.collect(upTo: 1 << 20)
            let requestID = response.headers.first(name: "x-amz-request-id")
            if let bytes, bytes.readableBytes > 0, let document = S3XML.parse(Data(buffer: bytes)), document.name == "Error" {
                var error = Self.error(document, status: status)
                error.requestID = error.requestID ?? requestID
                throw error
            }
            throw S3Error(
                code: .init(status: status),
                status: status,
                message: "\(method.rawValue) \(target.path) answered \(status)",
                requestID: requestID
            )
        }
        if !streamingResponse, method != .HEAD {
            // Drain the body so the connection goes back to the pool.
            _ = try? await response.body.collect(upTo: 1 << 20)
        }
        return response
    }

    /// How many times a request goes out when pooled connections keep turning out closed.
    private static let staleConnectionAttempts = 3

    /// Whether `error` says the connection was closed under the request before any answer: the race
    /// between a server's keep-alive timeout and the pool's reuse of the connection.
    static func isStaleConnection(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .remoteConnectionClosed
        }
        if let error = error as? ChannelError {
            return error == .ioOnClosedChannel || error == .eof || error == .outputClosed
        }
        if let error = error as? IOError {
            return [ECONNRESET, EPIPE].contains(error.errnoCode)
        }
        return false
    }

    private func xml(_ response: HTTPClientResponse) async throws -> S3XML {
        let bytes = try await response.body.collect(upTo: 16 << 20)
        guard let document = S3XML.parse(Data(buffer: bytes)) else {
            throw S3Error(code: .invalidResponse, status: Int(response.status.code), message: "unreadable XML answer")
        }
        return document
    }

    private static func error(_ document: S3XML, status: Int) -> S3Error {
        S3Error(
            code: .init(document["Code"]?.text ?? "HTTP \(status)"),
            status: status,
            message: document["Message"]?.text ?? "",
            requestID: document["RequestId"]?.text
        )
    }

    private static func info(key: String, headers: HTTPHeaders) -> S3ObjectInfo {
        S3ObjectInfo(
            key: key,
            size: headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0,
            etag: headers.first(name: "ETag"),
            contentType: headers.first(name: "Content-Type"),
            lastModified: headers.first(name: "Last-Modified").flatMap(httpDate)
        )
    }

    /// An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110) with the C library: every
    /// download reads one, and a DateFormatter per response would cost more than the rest.
    static func httpDate(_ text: String) -> Date? {
        let fields = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard fields.count == 6, fields[5] == "GMT", let day = Int32(fields[1]), let month = months.firstIndex(of: String(fields[2])),
            let year = Int32(fields[3])
        else { return nil }
        let time = fields[4].split(separator: ":").compactMap { Int32($0) }
        guard time.count == 3 else { return nil }
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday) = (year - 1900, Int32(month), day)
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (time[0], time[1], time[2])
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        return seconds > Int64.max / 1_000_000_000 ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
