import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// Reads the national data dictionary (`…/dictionary/v1`): a catalog's description and version with an
/// ETag, then its concepts page by page. Every page must name the same version: a dictionary that changes
/// in the middle of a read is read again next time, never mixed.
struct DictionaryClient: Sendable {
    let timeout: Duration

    init(timeout: Duration = .seconds(30)) {
        self.timeout = timeout
    }

    /// A catalog as the dictionary describes it.
    struct RemoteCatalog: Decodable, Sendable {
        let key: String
        let name: String
        let nameEn: String?
        let description: String?
        let ownerAgency: String?
        let legalBasis: String?
        /// The dictionary's version identifier.
        let version: String
        let label: String?
        let effectiveFrom: Day?
        let effectiveTo: Day?
        let conceptCount: Int
        let pageCount: Int
        let mappings: [RemoteMapping]?
    }

    struct RemoteMapping: Decodable, Sendable {
        let target: String
        let description: String?
        let elements: [MappingElement]
    }

    struct RemotePage: Decodable, Sendable {
        let version: String
        let page: Int
        let pageCount: Int
        let concepts: [Concept]
    }

    /// What a read found.
    enum Answer: Sendable {
        /// 304: the ETag sent is still the dictionary's.
        case notModified
        case content(RemoteCatalog, concepts: [Concept], etag: String?)
    }

    struct Failure: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30)))
    )

    func fetch(base: String, key: String, ifNoneMatch: String?) async throws -> Answer {
        let catalogURL = "\(base)/catalogs/\(key)"
        let (status, etag, body) = try await get(catalogURL, ifNoneMatch: ifNoneMatch)
        if status == 304 { return .notModified }
        guard status == 200 else {
            throw Failure(description: status == 404 ? "từ điển không có danh mục “\(key)”" : "từ điển trả lời HTTP \(status) cho \(catalogURL)")
        }
        let catalog: RemoteCatalog
        do {
            catalog = try JSONDecoder().decode(RemoteCatalog.self, from: body)
        } catch {
            throw Failure(description: "mô tả danh mục từ từ điển không đúng định dạng")
        }
        guard catalog.pageCount >= 0, catalog.pageCount <= 10_000, catalog.conceptCount >= 0 else {
            throw Failure(description: "số trang hoặc số mã từ từ điển không hợp lệ")
        }
        var concepts: [Concept] = []
        concepts.reserveCapacity(catalog.conceptCount)
        for page in 0..<catalog.pageCount {
            let (pageStatus, _, pageBody) = try await get("\(catalogURL)/concepts?page=\(page + 1)", ifNoneMatch: nil)
            guard pageStatus == 200 else {
                throw Failure(description: "từ điển trả lời HTTP \(pageStatus) ở trang \(page + 1)/\(catalog.pageCount)")
            }
            let decoded: RemotePage
            do {
                decoded = try JSONDecoder().decode(RemotePage.self, from: pageBody)
            } catch {
                throw Failure(description: "trang \(page + 1) từ từ điển không đúng định dạng")
            }
            guard decoded.version == catalog.version, decoded.page == page + 1 else {
                throw Failure(description: "từ điển đổi phiên bản trong lúc đọc (\(catalog.version) → \(decoded.version)); sẽ đọc lại lần sau")
            }
            concepts += decoded.concepts
        }
        guard concepts.count == catalog.conceptCount else {
            throw Failure(description: "từ điển báo \(catalog.conceptCount) mã nhưng các trang có \(concepts.count)")
        }
        return .content(catalog, concepts: concepts, etag: etag)
    }

    private func get(_ url: String, ifNoneMatch: String?) async throws -> (Int, String?, Data) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "LGSP-CatalogSync/1")
        if let ifNoneMatch { request.headers.add(name: "If-None-Match", value: ifNoneMatch) }
        let timeout = self.timeout
        let prepared = request
        do {
            return try await withDeadline(timeout) {
                let response = try await Self.client.execute(prepared, timeout: .seconds(Int64(timeout.components.seconds)))
                let body = try await response.body.collect(upTo: 64 << 20)
                return (Int(response.status.code), response.headers.first(name: "ETag"), Data(buffer: body))
            }
        } catch is DeadlineExceeded {
            throw Failure(description: "từ điển không trả lời trong \(timeout) (\(url))")
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "không kết nối được tới từ điển (\(type(of: error)))")
        }
    }
}
