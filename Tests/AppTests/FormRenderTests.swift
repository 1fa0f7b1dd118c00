import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import App

/// The presentation service (R-7.1c-content "dịch vụ trình diễn"): accessible Vietnamese HTML from each
/// seed form, the same validation on post with errors beside the fields, the commune list following the
/// province without JavaScript, and a printable submission.
@Suite struct FormRenderTests {
    static let base = "/api/v1/forms"
    static let seedForms = ["mau-01-dang-ky-chia-se-du-lieu", "mau-02-dang-ky-khai-thac-du-lieu", "mau-03-cam-ket-an-toan-thong-tin", "to-khai-dang-ky-khai-sinh"]

    /// Every control a person fills in: (tag, id, type).
    static func controls(_ html: String) -> [(tag: String, id: String?, type: String?)] {
        html.matches(of: /<(input|select|textarea)\b([^>]*)>/).map { match in
            let attributes = String(match.output.2)
            let id = attributes.firstMatch(of: /\bid="([^"]*)"/).map { String($0.output.1) }
            let type = attributes.firstMatch(of: /\btype="([^"]*)"/).map { String($0.output.1) }
            return (String(match.output.1), id, type)
        }.filter { $0.type != "hidden" }
    }

    static func post(_ harness: CatalogHarness, _ key: String, _ pairs: [(String, String)]) async throws -> TestResponse {
        let body = pairs.map { "\(FormFields.encode($0.0))=\(FormFields.encode($0.1))" }.joined(separator: "&")
        return try await harness.send(.post, "\(base)/\(key)/render", bearer: nil, body: body, contentType: "application/x-www-form-urlencoded")
    }

    @Test func everyInputOfEverySeedFormHasItsLabel() async throws {
        try await CatalogHarness.with { harness in
            for key in Self.seedForms {
                let response = try await harness.get("\(Self.base)/\(key)/render")
                #expect(response.status == .ok, "\(key)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                let html = String(buffer: response.body)
                #expect(html.contains("<html lang=\"vi\">"))
                let controls = Self.controls(html)
                #expect(controls.count >= 10, "\(key): \(controls.count) controls")
                for control in controls {
                    let id = try #require(control.id, "\(key): a \(control.tag) without id")
                    #expect(html.contains("<label for=\"\(id)\">"), "\(key): no <label for=\"\(id)\">")
                }
                #expect(html.contains("aria-required=\"true\""))
            }
        }
    }

    @Test func anInvalidPostComesBackWithTheErrorsBesideTheFields() async throws {
        try await CatalogHarness.with { harness in
            let response = try await Self.post(harness, "to-khai-dang-ky-khai-sinh", [
                ("_version", "1"), ("kinhGui", "UBND phường Buôn Ma Thuột"), ("treEm/ngaySinh", "2999-01-01"), ("treEm/ho", "Niê"),
                ("nguoiYeuCau/soDinhDanh", "12345"), ("soBanSao", "hai"),
            ])
            #expect(response.status == .unprocessableContent)
            let html = String(buffer: response.body)
            #expect(html.contains("role=\"alert\""))
            // Each message sits beside its field, which says it is invalid and points at the message.
            #expect(html.contains("id=\"f-treEm-ngaySinh\" name=\"treEm/ngaySinh\" required aria-required=\"true\" aria-invalid=\"true\" aria-describedby=\"f-treEm-ngaySinh-loi\""))
            #expect(html.contains("<p class=\"error\" id=\"f-treEm-ngaySinh-loi\">Ngày sinh không được sau ngày hiện tại.</p>"))
            #expect(html.contains("id=\"f-soBanSao-loi\">Số bản sao trích lục yêu cầu phải là số nguyên.</p>"))
            #expect(html.contains("id=\"f-treEm-chuDemVaTen-loi\">Chữ đệm và tên là bắt buộc.</p>"))
            #expect(html.contains("<a href=\"#f-nguoiYeuCau-soDinhDanh\">Số định danh cá nhân: Số định danh cá nhân phải có đúng 12 chữ số.</a>"))
            // What was typed is kept.
            #expect(html.contains("value=\"Niê\"") && html.contains("value=\"UBND phường Buôn Ma Thuột\""))
        }
    }

    @Test func theCommuneListFollowsTheProvinceWithoutJavaScript() async throws {
        try await CatalogHarness.with { harness in
            let first = String(buffer: try await harness.get("\(Self.base)/to-khai-dang-ky-khai-sinh/render").body)
            #expect(first.contains("name=\"_refresh\" value=\"treEm/noiSinhTinh\""), "a refresh button beside the province")
            #expect(!first.contains("Phường Buôn Ma Thuột"))
            let refreshed = try await Self.post(harness, "to-khai-dang-ky-khai-sinh", [("_version", "1"), ("treEm/noiSinhTinh", "66"), ("_refresh", "treEm/noiSinhTinh")])
            #expect(refreshed.status == .ok)
            let html = String(buffer: refreshed.body)
            #expect(!html.contains("role=\"alert\""), "a refresh is not a submission")
            let communes = try #require(html.firstMatch(of: /<select id="f-treEm-noiSinhXa"[^>]*>(.*?)<\/select>/.dotMatchesNewlines()))
            let options = String(communes.output.1).matches(of: /<option value="(\d+)"/).map { String($0.output.1) }
            #expect(options.count == 102 && options.contains("24133"))
            #expect(html.contains("<option value=\"66\" selected>Tỉnh Đắk Lắk</option>"))
        }
    }

    @Test func aValidPostAndAPrintedSubmission() async throws {
        try await CatalogHarness.with { harness in
            let pairs: [(String, String)] = [
                ("_version", "1"), ("kinhGui", "Ủy ban nhân dân phường Buôn Ma Thuột"),
                ("nguoiYeuCau/hoTen", "H Hen Niê"), ("nguoiYeuCau/soDinhDanh", "066190000123"), ("nguoiYeuCau/quanHe", "mẹ"), ("nguoiYeuCau/dienThoai", "0912345678"),
                ("treEm/ho", "Niê"), ("treEm/chuDemVaTen", "H Ngọc"), ("treEm/ngaySinh", "2026-11-01"), ("treEm/gioiTinh", "2"), ("treEm/danToc", "10"),
                ("treEm/quocTich", "VN"), ("treEm/noiSinhTinh", "66"), ("treEm/noiSinhXa", "24133"),
                ("me/hoTen", "H Hen Niê"), ("me/namSinh", "1990"), ("me/danToc", "10"), ("me/quocTich", "VN"), ("me/noiCuTru", "Phường Buôn Ma Thuột"),
                ("soBanSao", "1"), ("camDoan", "on"),
            ]
            let response = try await Self.post(harness, "to-khai-dang-ky-khai-sinh", pairs)
            let html = String(buffer: response.body)
            #expect(response.status == .ok, "\(html.firstMatch(of: /<div class="summary".*?<\/div>/.dotMatchesNewlines()).map { String($0.output) } ?? "")")
            #expect(html.contains("Dữ liệu hợp lệ."))

            let portal = try await FormAPITests.token(harness, "cong-dich-vu-cong", ["forms.submit"])
            let submitted = try await harness.send(.post, "\(Self.base)/to-khai-dang-ky-khai-sinh/submissions", bearer: portal, body: #"{"data": \#(FormAPITests.birth)}"#)
            #expect(submitted.status == .created, "\(String(buffer: submitted.body))")
            let id = try #require(submitted.json?["id"]?.stringValue)
            let print = try await harness.get("\(Self.base)/to-khai-dang-ky-khai-sinh/submissions/\(id)/print", bearer: portal)
            #expect(print.status == .ok)
            let printed = String(buffer: print.body)
            #expect(printed.contains("<dt>Nơi sinh: xã/phường</dt><dd>Phường Buôn Ma Thuột (24133)</dd>"))
            #expect(printed.contains("<dt>Nơi sinh: tỉnh/thành phố</dt><dd>Tỉnh Đắk Lắk (66)</dd>"))
            #expect(printed.contains("phiên bản 1") && printed.contains(id))
            #expect(try await harness.get("\(Self.base)/to-khai-dang-ky-khai-sinh/submissions/\(id)/print").status == .unauthorized)
        }
    }
}
