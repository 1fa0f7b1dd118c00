import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App
@testable import Catalogs

/// The catalog API over the real seed catalogs (R-7.1b-catalog, R-9.4, R-17.12).
@Suite struct CatalogAPITests {
    static let base = CatalogHarness.base

    // R-7.1b-catalog: the 2025 units, with Đắk Lắk's 102 communes and wards under province 66.
    @Test func daklakHasExactlyItsHundredAndTwoCommunesAndWards() async throws {
        try await CatalogHarness.with { harness in
            let page = try await harness.json("\(Self.base)/don-vi-hanh-chinh/concepts?parent=66&limit=1000")
            let items = try #require(page["items"]?.arrayValue)
            #expect(page["total"] == 102)
            #expect(items.count == 102)
            #expect(items.allSatisfy { $0["parent"] == "66" && $0["level"] == "commune" })
            let codes = Set(items.compactMap { $0["code"]?.stringValue })
            #expect(codes.count == 102 && codes.contains("24133") && codes.contains("22015"))
            let units = items.compactMap { $0["properties"]?["unitType"]?.stringValue }
            #expect(units.filter { $0 == "Xã" }.count == 88 && units.filter { $0 == "Phường" }.count == 14)
            // The whole catalog: 34 provinces at the top, 3,321 communes below them.
            let top = try await harness.json("\(Self.base)/don-vi-hanh-chinh/concepts?parent=&limit=100")
            #expect(top["total"] == 34)
            let communes = try await harness.json("\(Self.base)/don-vi-hanh-chinh/concepts?level=commune&limit=1")
            #expect(communes["total"] == 3321)
            let catalog = try await harness.json("\(Self.base)/don-vi-hanh-chinh")
            #expect(catalog["conceptCount"] == 3355)
            #expect(catalog["source"]?["kind"] == "national")
            #expect(catalog["source"]?["legalBasis"]?.stringValue?.contains("19/2025/QĐ-TTg") == true)
            // Paging: a next link while there is more.
            let first = try await harness.json("\(Self.base)/don-vi-hanh-chinh/concepts?parent=66&limit=40")
            #expect(first["items"]?.arrayValue?.count == 40)
            let next = try #require(first["next"]?.stringValue)
            let second = try await harness.json(next)
            #expect(second["offset"] == 40 && second["items"]?.arrayValue?.first?["code"] != first["items"]?.arrayValue?.first?["code"])
        }
    }

    @Test func everySeedCatalogRecordsItsSource() async throws {
        try await CatalogHarness.with { harness in
            let list = try await harness.json(Self.base)
            let items = try #require(list["items"]?.arrayValue)
            let counts = Dictionary(uniqueKeysWithValues: items.map { ($0["key"]?.stringValue ?? "", $0["conceptCount"]?.intValue ?? 0) })
            #expect(counts == [
                "dan-toc": 55, "dan-toc-qd1019": 20, "ton-giao": 14, "gioi-tinh": 4, "don-vi-hanh-chinh": 3355,
                "don-vi-hanh-chinh-truoc-2025": 312, "quoc-tich": 249,
            ])
            #expect(items.allSatisfy { $0["source"]?["legalBasis"]?.stringValue?.isEmpty == false })
            let vietnam = try await harness.json("\(Self.base)/quoc-tich/concepts/VN")
            #expect(vietnam["display"] == "Việt Nam" && vietnam["properties"]?["alpha3"] == "VNM")
            // The two ethnic-group lists are different catalogs, mapped where both are known.
            let hoa = try await harness.json("\(Self.base)/dan-toc/$translate?code=04&target=dan-toc-qd1019")
            #expect(hoa["matches"]?.arrayValue?.first?["display"]?.stringValue?.hasPrefix("Hoa") == true)
            #expect(hoa["matches"]?.arrayValue?.first?["code"] != "04")
        }
    }

    // Acceptance: an old Buôn Ma Thuột ward translates to its new ward; search finds it without accents.
    @Test func oldWardsTranslateToNewOnesAndSearchIgnoresAccents() async throws {
        try await CatalogHarness.with { harness in
            // Phường Tân Lợi (old Buôn Ma Thuột city) was merged whole into Phường Buôn Ma Thuột.
            let forward = try await harness.json("\(Self.base)/don-vi-hanh-chinh-truoc-2025/$translate?code=24136&target=don-vi-hanh-chinh")
            #expect(forward["result"] == true)
            #expect(forward["display"] == "Phường Tân Lợi")
            let match = try #require(forward["matches"]?.arrayValue?.first)
            #expect(match["code"] == "24133" && match["display"] == "Phường Buôn Ma Thuột")
            #expect(match["kind"] == "merged-whole" && match["kindName"] == "Nhập toàn bộ" && match["relationship"] == "source-is-narrower-than-target")
            #expect(match["inCurrentTarget"] == true)
            // Reverse: which old units formed the new ward.
            let reverse = try await harness.json("\(Self.base)/don-vi-hanh-chinh/$translate?code=24133&source=don-vi-hanh-chinh-truoc-2025")
            #expect(Set(reverse["matches"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []) == ["24133", "24136", "24142", "24145", "24148", "24160"])
            // An old unit split between several new ones lists them all.
            let parts = try await harness.json("\(Self.base)/don-vi-hanh-chinh-truoc-2025/concepts?limit=1000")
            #expect(parts["total"] == 312)
            // Unknown code: a clear negative answer, not an error.
            let unknown = try await harness.json("\(Self.base)/don-vi-hanh-chinh-truoc-2025/$translate?code=99999&target=don-vi-hanh-chinh")
            #expect(unknown["result"] == false && unknown["message"]?.stringValue?.contains("99999") == true)
            let noMap = try await harness.get("\(Self.base)/dan-toc/$translate?code=01&target=quoc-tich")
            #expect(noMap.status == .notFound)

            for query in ["buon%20ma%20thuot", "BUÔN%20MA%20THUỘT", "buon%20ma", "Bu%C3%B4n%20M"] {
                let found = try await harness.json("\(Self.base)/don-vi-hanh-chinh/concepts?q=\(query)")
                #expect(found["items"]?.arrayValue?.first?["code"] == "24133", "\(query)")
            }
            let province = try await harness.json("\(Self.base)/don-vi-hanh-chinh/concepts?q=dak%20lak")
            #expect(province["items"]?.arrayValue?.first?["display"] == "Tỉnh Đắk Lắk")
            // Search within a parent.
            let inDakLak = try await harness.json("\(Self.base)/don-vi-hanh-chinh/concepts?q=ea&parent=66&limit=1000")
            #expect((inDakLak["items"]?.arrayValue ?? []).allSatisfy { $0["parent"] == "66" })
            #expect((inDakLak["total"]?.intValue ?? 0) > 5)
        }
    }

    @Test func lookupAndValidateAnswerFromTheIndex() async throws {
        try await CatalogHarness.with { harness in
            let lookup = try await harness.json("\(Self.base)/don-vi-hanh-chinh/$lookup?code=24133")
            #expect(lookup["display"] == "Phường Buôn Ma Thuột")
            #expect(lookup["ancestors"]?.arrayValue?.first?["display"] == "Tỉnh Đắk Lắk")
            let province = try await harness.json("\(Self.base)/don-vi-hanh-chinh/$lookup?code=66")
            #expect(province["childCount"] == 102)
            #expect(try await harness.get("\(Self.base)/don-vi-hanh-chinh/$lookup?code=00000").status == .notFound)

            let valid = try await harness.json("\(Self.base)/dan-toc/$validate-code?code=01&display=kinh")
            #expect(valid["result"] == true && valid["outcome"] == "valid")
            let mismatch = try await harness.json("\(Self.base)/dan-toc/$validate-code?code=01&display=T%C3%A0y")
            #expect(mismatch["result"] == false && mismatch["outcome"] == "display-mismatch")
            let unknown = try await harness.json("\(Self.base)/dan-toc/$validate-code?code=56")
            #expect(unknown["result"] == false && unknown["outcome"] == "unknown-code")
            // Old units: valid on the eve of the reorganisation, not today.
            let before = try await harness.json("\(Self.base)/don-vi-hanh-chinh-truoc-2025/$validate-code?code=24136&at=2025-06-30")
            #expect(before["result"] == true)
            let after = try await harness.json("\(Self.base)/don-vi-hanh-chinh-truoc-2025/$validate-code?code=24136")
            #expect(after["result"] == false && after["outcome"] == "not-in-force")
            // The new units did not exist yet on 30 June 2025.
            let tooEarly = try await harness.get("\(Self.base)/don-vi-hanh-chinh/$validate-code?code=24133&at=2025-06-30")
            #expect(tooEarly.status == .notFound)
            let bad = try await harness.get("\(Self.base)/dan-toc/$validate-code?code=01&at=30/06/2025")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.headers[.contentType]?.hasPrefix("application/problem+json") == true)

            // The same answers for other modules, through Core's CodeLookup.
            let lookupService = harness.platform.catalogs.codeLookup
            #expect(try await lookupService.validate(code: "24133", in: "don-vi-hanh-chinh").display == "Phường Buôn Ma Thuột")
            #expect(try await lookupService.validate(code: "24136", in: "don-vi-hanh-chinh-truoc-2025").outcome == .notInForce)
            #expect(try await lookupService.validate(code: "24136", in: "don-vi-hanh-chinh-truoc-2025", on: Timestamp.date(from: "2025-06-01T00:00:00Z")).isValid)
            #expect(try await lookupService.validate(code: "01", in: "khong-co").outcome == .unknownCatalog)
        }
    }

    // Every read has a strong ETag, 304 on revalidation, and a publish changes it at once.
    @Test func readsRevalidateAndAPublishChangesTheETagAtOnce() async throws {
        try await CatalogHarness.with { harness in
            let admin = try await harness.adminToken()
            let uris = [
                "\(Self.base)/dan-toc/concepts/01", "\(Self.base)/dan-toc/concepts?q=kinh", "\(Self.base)/dan-toc/$validate-code?code=01",
                "\(Self.base)/dan-toc/$lookup?code=01", "\(Self.base)/dan-toc", "\(Self.base)/dan-toc/versions/current/export?format=csv",
                "\(Self.base)/dan-toc/translate-not-a-route",
            ]
            var tags: [String: String] = [:]
            for uri in uris.dropLast() {
                let first = try await harness.get(uri)
                #expect(first.status == .ok, "\(uri)")
                let etag = try #require(first.headers[.eTag], "\(uri)")
                #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"), "strong ETag for \(uri)")
                #expect(first.headers[.cacheControl] == "public, no-cache")
                let again = try await harness.get(uri, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified, "\(uri)")
                #expect(again.body.readableBytes == 0)
                #expect(again.headers[.eTag] == etag)
                let other = try await harness.get(uri, headers: [.ifNoneMatch: "\"something-else\", W/\(etag)"])
                #expect(other.status == .notModified, "weak comparison for \(uri)")
                tags[uri] = etag
            }
            // Representations differ: different tags.
            let json = try await harness.get("\(Self.base)/dan-toc/versions/current/export")
            #expect(json.headers[.eTag] != tags["\(Self.base)/dan-toc/versions/current/export?format=csv"])

            // Publish a version where 01 is renamed.
            let draft = try await harness.draft("dan-toc", token: admin)
            let put = try await harness.send(.put, "\(Self.base)/dan-toc/versions/\(draft)/concepts/01", bearer: admin, body: #"{"code":"01","display":"Kinh (Việt)","properties":{"slug":"KINH"}}"#)
            #expect(put.status == .ok, "\(String(buffer: put.body))")
            // A draft does not change what is served.
            let unchanged = try await harness.get(uris[0], headers: [.ifNoneMatch: tags[uris[0]]!])
            #expect(unchanged.status == .notModified)
            let published = try await harness.publish("dan-toc", draft, token: admin)
            #expect(published["summary"]?["changed"] == 1 && published["previousVersion"] == 1)
            for uri in uris.dropLast() {
                let after = try await harness.get(uri, headers: [.ifNoneMatch: tags[uri]!])
                #expect(after.status == .ok, "stale after publish: \(uri)")
                #expect(after.headers[.eTag] != tags[uri])
            }
            let renamed = try await harness.json(uris[0])
            #expect(renamed["display"] == "Kinh (Việt)" && renamed["version"] == 2)
            // The old version stays readable by number.
            let old = try await harness.json("\(Self.base)/dan-toc/concepts/01?version=1")
            #expect(old["display"] == "Kinh" && old["version"] == 1)
            // And the diff says what changed.
            let diff = try await harness.json("\(Self.base)/dan-toc/diff?from=1&to=2")
            #expect(diff["summary"]?["changed"] == 1 && diff["summary"]?["added"] == 0)
            #expect(diff["changed"]?.arrayValue?.first?["fields"]?.arrayValue?.first?["field"] == "display")
            #expect(diff["changed"]?.arrayValue?.first?["fields"]?.arrayValue?.first?["from"] == "Kinh")
        }
    }

    // Acceptance: an exported CSV imported into a new draft gives identical concepts; JSON carries mappings too.
    @Test func exportsRoundTripThroughImport() async throws {
        try await CatalogHarness.with { harness in
            let admin = try await harness.adminToken()
            for (key, format, bom) in [("don-vi-hanh-chinh", "csv", true), ("dan-toc", "csv", false), ("don-vi-hanh-chinh-truoc-2025", "json", false)] {
                let exported = try await harness.get("\(Self.base)/\(key)/versions/1/export?format=\(format)\(bom ? "&bom=true" : "")")
                #expect(exported.status == .ok)
                let text = String(buffer: exported.body)
                if bom { #expect(text.hasPrefix("\u{FEFF}code,display,")) }
                #expect(exported.headers[.contentDisposition]?.contains("\(key)-v1.\(format)") == true)
                let draft = try await harness.draft(key, token: admin, copyFrom: 0)
                let imported = try await harness.send(
                    .put, "\(Self.base)/\(key)/versions/\(draft)/concepts", bearer: admin, body: text,
                    contentType: format == "csv" ? "text/csv; charset=utf-8" : "application/json"
                )
                #expect(imported.status == .ok, "\(key): \(String(buffer: imported.body).prefix(500))")
                let original = try await harness.json("\(Self.base)/\(key)/versions/1/export?format=json", bearer: admin)
                let copy = try await harness.json("\(Self.base)/\(key)/versions/\(draft)/export?format=json", bearer: admin)
                #expect(original["concepts"] == copy["concepts"], "\(key)")
                if format == "json" {
                    #expect(original["mappings"] == copy["mappings"])
                    #expect(copy["mappings"]?.arrayValue?.first?["elements"]?.arrayValue?.count == 296)
                }
                // Publishing identical content gives the same digest (a CSV carries concepts only, not mappings).
                let published = try await harness.publish(key, draft, token: admin)
                let sameContent = format == "json" || (original["mappings"]?.arrayValue ?? []).isEmpty
                #expect((published["version"]?["contentHash"] == original["version"]?["contentHash"]) == sameContent, "\(key)")
                #expect(published["summary"]?["added"] == 0 && published["summary"]?["changed"] == 0 && published["summary"]?["removed"] == 0)
            }
            let xml = try await harness.get("\(Self.base)/gioi-tinh/versions/current/export", headers: [.accept: "application/xml"])
            #expect(xml.headers[.contentType]?.hasPrefix("application/xml") == true)
            #expect(String(buffer: xml.body).contains("<display>Nữ</display>"))
            let csv = try await harness.get("\(Self.base)/gioi-tinh/concepts", headers: [.accept: "text/csv;q=0.9, application/xml;q=0.5"])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let refused = try await harness.get("\(Self.base)/gioi-tinh/concepts", headers: [.accept: "image/png"])
            #expect(refused.status == .notAcceptable)
        }
    }

    @Test func importsAreRejectedWholeWithLineAndReason() async throws {
        try await CatalogHarness.with { harness in
            let admin = try await harness.adminToken()
            let draft = try await harness.draft("ton-giao", token: admin)
            let csv = """
                code,display,parent,validFrom,validTo
                01,Phật giáo,,,
                02,Công giáo,,,
                02,Trùng mã,,,
                03,Mồ côi,99,,
                04,Vòng A,05,,
                05,Vòng B,04,,
                06,Ngày sai,,2025-07-01,2025-01-01
                07,Ngày không có,,2025-02-30,

                """
            let rejected = try await harness.send(.put, "\(Self.base)/ton-giao/versions/\(draft)/concepts", bearer: admin, body: csv, contentType: "text/csv")
            #expect(rejected.status == .unprocessableContent)
            #expect(rejected.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            let errors = try #require(rejected.json?["errors"]?.arrayValue)
            let byLine = Dictionary(grouping: errors, by: { $0["line"]?.intValue ?? 0 })
            #expect(byLine.keys.sorted() == [9])  // the date cell is checked while reading; nothing else is looked at
            // Fix the unreadable date: every remaining problem is reported at once.
            let second = try await harness.send(
                .put, "\(Self.base)/ton-giao/versions/\(draft)/concepts", bearer: admin,
                body: csv.replacingOccurrences(of: "2025-02-30", with: "2025-02-28"), contentType: "text/csv"
            )
            let remaining = try #require(second.json?["errors"]?.arrayValue)
            func messages(_ line: Int64) -> [String] { remaining.filter { $0["line"]?.intValue == line }.compactMap { $0["message"]?.stringValue } }
            #expect(messages(4).contains { $0.contains("trùng") })
            #expect(messages(5).contains { $0.contains("Mã cha “99”") })
            #expect(messages(6).contains { $0.contains("vòng lặp") })
            #expect(messages(8).contains { $0.contains("phải sau") })
            // Nothing was stored: the draft still has the 14 religions it was copied with.
            let kept = try await harness.json("\(Self.base)/ton-giao/concepts?version=\(draft)&limit=1", bearer: admin)
            #expect(kept["total"] == 14)
            // Not CSV or JSON: 415.
            let wrongType = try await harness.send(.put, "\(Self.base)/ton-giao/versions/\(draft)/concepts", bearer: admin, body: "x", contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType)
            // Published versions cannot be edited.
            let published = try await harness.send(.put, "\(Self.base)/ton-giao/versions/1/concepts/01", bearer: admin, body: #"{"code":"01","display":"x"}"#)
            #expect(published.status == .conflict)
            // One draft at a time.
            let second2 = try await harness.send(.post, "\(Self.base)/ton-giao/versions", bearer: admin, body: "{}")
            #expect(second2.status == .conflict)
            // A parent cannot be removed while it has children.
            let units = try await harness.draft("don-vi-hanh-chinh", token: admin)
            let parent = try await harness.send(.delete, "\(Self.base)/don-vi-hanh-chinh/versions/\(units)/concepts/66", bearer: admin)
            #expect(parent.status == .conflict)
            // Merge (POST) adds to what is there.
            let merged = try await harness.send(
                .post, "\(Self.base)/ton-giao/versions/\(draft)/concepts", bearer: admin, body: "code,display\n15,Tôn giáo thử\n01,Phật giáo (sửa)\n",
                contentType: "text/csv"
            )
            #expect(merged.status == .ok, "\(String(buffer: merged.body))")
            #expect(merged.json?["concepts"] == 15 && merged.json?["added"] == 1 && merged.json?["updated"] == 1)
        }
    }

    // R-17.12 open data for everyone; other catalogs need catalogs.read; writes need catalogs.admin.
    @Test func accessFollowsTheCatalogAndTheScope() async throws {
        try await CatalogHarness.with { harness in
            let admin = try await harness.adminToken()
            let created = try await harness.send(.post, Self.base, bearer: admin, body: #"""
                {"key":"can-bo-noi-bo","name":"Mã ngạch nội bộ","source":{"kind":"provincial","legalBasis":"Quyết định thử nghiệm"},"open":false}
                """#)
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let draft = try await harness.draft("can-bo-noi-bo", token: admin)
            _ = try await harness.send(.put, "\(Self.base)/can-bo-noi-bo/versions/\(draft)/concepts", bearer: admin, body: "code,display\nA1,Ngạch A1\n", contentType: "text/csv")
            _ = try await harness.publish("can-bo-noi-bo", draft, token: admin)

            let anonymous = try await harness.get("\(Self.base)/can-bo-noi-bo/concepts")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let other = try await harness.token(["lgsp.metrics"], client: "metrics-only")
            #expect(try await harness.get("\(Self.base)/can-bo-noi-bo/concepts", bearer: other).status == .forbidden)
            let reader = try await harness.token(["catalogs.read"], client: "reader")
            #expect(try await harness.get("\(Self.base)/can-bo-noi-bo/concepts/A1", bearer: reader).status == .ok)
            let listed = try await harness.json(Self.base)
            #expect(!(listed["items"]?.arrayValue ?? []).contains { $0["key"] == "can-bo-noi-bo" })
            let listedWithToken = try await harness.json(Self.base, bearer: reader)
            #expect((listedWithToken["items"]?.arrayValue ?? []).contains { $0["key"] == "can-bo-noi-bo" })
            let closed = try await harness.get("\(Self.base)/can-bo-noi-bo/concepts/A1", bearer: reader)
            #expect(closed.headers[.cacheControl] == "private, no-cache")
            // An invalid token is refused even on open catalogs.
            #expect(try await harness.get("\(Self.base)/dan-toc", bearer: "not-a-token").status == .unauthorized)
            // Writes need catalogs.admin; readers cannot see drafts.
            #expect(try await harness.send(.post, "\(Self.base)/dan-toc/versions", bearer: reader, body: "{}").status == .forbidden)
            #expect(try await harness.send(.post, "\(Self.base)/dan-toc/versions", bearer: nil, body: "{}").status == .unauthorized)
            let adminDraft = try await harness.draft("dan-toc", token: admin)
            #expect(try await harness.get("\(Self.base)/dan-toc/concepts?version=\(adminDraft)", bearer: reader).status == .forbidden)
            #expect(try await harness.get("\(Self.base)/dan-toc/concepts?version=\(adminDraft)").status == .unauthorized)
            let versions = try await harness.json("\(Self.base)/dan-toc/versions")
            #expect(versions["items"]?.arrayValue?.count == 1)
            // Bad keys and reserved names.
            let reserved = try await harness.send(.post, Self.base, bearer: admin, body: #"{"key":"webhooks","name":"x","source":{"kind":"provincial"}}"#)
            #expect(reserved.status == .unprocessableContent)
            let duplicate = try await harness.send(.post, Self.base, bearer: admin, body: #"{"key":"dan-toc","name":"x","source":{"kind":"provincial"}}"#)
            #expect(duplicate.status == .conflict)
            #expect(try await harness.get("\(Self.base)/khong-co/concepts").status == .notFound)
        }
    }

    // R-14.5: every change is in the audit log, publications with their diff.
    @Test func changesAreAuditedWithTheirDiff() async throws {
        try await CatalogHarness.with { harness in
            let admin = try await harness.adminToken()
            let draft = try await harness.draft("gioi-tinh", token: admin)
            _ = try await harness.send(.delete, "\(Self.base)/gioi-tinh/versions/\(draft)/concepts/9", bearer: admin)
            _ = try await harness.publish("gioi-tinh", draft, token: admin)
            let retired = try await harness.send(.post, "\(Self.base)/gioi-tinh/versions/1/retire", bearer: admin)
            #expect(retired.status == .ok)
            let entries = try await harness.platform.services.audit.entries(after: 0, limit: 10_000)
            let actions = entries.map(\.event.action)
            #expect(actions.contains("catalogs.version.draft") && actions.contains("catalogs.concept.delete") && actions.contains("catalogs.version.retire"))
            let publish = try #require(entries.last { $0.event.action == "catalogs.version.publish" && $0.event.objectID == "gioi-tinh/\(draft)" })
            #expect(publish.event.details["removed"] == "1" && publish.event.details["removedCodes"] == "9")
            #expect(publish.event.client == "catalog-admin")
            #expect(publish.event.digests["content"]?.hasPrefix("sha256:") == true)
            // Retiring the old version leaves version 2 current; version 1 stays readable by number.
            let catalog = try await harness.json("\(Self.base)/gioi-tinh")
            #expect(catalog["currentVersion"] == .integer(Int64(draft)))
            #expect(try await harness.get("\(Self.base)/gioi-tinh/concepts/9?version=1").status == .ok)
            #expect(try await harness.get("\(Self.base)/gioi-tinh/concepts/9").status == .notFound)
            let verified = try await AuditVerifier(log: harness.platform.services.audit).verify()
            #expect(verified.isIntact)
        }
    }
}
