import ArgumentParser
import Core

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Áp dụng các migration còn thiếu rồi thoát (chạy lại không thay đổi gì)."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let (configuration, logger) = try options.load()
        let platform = try await Platform.open(configuration, logger: logger)
        do {
            let applied = try await platform.migrate()
            await platform.close()
            if applied.isEmpty {
                print("Cơ sở dữ liệu đã cập nhật: không có migration nào cần áp dụng.")
            } else {
                print("Đã áp dụng \(applied.count) migration:")
                for entry in applied { print("  \(entry.module)/\(entry.name)") }
            }
        } catch {
            await platform.close()
            throw fail("\(error)")
        }
    }
}
