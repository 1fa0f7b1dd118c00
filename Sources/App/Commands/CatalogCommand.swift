import ArgumentParser
import Catalogs
import Core
import Foundation

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Danh mục dùng chung.",
        subcommands: [Sync.self]
    )

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Đồng bộ danh mục với từ điển dữ liệu quốc gia (--catalog-sync-url hoặc nguồn riêng của danh mục).",
            discussion: """
                Chỉ tạo phiên bản mới khi nội dung nguồn khác phiên bản hiện hành; ghi khác biệt vào nhật ký kiểm toán. \
                Lỗi giữa chừng không để lại phiên bản dở dang: phiên bản hiện hành giữ nguyên. Mã thoát 1 nếu có danh mục đồng bộ lỗi.
                  lgsp sim &
                  lgsp catalog sync --catalog-sync-url http://127.0.0.1:8090/dictionary/v1
                """
        )
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "Khóa danh mục (bỏ trống: mọi danh mục có nguồn)") var key: String?

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                try await platform.catalogs.prepare()
                var failed = false
                if let key {
                    let (ok, line) = await platform.catalogs.syncOne(key)
                    print(line)
                    failed = !ok
                } else {
                    let lines = try await platform.catalogs.syncAll()
                    if lines.isEmpty { print("Không có danh mục nào có nguồn đồng bộ (đặt --catalog-sync-url).") }
                    for line in lines { print(line) }
                    failed = lines.contains { $0.contains(": failed") }
                }
                if failed { throw ExitCode(1) }
            }
        }
    }
}
