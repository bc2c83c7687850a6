import Foundation
import Testing

@testable import S3

/// AWS's published Signature Version 4 examples (Amazon S3 API reference, "Signature
/// Calculations for the Authorization Header" and "Authenticating Requests: Using Query
/// Parameters"), so the signer is right before any server is asked.
struct SignatureV4Tests {
    static let example = SignatureV4(
        credentials: S3Credentials(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1"
    )
    /// 2013-05-24T00:00:00Z, the examples' moment.
    static let may24 = Date(timeIntervalSince1970: 1_369_353_600)

    private func authorization(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "Authorization" }?.1
    }

    @Test func getObjectWithARange() {
        let headers = Self.example.authorization(
            method: "GET",
            encodedPath: "/test.txt",
            query: [],
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
            payloadHash: SignatureV4.emptyPayloadHash,
            date: Self.may24
        )
        #expect(
            authorization(headers)
                == """
                AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
                SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41
                """
        )
        #expect(headers.contains { $0.0 == "x-amz-date" && $0.1 == "20130524T000000Z" })
    }

    @Test func putObjectWithAnEncodedKeyAndExtraHeaders() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = SignatureV4.payloadHash(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let headers = Self.example.authorization(
            method: "PUT",
            encodedPath: "/" + SignatureV4.uriEncode("test$file.text", keepSlash: true),
            query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            payloadHash: hash,
            date: Self.may24
        )
        #expect(authorization(headers)?.hasSuffix("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") == true)
        #expect(authorization(headers)?.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class") == true)
    }

    @Test func listObjectsQueryIsSortedAndEncoded() {
        let headers = Self.example.authorization(
            method: "GET",
            encodedPath: "/",
            query: [("prefix", "J"), ("max-keys", "2")],
            headers: [("host", "examplebucket.s3.amazonaws.com")],
            payloadHash: SignatureV4.emptyPayloadHash,
            date: Self.may24
        )
        #expect(authorization(headers)?.hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
    }

    @Test func presignedGet() {
        let items = Self.example.presignedQuery(
            method: "GET",
            encodedPath: "/test.txt",
            host: "examplebucket.s3.amazonaws.com",
            query: [],
            expires: .seconds(86400),
            date: Self.may24
        )
        let values = Dictionary(uniqueKeysWithValues: items)
        #expect(values["X-Amz-Signature"] == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(values["X-Amz-Credential"] == "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")
        #expect(values["X-Amz-Expires"] == "86400" && values["X-Amz-SignedHeaders"] == "host")
    }

    @Test func uriEncodingKeepsOnlyUnreservedCharacters() {
        #expect(SignatureV4.uriEncode("a b/c~d", keepSlash: true) == "a%20b/c~d")
        #expect(SignatureV4.uriEncode("a+b/c=é") == "a%2Bb%2Fc%3D%C3%A9")
    }

    @Test func aChangedSecretChangesTheSignature() {
        var other = Self.example
        other.credentials.secretKey += "x"
        let sign = { (signer: SignatureV4) in
            signer.authorization(
                method: "GET",
                encodedPath: "/k",
                query: [],
                headers: [("host", "h")],
                payloadHash: SignatureV4.emptyPayloadHash,
                date: Self.may24
            )
        }
        #expect(authorization(sign(Self.example)) != authorization(sign(other)))
        #expect(!"\(Self.example.credentials)".contains("EXAMPLEKEY"))
    }

    /// AWS's presigned example is a virtual-host URL: the client's addressing and URL assembly
    /// must give exactly its host, path and query.
    @Test func virtualHostAddressingGivesAWSsPresignedURL() throws {
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: URL(string: "https://s3.amazonaws.com")!,
                credentials: Self.example.credentials,
                addressing: .virtualHost
            )
        )
        let presigned = try client.presignedURL(bucket: "examplebucket", key: "test.txt", expires: .seconds(86400), date: Self.may24)
        let url = try #require(URLComponents(url: presigned, resolvingAgainstBaseURL: false))
        #expect(url.host == "examplebucket.s3.amazonaws.com" && url.path == "/test.txt" && url.scheme == "https")
        let query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(query["X-Amz-Signature"] == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(query["X-Amz-Credential"] == "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")
        let pathStyle = S3Client(configuration: S3Configuration(endpoint: URL(string: "http://minio:9000")!, credentials: Self.example.credentials))
        #expect(
            try pathStyle.presignedURL(bucket: "shop", key: "a b/c.png", expires: .seconds(60), date: Self.may24).absoluteString
                .hasPrefix("http://minio:9000/shop/a%20b/c.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&")
        )
    }

    @Test func timestampsAndHTTPDatesAreUTC() {
        #expect(SignatureV4.timestamp(Date(timeIntervalSince1970: 1_700_000_000.9)) == "20231114T221320Z")
        #expect(S3Client.httpDate("Tue, 14 Nov 2023 22:13:20 GMT") == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(S3Client.httpDate("yesterday") == nil)
    }
}
