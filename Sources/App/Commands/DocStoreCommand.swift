import ArgumentParser
import Core
import DocStore

struct DocStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docstore",
        abstract: "Kho tệp tạm, hồ sơ và kết quả số hóa.",
        subcommands: [Rewrap.self, Sweep.self]
    )

    struct Rewrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bọc lại mọi khóa dữ liệu của tệp bằng khóa chính hiện tại (sau khi đổi khóa chính); nội dung tệp không phải mã hóa lại.",
            discussion: """
                Đổi khóa chính: đặt khóa mới vào --master-key, khóa cũ vào --previous-master-keys, chạy lệnh này, \
                rồi bỏ khóa cũ khỏi --previous-master-keys.
                """
        )
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                let count = try await platform.docStore.rewrapKeys()
                print("Đã bọc lại \(count) khóa dữ liệu bằng khóa chính hiện tại.")
            }
        }
    }

    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Xóa ngay các tệp tải lên đã hết hạn (lgsp serve cũng tự làm định kỳ).")
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            try await withAdminPlatform(options) { platform in
                let count = try await platform.docStore.uploads.sweep()
                let orphans = try await platform.docStore.uploads.sweepOrphans()
                print("Đã xóa \(count) tệp tải lên hết hạn và \(orphans) tệp không còn bản ghi tham chiếu.")
            }
        }
    }
}
