import Core
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App

/// R-7.1c-content over HTTP: tus 1.0.0 and plain uploads, Range reads, owners only.
@Suite struct FileAPITests {
    static let tus = DocStoreHarness.tus
    static let offset = DocStoreHarness.offset

    static func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) } }
    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test func optionsAdvertisesTheExtensionsMaxSizeAndChecksums() async throws {
        try await DocStoreHarness.with { harness in
            let response = try await harness.send(.options, "/api/v1/files/tus", bearer: nil)
            #expect(response.status == .noContent)
            #expect(response.headers[HTTPField.Name("Tus-Version")!] == "1.0.0")
            #expect(response.headers[HTTPField.Name("Tus-Extension")!] == "creation,creation-with-upload,creation-defer-length,expiration,checksum,termination")
            #expect(response.headers[HTTPField.Name("Tus-Max-Size")!] == String(4 << 30))
            #expect(response.headers[HTTPField.Name("Tus-Checksum-Algorithm")!] == "sha1,sha256")
        }
    }

    @Test func aTusUploadResumesAtHeadOffsetAndIsReadBackWholeOrByRange() async throws {
        try await DocStoreHarness.with { harness in
            let token = try await harness.citizenToken()
            let data = Self.bytes(250_000)
            // Creation with the first chunk in the same request.
            let created = try await harness.send(.post, "/api/v1/files/tus", bearer: token, headers: [
                Self.tus: "1.0.0", HTTPField.Name("Upload-Length")!: "250000", .contentType: "application/offset+octet-stream",
                HTTPField.Name("Upload-Metadata")!: "filename \(Data("Bản sao CCCD.pdf".utf8).base64EncodedString()),filetype YXBwbGljYXRpb24vcGRm",
            ], body: ByteBuffer(bytes: data[0..<100_000]))
            #expect(created.status == .created)
            #expect(created.headers[Self.offset] == "100000")
            #expect(created.headers[Self.tus] == "1.0.0")
            #expect(created.headers[HTTPField.Name("Upload-Expires")!]?.hasSuffix("GMT") == true)
            let path = String(try #require(created.headers[.location]).dropFirst("http://lgsp.test".count))
            let id = String(path.split(separator: "/").last!)

            // Missing or wrong Tus-Resumable: 412; wrong content type: 415; wrong offset: 409.
            let noVersion = try await harness.send(.head, path, bearer: token)
            #expect(noVersion.status == .preconditionFailed)
            #expect(noVersion.headers[HTTPField.Name("Tus-Version")!] == "1.0.0")
            let wrongType = try await harness.send(.patch, path, bearer: token, headers: [Self.tus: "1.0.0", Self.offset: "100000", .contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(wrongType.status == .unsupportedMediaType)
            let wrongOffset = try await harness.send(.patch, path, bearer: token, headers: [Self.tus: "1.0.0", Self.offset: "5", .contentType: "application/offset+octet-stream"], body: ByteBuffer(bytes: [1]))
            #expect(wrongOffset.status == .conflict)
            #expect(wrongOffset.headers[Self.offset] == "100000")

            // A chunk with a wrong checksum: 460, offset unchanged.
            let bad = try await harness.send(.patch, path, bearer: token, headers: [
                Self.tus: "1.0.0", Self.offset: "100000", .contentType: "application/offset+octet-stream",
                HTTPField.Name("Upload-Checksum")!: "sha256 \(Data(SHA256.hash(data: [0])).base64EncodedString())",
            ], body: ByteBuffer(bytes: data[100_000..<200_000]))
            #expect(bad.status.code == 460, "\(String(buffer: bad.body))")
            let head = try await harness.send(.head, path, bearer: token, headers: [Self.tus: "1.0.0"])
            #expect(head.status == .ok)
            #expect(head.headers[Self.offset] == "100000")
            #expect(head.headers[HTTPField.Name("Upload-Length")!] == "250000")
            #expect(head.headers[.cacheControl] == "no-store")

            // Someone else cannot see or write it.
            let other = try await harness.citizenToken("066085000999")
            let stranger = try await harness.send(.head, path, bearer: other, headers: [Self.tus: "1.0.0"])
            #expect(stranger.status == .notFound)

            let good = try await harness.send(.patch, path, bearer: token, headers: [
                Self.tus: "1.0.0", Self.offset: "100000", .contentType: "application/offset+octet-stream",
                HTTPField.Name("Upload-Checksum")!: "sha1 \(Data(Insecure.SHA1.hash(data: data[100_000...])).base64EncodedString())",
            ], body: ByteBuffer(bytes: data[100_000...]))
            #expect(good.status == .noContent)
            #expect(good.headers[Self.offset] == "250000")
            #expect(good.headers[HTTPField.Name("Repr-Digest")!] == "sha-256=:\(Data(SHA256.hash(data: data)).base64EncodedString()):")

            let metadata = try await harness.send(.get, "/api/v1/files/\(id)/metadata", bearer: token)
            #expect(metadata.json?["sha256"]?.stringValue == Self.hex(data))
            #expect(metadata.json?["name"]?.stringValue == "Bản sao CCCD.pdf")
            #expect(metadata.json?["size"]?.intValue == 250_000)

            let whole = try await harness.send(.get, "/api/v1/files/\(id)", bearer: token)
            #expect(whole.status == .ok)
            #expect(Self.hex(Array(whole.body.readableBytesView)) == Self.hex(data))
            #expect(whole.headers[.contentType] == "application/pdf")
            #expect(whole.headers[.eTag] == "\"\(Self.hex(data))\"")
            #expect(whole.headers[.contentDisposition]?.contains("filename*=UTF-8''B%E1%BA%A3n%20sao%20CCCD.pdf") == true)
            let part = try await harness.send(.get, "/api/v1/files/\(id)", bearer: token, headers: [.range: "bytes=65530-131080"])
            #expect(part.status == .partialContent)
            #expect(part.headers[.contentRange] == "bytes 65530-131080/250000")
            #expect(Self.hex(Array(part.body.readableBytesView)) == Self.hex(Array(data[65530...131080])))
            let suffix = try await harness.send(.get, "/api/v1/files/\(id)", bearer: token, headers: [.range: "bytes=-10"])
            #expect(Self.hex(Array(suffix.body.readableBytesView)) == Self.hex(Array(data[249_990...])))
            let outside = try await harness.send(.get, "/api/v1/files/\(id)", bearer: token, headers: [.range: "bytes=250000-"])
            #expect(outside.status == .rangeNotSatisfiable)
            #expect(outside.headers[.contentRange] == "bytes */250000")
            let cached = try await harness.send(.get, "/api/v1/files/\(id)", bearer: token, headers: [.ifNoneMatch: "\"\(Self.hex(data))\""])
            #expect(cached.status == .notModified)
            let notYours = try await harness.send(.get, "/api/v1/files/\(id)", bearer: other)
            #expect(notYours.status == .notFound)

            // Termination.
            let deleted = try await harness.send(.delete, path, bearer: token, headers: [Self.tus: "1.0.0"])
            #expect(deleted.status == .noContent)
            let gone = try await harness.send(.get, "/api/v1/files/\(id)", bearer: token)
            #expect(gone.status == .notFound)
        }
    }

    @Test func deferredLengthAndCreationErrors() async throws {
        try await DocStoreHarness.with(configure: { $0.docStore.uploadMaxSize = ByteSize(bytes: 1_000_000) }) { harness in
            let token = try await harness.citizenToken()
            let tooBig = try await harness.send(.post, "/api/v1/files/tus", bearer: token, headers: [Self.tus: "1.0.0", HTTPField.Name("Upload-Length")!: "1000001"])
            #expect(tooBig.status == .contentTooLarge)
            let neither = try await harness.send(.post, "/api/v1/files/tus", bearer: token, headers: [Self.tus: "1.0.0"])
            #expect(neither.status == .badRequest)
            let badMetadata = try await harness.send(.post, "/api/v1/files/tus", bearer: token, headers: [
                Self.tus: "1.0.0", HTTPField.Name("Upload-Length")!: "10", HTTPField.Name("Upload-Metadata")!: "filename ***",
            ])
            #expect(badMetadata.status == .badRequest)
            let noToken = try await harness.send(.post, "/api/v1/files/tus", bearer: nil, headers: [Self.tus: "1.0.0", HTTPField.Name("Upload-Length")!: "10"])
            #expect(noToken.status == .unauthorized)

            let deferred = try await harness.send(.post, "/api/v1/files/tus", bearer: token, headers: [Self.tus: "1.0.0", HTTPField.Name("Upload-Defer-Length")!: "1"])
            #expect(deferred.status == .created)
            let path = String(try #require(deferred.headers[.location]).dropFirst("http://lgsp.test".count))
            let head = try await harness.send(.head, path, bearer: token, headers: [Self.tus: "1.0.0"])
            #expect(head.headers[HTTPField.Name("Upload-Defer-Length")!] == "1")
            let first = try await harness.send(.patch, path, bearer: token, headers: [Self.tus: "1.0.0", Self.offset: "0", .contentType: "application/offset+octet-stream"], body: ByteBuffer(bytes: Self.bytes(1000)))
            #expect(first.headers[Self.offset] == "1000")
            let last = try await harness.send(.patch, path, bearer: token, headers: [
                Self.tus: "1.0.0", Self.offset: "1000", .contentType: "application/offset+octet-stream", HTTPField.Name("Upload-Length")!: "1500",
            ], body: ByteBuffer(bytes: Self.bytes(1500)[1000...]))
            #expect(last.status == .noContent)
            #expect(last.headers[HTTPField.Name("Repr-Digest")!] != nil)
        }
    }

    @Test func aSmallFileInOneRequest() async throws {
        try await DocStoreHarness.with { harness in
            let token = try await harness.citizenToken()
            let data = Self.bytes(5000)
            let created = try await harness.send(.post, "/api/v1/files?name=anh-the.jpg&sha256=\(Self.hex(data))", bearer: token,
                                                 headers: [.contentType: "image/jpeg"], body: ByteBuffer(bytes: data))
            #expect(created.status == .created, "\(String(buffer: created.body))")
            #expect(created.json?["sha256"]?.stringValue == Self.hex(data))
            #expect(created.json?["mediaType"]?.stringValue == "image/jpeg")
            let id = try #require(created.json?["id"]?.stringValue)
            let read = try await harness.send(.get, "/api/v1/files/\(id)", bearer: token)
            #expect(Self.hex(Array(read.body.readableBytesView)) == Self.hex(data))
            let wrong = try await harness.send(.post, "/api/v1/files?sha256=\(Self.hex([1]))", bearer: token, headers: [.contentType: "image/jpeg"], body: ByteBuffer(bytes: data))
            #expect(wrong.status.code == 460)
            let rows = try await harness.platform.database.sql.raw("SELECT COUNT(*) AS n FROM doc_uploads").first()!.decode(column: "n", as: Int.self)
            #expect(rows == 1)
        }
    }
}
