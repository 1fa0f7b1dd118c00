import ArgumentParser
import Core

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Nhật ký kiểm toán.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Kiểm tra chuỗi băm của nhật ký kiểm toán; chỉ ra bản ghi đầu tiên bị sửa, xóa hoặc đảo thứ tự.",
            discussion: "Mã thoát: 0 chuỗi toàn vẹn, 1 chuỗi bị can thiệp, 2 không kiểm tra được."
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let (configuration, logger) = try options.load()
            let masterKey: MasterKey
            do {
                masterKey = try MasterKey.resolve(configuration).0
            } catch {
                throw fail("\(error)", code: 2)
            }
            let database = try Database.open(configuration.databaseLocation, logger: logger)
            let report: AuditVerifier.Report
            do {
                report = try await AuditVerifier(log: AuditLog(database: database, masterKey: masterKey)).verify()
                await database.close()
            } catch {
                await database.close()
                throw fail("Không kiểm tra được nhật ký kiểm toán: \(error)", code: 2)
            }
            if let problem = report.problem {
                throw fail("Nhật ký kiểm toán KHÔNG toàn vẹn. \(problem) (đã kiểm tra \(report.entriesChecked) bản ghi hợp lệ trước đó; đầu chuỗi #\(report.headSeq))")
            }
            print("Nhật ký kiểm toán toàn vẹn: \(report.entriesChecked) bản ghi, chuỗi băm khớp đến đầu chuỗi.")
            print("Đầu chuỗi: #\(report.headSeq) \(report.headHash) — lưu lại ở nơi khác để đối chiếu lần sau.")
        }
    }
}
